package dev.expandcontract.bench;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.flags.PhaseDrivenFlags;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.MigrationState;
import java.util.Locale;

/**
 * The request path's routing decision (read-new for a key, write-old, shadow-read) from memory:
 * nanoseconds per decision after a warm-up, median of several timed rounds. No database is
 * involved: the router never touches one (AbstractFlagsTest counts the statements).
 */
public final class RoutingBenchmark {

  private static final int DECISIONS = 10_000_000;
  private static volatile long sink;

  private RoutingBenchmark() {}

  public static void main(String[] args) {
    FlagRouter router = new FlagRouter(new PhaseDrivenFlags(), ExpandContractListener.NO_OP);
    MigrationState state =
        new MigrationState(
            "customer-email",
            Phase.READ_NEW,
            50,
            7,
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
            null,
            0L,
            null,
            null);
    router.apply(state);
    for (int i = 0; i < 5; i++) {
      round(router, state); // warm-up: JIT compilation
    }
    long[] rounds = new long[9];
    for (int i = 0; i < rounds.length; i++) {
      rounds[i] = round(router, state);
    }
    java.util.Arrays.sort(rounds);
    System.out.printf(
        Locale.ROOT,
        "routing decision (readNew + writeOld + shadowRead, READ_NEW 50%%, Long keys): median %.1f"
            + " ns, min %.1f ns, max %.1f ns over %d rounds of %d decisions; Java %s%n",
        rounds[rounds.length / 2] / (double) DECISIONS,
        rounds[0] / (double) DECISIONS,
        rounds[rounds.length - 1] / (double) DECISIONS,
        rounds.length,
        DECISIONS,
        System.getProperty("java.version"));
  }

  private static long round(FlagRouter router, MigrationState state) {
    long started = System.nanoTime();
    long count = 0;
    for (long key = 0; key < DECISIONS; key++) {
      if (router.readNew(state, key)) {
        count++;
      }
      if (router.writeOld(state) && !router.shadowRead(state)) {
        count++;
      }
    }
    sink = count;
    return System.nanoTime() - started;
  }
}
