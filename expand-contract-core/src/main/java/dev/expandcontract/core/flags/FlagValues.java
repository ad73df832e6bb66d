package dev.expandcontract.core.flags;

import dev.expandcontract.core.store.MigrationState;
import java.util.ArrayList;
import java.util.List;

/**
 * One migration's flags as a flag engine stores them.
 *
 * @param readPercent share of keys the read-new flag sends to new (0 when it is off); -1 when its
 *     strategy is not one the library sets, so the share is unknown
 * @param oldestVersion the oldest state version among those the flags were written for; null when a
 *     flag carries none (created or replaced outside the library, or caught while FF4j rewrites its
 *     properties)
 * @param newestVersion the newest state version a flag was written for; null when none carries one
 */
public record FlagValues(
    int readPercent, boolean writeOld, boolean shadowRead, Long oldestVersion, Long newestVersion) {

  /** A flag that contradicts the state, and why. */
  public record Contradiction(String flag, String reason) {}

  /** The flags a state prescribes: what {@link MigrationFlags#apply} writes. */
  public static FlagValues prescribedBy(MigrationState state) {
    return new FlagValues(
        FlagRouter.readPercent(state),
        state.phase().writesOld(),
        state.phase().allowsShadowReads(),
        state.version(),
        state.version());
  }

  /**
   * The flags that say something the state does not allow. Turning shadow reads off is a choice the
   * phase leaves to the operator, not a contradiction.
   */
  public List<Contradiction> contradictions(MigrationState state) {
    FlagValues prescribed = prescribedBy(state);
    String in = " in the flag store, but the state is " + describe(state);
    List<Contradiction> found = new ArrayList<>();
    if (readPercent != prescribed.readPercent) {
      String stored =
          readPercent < 0 ? "has a strategy the library does not set" : readPercent + "%";
      found.add(new Contradiction("read-new", "is " + stored + in));
    }
    if (writeOld != prescribed.writeOld) {
      found.add(new Contradiction("write-old", "is " + (writeOld ? "on" : "off") + in));
    }
    if (shadowRead && !prescribed.shadowRead) {
      found.add(new Contradiction("shadow-read", "is on" + in + " (new is not complete)"));
    }
    return found;
  }

  private static String describe(MigrationState state) {
    return state.phase()
        + (state.phase().mayReadNew() && !state.phase().mustReadNew()
            ? " " + state.readPercent() + "%"
            : "")
        + (state.resyncOld() ? " (re-syncing old)" : "")
        + ", version "
        + state.version();
  }
}
