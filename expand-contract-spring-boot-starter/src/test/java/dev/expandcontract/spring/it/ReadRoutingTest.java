package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.flags.StickyPercentage;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Reads follow the read flag: findById fills the migrated field from old before the switch and from
 * new after it, per key at a partial percentage, and a {@code @RoutedQuery} runs its twin.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class ReadRoutingTest extends ItSupport {

  private static final String RAW = " Alice@Example.COM ";
  private static final String NORMALIZED = "alice@example.com";

  @Test
  void routingFlipsWithTheFlag() {
    Customer alice = customers.save(new Customer("alice", RAW, "Main St 1", "Springfield", "1"));
    Map<Long, String> raw = new HashMap<>(Map.of(alice.getId(), RAW));
    for (int i = 0; i < 40; i++) {
      String email = " Other" + i + "@Example.COM";
      raw.put(customers.save(new Customer("other" + i, email, null, null, null)).getId(), email);
    }
    MigrationControl control = expandContract.control();

    // EXPANDED: reads come from old, the query filters on the old column.
    assertThat(customers.findById(alice.getId()).orElseThrow().getEmail()).isEqualTo(RAW);
    assertThat(customers.findByEmail(RAW))
        .extracting(Customer::getId)
        .containsExactly(alice.getId());
    assertThat(customers.findByEmail(NORMALIZED)).isEmpty();

    backfill(EMAIL);
    control.verify(EMAIL, "test");
    assertPhase(stored(EMAIL), Phase.VERIFIED);
    expandContract.refresh();
    // VERIFIED: new is complete and proven, reads still come from old.
    assertThat(customers.findById(alice.getId()).orElseThrow().getEmail()).isEqualTo(RAW);
    assertThat(customers.findByEmail(NORMALIZED)).isEmpty();

    // 50%: each key goes the way its sticky bucket says, in one findAll.
    control.readNew(EMAIL, 50, "test");
    expandContract.refresh();
    int fromNew = 0;
    for (Customer c : customers.findAll()) {
      boolean expectNew = StickyPercentage.readsNew(EMAIL, c.getId(), 50);
      String written = raw.get(c.getId());
      assertThat(c.getEmail())
          .as("email of %s at 50%%", c.getId())
          .isEqualTo(expectNew ? Emails.normalize(written) : written);
      fromNew += expectNew ? 1 : 0;
    }
    assertThat(fromNew).as("keys read from new at 50%% of 41").isBetween(1, 40);
    // The routed query is sticky per argument.
    boolean queryGoesNew = StickyPercentage.readsNew(EMAIL, NORMALIZED, 50);
    assertThat(customers.findByEmail(NORMALIZED)).hasSize(queryGoesNew ? 1 : 0);

    // 100%: every read from new; the query runs its twin on email_normalized.
    control.readNew(EMAIL, 100, "test");
    expandContract.refresh();
    assertThat(customers.findById(alice.getId()).orElseThrow().getEmail()).isEqualTo(NORMALIZED);
    assertThat(customers.findByEmail(NORMALIZED))
        .extracting(Customer::getId)
        .containsExactly(alice.getId());
    // Drift in the old column (a writer bypassing the application) is invisible now ...
    jdbc.update("update customers set email = 'stale@old.example' where id = ?", alice.getId());
    assertThat(customers.findById(alice.getId()).orElseThrow().getEmail()).isEqualTo(NORMALIZED);
    assertThat(customers.findByEmail(RAW))
        .extracting(Customer::getId)
        .containsExactly(alice.getId());
    assertThat(customers.findByEmail("stale@old.example")).isEmpty();
    jdbc.update("update customers set email = ? where id = ?", RAW, alice.getId());

    // A write while reads come from new still goes to both, so rolling back loses nothing.
    Customer bob = customers.save(new Customer("bob", "Bob@Example.COM ", null, null, null));
    assertThat(customers.findById(bob.getId()).orElseThrow().getEmail())
        .isEqualTo("bob@example.com");

    control.rollback(EMAIL, "test");
    expandContract.refresh();
    assertPhase(stored(EMAIL), Phase.EXPANDED);
    assertThat(customers.findById(alice.getId()).orElseThrow().getEmail()).isEqualTo(RAW);
    assertThat(customers.findById(bob.getId()).orElseThrow().getEmail())
        .isEqualTo("Bob@Example.COM ");
    assertThat(customers.findByEmail(NORMALIZED)).isEmpty();
  }

  @Test
  void tableMigrationReadsFromTheNewTableAfterTheSwitch() {
    Customer carl = customers.save(new Customer("carl", "c@x.org", "Old St 1", "Oldtown", "999"));
    backfill(ADDRESS);
    expandContract.control().verify(ADDRESS, "test");
    // Make old and new distinguishable behind the application's back.
    jdbc.update(
        "update customer_addresses set city = 'Newtown' where customer_id = ?", carl.getId());
    assertThat(customers.findById(carl.getId()).orElseThrow().getCity()).isEqualTo("Oldtown");

    expandContract.control().readNew(ADDRESS, 100, "test");
    expandContract.refresh();
    Customer read = customers.findById(carl.getId()).orElseThrow();
    assertThat(read.getCity()).isEqualTo("Newtown");
    assertThat(read.getStreet()).isEqualTo("Old St 1");
    assertThat(read.getZip()).isEqualTo("999");

    expandContract.control().rollback(ADDRESS, "test");
    assertThat(customers.findById(carl.getId()).orElseThrow().getCity()).isEqualTo("Oldtown");
  }
}
