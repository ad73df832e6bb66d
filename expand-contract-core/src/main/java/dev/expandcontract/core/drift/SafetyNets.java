package dev.expandcontract.core.drift;

import dev.expandcontract.core.drift.SafetyNet.Presence;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.internal.Backoff;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PhaseTransition;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each migration's {@link SafetyNet} is in the database: from the start of the backfill
 * (before its upper key is fixed) while the old schema is the one written, so BACKFILLING to
 * READ_NEW, except while a rollback re-syncs old from new. It is removed before writes to the old
 * schema stop and before any contract DDL, and after a rollback to EXPANDED; the end of a re-sync
 * installs it again. Off by default: with the net off, a net left in the database (the net was on
 * before) is removed at start-up and at the next transition.
 */
public final class SafetyNets implements ExpandContractListener {

  private static final Logger log = LoggerFactory.getLogger(SafetyNets.class);
  private static final int ATTEMPTS = 5;

  private final boolean enabled;
  private final boolean triggers;
  private final DataSource dataSource;
  private final StateStore store;
  private final Map<String, SafetyNet> nets = new ConcurrentHashMap<>();

  /**
   * @throws IllegalArgumentException when the net is enabled on a database without triggers
   */
  public SafetyNets(DataSource dataSource, StateStore store, SqlDialect dialect, boolean enabled) {
    this.enabled = enabled;
    this.dataSource = dataSource;
    this.store = store;
    this.triggers = dialect.supportsSafetyNet();
    if (enabled && !triggers) {
      throw new IllegalArgumentException(
          "the expand-contract safety net is enabled, but it needs database triggers: PostgreSQL or"
              + " MySQL/MariaDB; turn it off (expand-contract.safety-net.enabled=false)");
    }
  }

  /** Adds the nets of migrations validated against the live schema (at start-up, or later). */
  public void register(Map<String, MigrationSql> migrations) {
    if (triggers) {
      migrations.forEach((id, sql) -> nets.put(id, new SafetyNet(dataSource, sql)));
    }
  }

  public boolean enabled() {
    return enabled;
  }

  /** True in the phases whose writes the net must follow: old is written and new is its copy. */
  public static boolean wanted(MigrationState state) {
    return state.phase().compareTo(Phase.BACKFILLING) >= 0
        && state.phase().compareTo(Phase.READ_NEW) <= 0
        && !state.resyncOld();
  }

  /**
   * Installs the net before the backfill fixes its upper key: every row a bypassing writer touches
   * later is kept in step by the triggers, every row before is at or below the key and copied.
   */
  public void beforeBackfill(String migrationId) {
    if (enabled) {
      // Replaced even when there: it may have been made from an earlier release's transforms.
      reach(nets.get(migrationId), true);
    }
  }

  /**
   * Removes the net before writes to the old schema stop: from then on new is the truth, and a
   * trigger copying a stale old value over it (or reading a dropped column) would undo it.
   */
  public void beforeOldWritesStop(String migrationId) {
    SafetyNet net = nets.get(migrationId);
    if (net != null) {
      reach(net, false);
    }
  }

  /** Brings the database in line with the state: the net where it is wanted, nowhere else. */
  public void follow(MigrationState state) {
    SafetyNet net = nets.get(state.id());
    if (net == null) {
      return;
    }
    boolean installed = enabled && wanted(state);
    // Checked first: every instance follows at start-up, and DDL locks the table.
    if (net.presence() != (installed ? Presence.INSTALLED : Presence.ABSENT)) {
      reach(net, installed);
    }
  }

  /** Whether the migration's net is in the database; empty on a database without triggers. */
  public Optional<Presence> presence(String migrationId) {
    return Optional.ofNullable(nets.get(migrationId)).map(SafetyNet::presence);
  }

  /**
   * The net as status shows it: {@code installed}, {@code absent} (on, but not in this phase),
   * {@code partial}, {@code off} (not enabled, none in the database), or {@code unknown} when the
   * catalog cannot be read.
   */
  public String describe(String migrationId) {
    try {
      Optional<Presence> presence = presence(migrationId);
      if (!enabled && presence.orElse(Presence.ABSENT) == Presence.ABSENT) {
        return "off";
      }
      return presence.map(p -> p.name().toLowerCase(Locale.ROOT)).orElse("off");
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * Another instance may install or remove it at the same moment (on MySQL a drop-then-create of
   * its own interleaved with ours): what counts is the result, so a failure is checked against the
   * catalog and the idempotent step tried again.
   */
  private void reach(SafetyNet net, boolean installed) {
    Presence wanted = installed ? Presence.INSTALLED : Presence.ABSENT;
    for (int attempt = 1; ; attempt++) {
      try {
        if (installed) {
          net.install();
        } else {
          net.remove();
        }
        break;
      } catch (RuntimeException e) {
        if (net.presence() == wanted) {
          break;
        }
        if (attempt == ATTEMPTS) {
          throw e;
        }
        Backoff.pause(
            Duration.ofMillis(50),
            attempt,
            Duration.ofSeconds(1),
            "safety net " + net.migrationId());
      }
    }
    log.info(
        "expand-contract: safety net of '{}' {}",
        net.migrationId(),
        installed ? "installed" : "absent");
  }

  @Override
  public void phaseChanged(PhaseTransition transition) {
    store.load(transition.migrationId()).ifPresent(this::follow);
  }
}
