package dev.expandcontract.core.flags;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.MigrationState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, per request and from memory only, where reads and writes go. The state decides: reads
 * and writes follow its phase and read percentage, never a flag (invariant 6). The flags mirror the
 * state for operators; the refresh loop {@linkplain #refreshFlags loads} them in the background,
 * reports any that contradict the state and writes the state's flags back. The one choice left to a
 * flag is turning shadow reads off where the phase allows them.
 */
public final class FlagRouter {

  /** What an instance applies for one migration, as its heartbeat reports it to the fleet. */
  public record Routing(int readPercent, boolean writesOld) {}

  /** Serialises the flag writes of every instance of one migration (the state row's lock). */
  @FunctionalInterface
  public interface WriteLock {
    /** Runs the write holding the lock; false when the lock was not had in time. */
    boolean whileLocked(String migrationId, Runnable write);

    /** For a single instance: no lock. */
    WriteLock NONE =
        (migrationId, write) -> {
          write.run();
          return true;
        };
  }

  private final MigrationFlags flags;
  private final ExpandContractListener listener;
  private final WriteLock writeLock;
  private final Map<String, FlagValues> loaded = new ConcurrentHashMap<>();

  /** Flags found without a state version on the last refresh, per migration. */
  private final Map<String, FlagValues> unversioned = new ConcurrentHashMap<>();

  public FlagRouter(MigrationFlags flags, ExpandContractListener listener) {
    this(flags, listener, WriteLock.NONE);
  }

  public FlagRouter(MigrationFlags flags, ExpandContractListener listener, WriteLock writeLock) {
    this.flags = flags;
    this.listener = listener;
    this.writeLock = writeLock;
  }

  public MigrationFlags flags() {
    return flags;
  }

  /** True when this key's read goes to the new schema: sticky per key at the state's share. */
  public boolean readNew(MigrationState state, Object key) {
    return StickyPercentage.readsNew(state.id(), key, readPercent(state));
  }

  /** True while the old schema must still be written. */
  public boolean writeOld(MigrationState state) {
    return state.phase().writesOld();
  }

  /**
   * True when reads should also compare old with new: where the phase allows, unless turned off.
   */
  public boolean shadowRead(MigrationState state) {
    FlagValues stored = loaded.get(state.id());
    return state.phase().allowsShadowReads() && (stored == null || stored.shadowRead());
  }

  /** The routing {@link #readNew} and {@link #writeOld} apply in this state. */
  public Routing routing(MigrationState state) {
    return new Routing(readPercent(state), writeOld(state));
  }

  /** The share of keys read from new in a state; 100 whenever the old schema is not complete. */
  static int readPercent(MigrationState state) {
    Phase phase = state.phase();
    if (phase.mustReadNew() || state.resyncOld()) {
      return 100;
    }
    return phase.mayReadNew() ? state.readPercent() : 0;
  }

  /**
   * Writes the flags of a state this instance adopted, under the write lock: FF4j writes a feature
   * in several statements, so two instances writing different states' flags at once could leave a
   * mix. Flags another instance wrote meanwhile for a newer state are left alone; without the lock
   * in time nothing is written, and the next refresh compares again.
   */
  public void apply(MigrationState state) {
    writeLock.whileLocked(
        state.id(),
        () -> {
          Long newest = flags.load(state.id()).map(FlagValues::newestVersion).orElse(null);
          if (newest == null || newest <= state.version()) {
            flags.apply(state);
          }
        });
    loaded.put(state.id(), FlagValues.prescribedBy(state));
  }

  /**
   * Loads a migration's flags from the flag store (the refresh loop, never a request). Flags that
   * contradict the state they were written for are reported and written back; flags written for an
   * older state (another instance is writing them, or died first) are written back silently; flags
   * written for a newer state mean this instance lags and are left alone. A flag carrying no state
   * version was written outside the library, or is being rewritten by another instance at this
   * moment: it is acted on once two refreshes in a row find the same flags.
   */
  public void refreshFlags(MigrationState state) {
    FlagValues stored = flags.load(state.id()).orElse(null);
    if (stored == null) {
      apply(state);
      return;
    }
    Long newest = stored.newestVersion();
    if (newest != null && newest > state.version()) {
      loaded.put(state.id(), stored);
      return;
    }
    Long oldest = stored.oldestVersion();
    if (oldest == null && !stored.equals(unversioned.put(state.id(), stored))) {
      return;
    }
    unversioned.remove(state.id());
    List<FlagValues.Contradiction> contradictions = stored.contradictions(state);
    boolean current = oldest != null && oldest == state.version();
    if (contradictions.isEmpty() && current) {
      loaded.put(state.id(), stored);
      return;
    }
    if (oldest == null || current) {
      contradictions.forEach(c -> overridden(state, c));
    }
    apply(state);
  }

  private void overridden(MigrationState state, FlagValues.Contradiction contradiction) {
    listener.flagOverridden(
        state.id(),
        contradiction.flag(),
        "flag "
            + contradiction.flag()
            + " of '"
            + state.id()
            + "' "
            + contradiction.reason()
            + "; not honoured: the state's routing is used and the flag is written back");
  }
}
