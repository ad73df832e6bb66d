package dev.expandcontract.core;

import dev.expandcontract.core.backfill.ChunkLeases;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PhaseTransition;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The states this instance acts on, held in memory: adopted at each refresh and at each transition
 * it makes itself, with when it last saw the shared state, since when the database cannot be
 * reached, and this instance's recent progress figures.
 */
final class AdoptedStates {

  private final Map<String, MigrationState> current = new ConcurrentHashMap<>();
  private final Map<String, RecentProgress> recent = new ConcurrentHashMap<>();
  private final StateStore store;
  private final FlagRouter router;
  private final ChunkLeases leases;
  private final SqlDialect dialect;
  private final String instanceId;
  private final Duration instanceTimeout;
  private volatile String databaseProblem;
  private volatile long stateSeenAt;
  private volatile boolean left;

  AdoptedStates(
      Collection<String> ids,
      StateStore store,
      FlagRouter router,
      ChunkLeases leases,
      SqlDialect dialect,
      String instanceId,
      Duration instanceTimeout) {
    this.store = store;
    this.router = router;
    this.leases = leases;
    this.dialect = dialect;
    this.instanceId = instanceId;
    this.instanceTimeout = instanceTimeout;
    ids.forEach(id -> recent.put(id, new RecentProgress()));
  }

  /** The state held for the migration, if this instance read it since it started. */
  Optional<MigrationState> held(String id) {
    return Optional.ofNullable(current.get(id));
  }

  RecentProgress recent(String id) {
    return recent.get(id);
  }

  void adopt(MigrationState state) {
    MigrationState previous = current.put(state.id(), state);
    recent.get(state.id()).adopted();
    if (previous == null || previous.version() != state.version()) {
      router.apply(state);
    }
  }

  /**
   * Records this instance's heartbeat and renews its chunk leases, then re-reads and adopts the
   * state of every migration that {@code started}, and loads the flags into memory.
   */
  void refresh(Predicate<String> started) {
    long begun = store.clock().millis();
    try {
      current
          .values()
          .forEach(
              state -> {
                FlagRouter.Routing applied = router.routing(state);
                store
                    .instances()
                    .heartbeat(instanceId, state, applied.readPercent(), applied.writesOld());
              });
      leases.renew();
      for (MigrationState state : store.loadAll()) {
        if (started.test(state.id())) {
          adopt(state);
        }
      }
      seen(begun);
    } catch (IllegalStateException e) {
      noteIfUnreachable(e.getCause());
      throw e;
    }
    for (MigrationState state : current.values()) {
      try {
        router.refreshFlags(state);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "cannot load the flags of '"
                + state.id()
                + "'; requests are routed by the state, which was refreshed",
            e);
      }
    }
  }

  /** The shared state was read in full at {@code readAt}: the database answers. */
  void seen(long readAt) {
    stateSeenAt = readAt;
    databaseProblem = null;
  }

  /** The database answered, though the state could not be read (a migration is invalid). */
  void databaseAnswered() {
    databaseProblem = null;
  }

  /** Since when and why the database cannot be reached, until the state is seen again. */
  Optional<String> databaseProblem() {
    return Optional.ofNullable(databaseProblem);
  }

  /**
   * Remembers that the database cannot be reached (since the first failure), for status and health;
   * the next successful refresh clears it.
   */
  boolean noteIfUnreachable(Throwable error) {
    if (!(error instanceof SQLException sql) || !dialect.isConnectionFailure(sql)) {
      return false;
    }
    if (databaseProblem == null) {
      databaseProblem =
          "state unknown: the database is unreachable since "
              + store.clock().instant()
              + " ("
              + sql.getMessage()
              + "); showing the state last seen";
    }
    return true;
  }

  /** This instance left the fleet: it writes no migrated entity from now on. */
  void leave() {
    left = true;
  }

  /**
   * Refuses writes once this instance may be stale: once it has not seen the shared state for two
   * thirds of {@code instance-timeout}, the fleet is about to stop counting it, and may move on
   * (stop old writes, re-sync, contract) without it. So its writes stop before that, and resume at
   * the first refresh that succeeds.
   */
  void requireFresh(String id) {
    if (left) {
      throw new StaleStateException(
          id,
          "instance "
              + instanceId
              + " has left the expand-contract fleet (shutting down); writes to migration '"
              + id
              + "' are refused");
    }
    Duration unseen = Duration.ofMillis(store.clock().millis() - stateSeenAt);
    if (unseen.compareTo(staleAfter()) > 0) {
      throw new StaleStateException(
          id,
          "instance "
              + instanceId
              + " has not seen the shared expand-contract state for "
              + unseen.toSeconds()
              + "s (writes stop after "
              + staleAfter().toSeconds()
              + "s, before the fleet stops counting an instance at instance-timeout "
              + instanceTimeout.toSeconds()
              + "s); writes to migration '"
              + id
              + "' are refused until a refresh succeeds"
              + (databaseProblem == null ? "" : ": " + databaseProblem));
    }
  }

  private Duration staleAfter() {
    return instanceTimeout.multipliedBy(2).dividedBy(3);
  }

  /**
   * Adopts a transition this instance made at once, without waiting for the next refresh, follows
   * this instance's batches for progress figures that move at every batch, and notes a backfill
   * that found the database unreachable.
   */
  ExpandContractListener refresher() {
    return new ExpandContractListener() {
      @Override
      public void databaseUnavailable(String migrationId, Throwable error) {
        noteIfUnreachable(error);
      }

      @Override
      public void phaseChanged(PhaseTransition transition) {
        store
            .load(transition.migrationId())
            .ifPresent(
                state -> {
                  boolean newRun =
                      transition.from() != transition.to()
                          && (transition.to() == Phase.BACKFILLING
                              || transition.to() == Phase.EXPANDED
                              || state.resyncOld());
                  if (newRun) {
                    recent.get(state.id()).reset(state.resyncOld());
                  }
                  adopt(state);
                });
      }

      @Override
      public void batchCompleted(BatchCompleted batch) {
        RecentProgress progress = recent.get(batch.migrationId());
        if (progress != null) {
          progress.batchCompleted(batch, store.clock().millis());
        }
      }
    };
  }
}
