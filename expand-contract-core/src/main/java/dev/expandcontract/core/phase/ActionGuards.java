package dev.expandcontract.core.phase;

import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PoisonRow;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The guards of the operator's actions, read from a state without acting: whether the phase allows
 * an action, then whether a guard refuses it now. {@link MigrationControl} and {@link
 * MigrationCompaction} refuse with these reasons, and {@link #allowed} tells operators beforehand.
 */
final class ActionGuards {

  private final StateStore store;
  private final Function<String, Migration> migrations;
  private final Duration soakTime;
  private final Duration instanceTimeout;

  ActionGuards(
      StateStore store,
      Function<String, Migration> migrations,
      Duration soakTime,
      Duration instanceTimeout) {
    this.store = store;
    this.migrations = migrations;
    this.soakTime = soakTime;
    this.instanceTimeout = instanceTimeout;
  }

  /** The actions the phase of {@code state} allows, each with the reason a guard refuses it now. */
  List<AllowedAction> allowed(MigrationState state) {
    return Arrays.stream(MigrationAction.values())
        .filter(action -> phaseRefusal(action, state).isEmpty())
        .map(action -> new AllowedAction(action, guardRefusal(action, state).orElse(null)))
        .toList();
  }

  /** Why the phase (with its pause, re-sync and rows set aside) refuses the action, if it does. */
  Optional<String> phaseRefusal(MigrationAction action, MigrationState state) {
    Phase phase = state.phase();
    return switch (action) {
      case START_BACKFILL -> onlyIn(action, state, Phase.EXPANDED);
      case PAUSE ->
          state.backfillRunning()
              ? Optional.empty()
              : Optional.of("nothing to pause: phase " + describe(state));
      case RESUME ->
          state.paused() ? Optional.empty() : Optional.of("not paused: phase " + describe(state));
      case VERIFY -> completeNewSchemaRefusal(state, "verification");
      case REPAIR -> completeNewSchemaRefusal(state, "repair");
      case READ_NEW -> onlyIn(action, state, Phase.VERIFIED, Phase.READ_NEW);
      case STOP_OLD_WRITES -> onlyIn(action, state, Phase.READ_NEW);
      case CONTRACT -> onlyIn(action, state, Phase.NEW_ONLY, Phase.CONTRACTING);
      case RETRY_POISON -> {
        if (phase.compareTo(Phase.BACKFILLED) > 0 && !state.resyncOld()) {
          yield Optional.of("nothing to retry after " + describe(state));
        }
        yield store.poison().count(state.id()) == 0
            ? Optional.of("nothing to retry: no row is set aside")
            : Optional.empty();
      }
      case ROLLBACK ->
          switch (phase) {
            case CONTRACTED -> Optional.of("CONTRACTED is final: the old schema was dropped");
            case CONTRACTING ->
                Optional.of(
                    "the contract DDL has begun, so the old schema may be partly gone; run"
                        + " contract again to finish it");
            case EXPANDED -> Optional.of("reads come from old already: nothing to roll back");
            default -> Optional.empty();
          };
      case COMPACT -> MigrationCompaction.phaseRefusal(state);
      case TUNE -> Optional.empty(); // backfill settings may change in any phase
    };
  }

  /**
   * Why a guard refuses an action the phase allows, at this moment: rows set aside, the soak time,
   * instances that have not acknowledged the state, a missing reverse transform, a re-sync.
   */
  Optional<String> guardRefusal(MigrationAction action, MigrationState state) {
    return switch (action) {
      case VERIFY -> poisonRefusal(state.id());
      case STOP_OLD_WRITES -> stopOldWritesRefusal(state);
      case CONTRACT ->
          state.phase() == Phase.NEW_ONLY
              ? fleetRefusal(state, i -> !i.writesOldApplied(), "stop writing the old schema")
              : Optional.empty();
      case ROLLBACK -> rollbackRefusal(state);
      default -> Optional.empty();
    };
  }

  private Optional<String> poisonRefusal(String id) {
    List<PoisonRow> poison = store.poison().all(id);
    if (poison.isEmpty()) {
      return Optional.empty();
    }
    // Their transform fails, so new cannot equal transform(old) there: no VERIFIED before they
    // copied.
    return Optional.of(
        poison.size()
            + " row(s) set aside by the backfill because their transform fails, e.g. key "
            + poison.get(0).key()
            + ": "
            + poison.get(0).error()
            + "; fix their data, then retry-poison");
  }

  private Optional<String> stopOldWritesRefusal(MigrationState state) {
    if (state.readPercent() != 100 || state.resyncOld()) {
      return Optional.of(
          "reads must come 100% from new first (now "
              + state.readPercent()
              + "%"
              + (state.resyncOld() ? ", old schema being re-synced" : "")
              + ")");
    }
    Duration soaked = Duration.ofMillis(store.clock().millis() - state.readNewFullAt());
    if (soaked.compareTo(soakTime) < 0) {
      return Optional.of(
          "reads have been 100% new for "
              + soaked.toSeconds()
              + "s; soak time is "
              + soakTime.toSeconds()
              + "s");
    }
    return fleetRefusal(state, i -> i.readPercentApplied() == 100, "read 100% from new");
  }

  private Optional<String> rollbackRefusal(MigrationState state) {
    if (state.phase() == Phase.NEW_ONLY) {
      Migration migration = migrations.apply(state.id());
      if (migration.kind() != MigrationKind.COLUMN || !migration.hasReverseTransform()) {
        return Optional.of(
            "writes to the old schema stopped; rolling back needs a reverse transform on every"
                + " column of a column migration to re-sync the old schema first, and '"
                + state.id()
                + "' has none");
      }
      return Optional.empty();
    }
    return state.resyncOld()
        ? Optional.of(
            "the old schema is still being re-synced (cursor "
                + state.cursorKey()
                + "); reading it now would return stale rows")
        : Optional.empty();
  }

  /**
   * Why the fleet is not ready, if it is not: every live instance must report it has seen this
   * state (its version or a later one) and applies what {@code ready} asks, since an instance that
   * reports the right routing for an older state may have missed a transition in between (e.g. a
   * rollback).
   */
  private Optional<String> fleetRefusal(
      MigrationState state, Predicate<InstanceView> ready, String what) {
    List<String> lagging =
        store.instances().laggingInstances(state, instanceTimeout, ready).stream()
            .map(InstanceView::describe)
            .toList();
    return lagging.isEmpty()
        ? Optional.empty()
        : Optional.of(
            "not every live instance has yet acknowledged version "
                + state.version()
                + " to "
                + what
                + ": "
                + lagging);
  }

  /** Why new is not complete yet, unless BACKFILLED, VERIFIED or READ_NEW, not re-syncing old. */
  private static Optional<String> completeNewSchemaRefusal(MigrationState state, String what) {
    List<Phase> allowed = List.of(Phase.BACKFILLED, Phase.VERIFIED, Phase.READ_NEW);
    return allowed.contains(state.phase()) && !state.resyncOld()
        ? Optional.empty()
        : Optional.of(
            what
                + " needs a complete new schema (BACKFILLED, VERIFIED or READ_NEW); phase is "
                + describe(state));
  }

  private static Optional<String> onlyIn(
      MigrationAction action, MigrationState state, Phase... allowed) {
    return List.of(allowed).contains(state.phase())
        ? Optional.empty()
        : Optional.of(
            action.actionName()
                + " is allowed in "
                + List.of(allowed)
                + "; phase is "
                + describe(state));
  }

  static String describe(MigrationState state) {
    return state.phase()
        + (state.phase() == Phase.READ_NEW ? " " + state.readPercent() + "%" : "")
        + (state.paused() ? " (paused)" : "");
  }
}
