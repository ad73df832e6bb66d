package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.Ff4jMigrationFlags;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.flags.PhaseDrivenFlags;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.MigrationState;
import java.util.BitSet;
import org.ff4j.FF4j;
import org.ff4j.cache.FF4jCacheProxy;
import org.ff4j.cache.InMemoryCacheManager;
import org.ff4j.core.FlippingExecutionContext;
import org.ff4j.property.store.InMemoryPropertyStore;
import org.ff4j.store.InMemoryFeatureStore;
import org.junit.jupiter.api.Test;

/**
 * The read ramp is sticky per key: over 10,000 keys 10% reads ~10% from new, and raising the
 * percentage only moves keys from old to new. With FF4j set up the way the starter sets it up (a
 * store behind FF4j's cache proxy), FF4j's own answer for the read-new flag the library wrote is
 * the router's, so an application or console asking FF4j sees how reads are routed. No database.
 */
class StickyPercentageTest {

  static final int KEYS = 10_000;

  @Test
  void phaseDrivenFlags() {
    assertSticky(new PhaseDrivenFlags(), "ramp-phase", null);
  }

  @Test
  void ff4jFlags() {
    FF4j ff4j = new FF4j();
    ff4j.setFeatureStore(
        new FF4jCacheProxy(
            new InMemoryFeatureStore(), new InMemoryPropertyStore(), new InMemoryCacheManager(3)));
    assertSticky(new Ff4jMigrationFlags(ff4j), "ramp-ff4j", ff4j);
  }

  /**
   * Asserts the ramp over 10,000 keys, and that FF4j (if given) answers as the router routes;
   * shared with the test of the auto-configured FF4j.
   */
  static void assertSticky(MigrationFlags flags, String migrationId, FF4j ff4j) {
    FlagRouter router = new FlagRouter(flags, ExpandContractListener.NO_OP);

    MigrationState at10 = readNew(migrationId, 10, 1);
    apply(router, at10, ff4j);
    BitSet new10 = readsNew(router, at10);
    assertThat(new10.cardinality()).as("keys reading new at 10%%").isBetween(850, 1150);
    assertThat(readsNew(router, at10)).as("the same keys again at 10%%").isEqualTo(new10);

    MigrationState at50 = readNew(migrationId, 50, 2);
    apply(router, at50, ff4j);
    BitSet new50 = readsNew(router, at50);
    assertThat(new50.cardinality()).as("keys reading new at 50%%").isBetween(4850, 5150);
    BitSet movedBack = (BitSet) new10.clone();
    movedBack.andNot(new50);
    assertThat(movedBack.cardinality()).as("keys that went back to old from 10%% to 50%%").isZero();

    MigrationState at100 = readNew(migrationId, 100, 3);
    apply(router, at100, ff4j);
    assertThat(readsNew(router, at100).cardinality()).isEqualTo(KEYS);
    MigrationState at0 = readNew(migrationId, 0, 4);
    apply(router, at0, ff4j);
    assertThat(readsNew(router, at0).cardinality()).isZero();
  }

  /** Writes the state's flags, and checks that FF4j then answers for every key as the router. */
  private static void apply(FlagRouter router, MigrationState state, FF4j ff4j) {
    router.apply(state);
    if (ff4j == null) {
      return;
    }
    String feature = Ff4jMigrationFlags.feature(state.id(), "read-new");
    for (long key = 1; key <= KEYS; key++) {
      FlippingExecutionContext context = new FlippingExecutionContext();
      context.addValue("expandContractKey", String.valueOf(key));
      if (ff4j.check(feature, context) != router.readNew(state, key)) {
        throw new AssertionError(
            "FF4j and the router disagree on key " + key + " at " + state.readPercent() + "%");
      }
    }
  }

  private static BitSet readsNew(FlagRouter router, MigrationState state) {
    BitSet result = new BitSet(KEYS);
    for (long key = 1; key <= KEYS; key++) {
      if (router.readNew(state, key)) {
        result.set((int) key - 1);
      }
    }
    return result;
  }

  static MigrationState readNew(String id, int percent, long version) {
    return new MigrationState(
        id,
        Phase.READ_NEW,
        percent,
        version,
        0L,
        false,
        false,
        null,
        null,
        0L,
        0L,
        1000,
        null,
        null,
        null,
        null,
        null,
        percent == 100 ? 0L : null,
        0L,
        null,
        null);
  }
}
