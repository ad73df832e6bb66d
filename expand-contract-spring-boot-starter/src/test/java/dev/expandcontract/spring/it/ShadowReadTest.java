package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * In BACKFILLED and VERIFIED every sampled read also compares old with new off the request thread;
 * a mismatch reaches the application's listener with its key while the caller gets old.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "expand-contract.shadow-read.sample-rate=1.0")
abstract class ShadowReadTest extends ItSupport {

  @Test
  void shadowMismatchesAreReportedWithTheirKeys() {
    Customer clean = customers.save(new Customer("clean", "Clean@X.org", "A St", "Acity", "1"));
    Customer badEmail =
        customers.save(new Customer("bad-email", "Bad@X.org", "B St", "Bcity", "2"));
    Customer badCity = customers.save(new Customer("bad-city", "City@X.org", "C St", "Ccity", "3"));
    // Rows written around the application: only the backfill fills their new schema.
    for (int i = 0; i < 30; i++) {
      jdbc.update(
          "insert into customers (name, email, street, city, zip) values (?, ?, ?, ?, ?)",
          "legacy" + i,
          " Legacy" + i + "@X.org",
          "L St " + i,
          "Lcity",
          "L" + i);
    }

    backfill(EMAIL);
    backfill(ADDRESS);
    expandContract.control().verify(EMAIL, "test");
    expandContract.refresh();
    assertPhase(stored(EMAIL), Phase.VERIFIED);
    assertPhase(stored(ADDRESS), Phase.BACKFILLED);

    // Corrupt the new schema of one row per migration, with plain SQL.
    jdbc.update(
        "update customers set email_normalized = 'corrupted@x.org' where id = ?", badEmail.getId());
    jdbc.update(
        "update customer_addresses set city = 'Nowhere' where customer_id = ?", badCity.getId());
    listener.reset();

    // The callers get the old values ...
    assertThat(customers.findById(clean.getId()).orElseThrow().getEmail()).isEqualTo("Clean@X.org");
    assertThat(customers.findById(badEmail.getId()).orElseThrow().getEmail())
        .isEqualTo("Bad@X.org");
    assertThat(customers.findById(badCity.getId()).orElseThrow().getCity()).isEqualTo("Ccity");

    // ... and the comparisons, done in the order the reads submitted them, name the keys.
    String emailMismatch = EMAIL + ":" + badEmail.getId();
    String cityMismatch = ADDRESS + ":" + badCity.getId();
    Poll.until(
        TIMEOUT,
        "shadow mismatches of " + emailMismatch + " and " + cityMismatch,
        () ->
            listener.shadowMismatches.contains(emailMismatch)
                && listener.shadowMismatches.contains(cityMismatch));
    assertThat(listener.shadowMismatches).containsExactlyInAnyOrder(emailMismatch, cityMismatch);

    // The legacy rows the backfill copied compare equal, in one findAll.
    listener.reset();
    assertThat(customers.findAll()).hasSize(33);
    Poll.until(TIMEOUT, "the shadow reads of findAll", () -> listener.shadowMismatches.size() >= 2);
    assertThat(listener.shadowMismatches).containsExactlyInAnyOrder(emailMismatch, cityMismatch);

    // The full verification finds the same drift and names the key.
    assertThatThrownBy(() -> expandContract.control().verify(ADDRESS, "test"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining(String.valueOf(badCity.getId()));
    assertPhase(stored(ADDRESS), Phase.BACKFILLED);
  }
}
