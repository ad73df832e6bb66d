package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.flags.Ff4jMigrationFlags;
import dev.expandcontract.core.flags.Ff4jMigrationFlags.StickyPercentageStrategy;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.test.TestDatabase;
import org.ff4j.FF4j;
import org.ff4j.core.Feature;
import org.ff4j.core.FlippingExecutionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * FF4j is the default flag engine: the auto-configured one ramps reads stickily, and a flag an
 * operator flips in FF4j against the phase is not honoured but reported when the refresh loop loads
 * the flags, and written back (invariant 6).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "expand-contract.flags.store=in-memory")
class Ff4jFlagsH2Test extends ItSupport {

  @Autowired FF4j ff4j;
  @Autowired MigrationFlags flags;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.H2, "starter_flags");
  }

  @AfterEach
  void phaseDrivesTheFlagsAgain() {
    for (String id : new String[] {EMAIL, ADDRESS}) {
      flags.apply(expandContract.state(id));
    }
  }

  @Test
  void theDefaultEngineIsFf4j() {
    assertThat(flags).isInstanceOf(Ff4jMigrationFlags.class);
    assertThat(expandContract.router().flags()).isSameAs(flags);
    assertThat(ff4j.getFeatureStore().exist(EMAIL + ".read-new")).isTrue();
    assertThat(ff4j.getFeatureStore().read(EMAIL + ".write-old").isEnable()).isTrue();
  }

  @Test
  void autoConfiguredFf4jRampsStickily() {
    StickyPercentageTest.assertSticky(flags, "ramp-starter", ff4j);
  }

  @Test
  void readNewFlippedInFf4jBeforeVerificationIsNotHonoured() {
    assertPhase(stored(EMAIL), Phase.EXPANDED);
    Customer bob = customers.save(new Customer("bob", " Bob@Example.COM ", null, null, null));

    // Reset first: the scheduler's own refreshes may report the flip before this test's do.
    listener.reset();
    // An operator turns reads to new for every key, directly in FF4j.
    Feature flipped = new Feature(EMAIL + ".read-new", true);
    flipped.setFlippingStrategy(new StickyPercentageStrategy(100));
    ff4j.getFeatureStore().update(flipped);
    FlippingExecutionContext context = new FlippingExecutionContext();
    context.addValue("expandContractKey", String.valueOf(bob.getId()));
    assertThat(ff4j.check(EMAIL + ".read-new", context)).as("FF4j itself says read new").isTrue();
    // A feature without the library's state version is acted on once two refreshes find it so:
    // a single sighting may be another instance rewriting it.
    expandContract.refresh();
    expandContract.refresh();

    assertThat(customers.findById(bob.getId()).orElseThrow().getEmail())
        .as("still the old column")
        .isEqualTo(" Bob@Example.COM ");
    assertThat(customers.findByEmail("bob@example.com")).as("still the old query").isEmpty();
    assertThat(listener.flagOverrides).contains(EMAIL + ":read-new");
    assertThat(ff4j.check(EMAIL + ".read-new", context)).as("written back").isFalse();
  }

  @Test
  void writeOldFlippedOffBeforeNewOnlyIsNotHonoured() {
    Customer cleo = customers.save(new Customer("cleo", "Cleo@X.org", null, null, null));
    listener.reset(); // before the flip: the scheduler's refreshes may report it first
    ff4j.disable(EMAIL + ".write-old");
    assertThat(ff4j.check(EMAIL + ".write-old")).isFalse();
    expandContract.refresh();

    cleo.setEmail("Cleo.Changed@X.org");
    customers.save(cleo);

    assertThat(emailColumns(cleo.getId()))
        .containsEntry("email", "Cleo.Changed@X.org")
        .containsEntry("email_normalized", "cleo.changed@x.org");
    assertThat(listener.flagOverrides).contains(EMAIL + ":write-old");
    assertThat(ff4j.check(EMAIL + ".write-old")).as("written back").isTrue();
  }

  @Test
  void shadowReadFlippedOnBeforeBackfillIsNotHonoured() {
    Customer dora = customers.save(new Customer("dora", "Dora@X.org", null, null, null));
    jdbc.update("update customers set email_normalized = 'drift' where id = ?", dora.getId());
    listener.reset(); // before the flip: the scheduler's refreshes may report it first
    ff4j.enable(EMAIL + ".shadow-read");
    expandContract.refresh();

    assertThat(customers.findById(dora.getId()).orElseThrow().getEmail()).isEqualTo("Dora@X.org");

    assertThat(listener.flagOverrides).contains(EMAIL + ":shadow-read");
    assertThat(listener.shadowMismatches).isEmpty();
  }
}
