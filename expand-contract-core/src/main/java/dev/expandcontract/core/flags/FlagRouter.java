package dev.expandcontract.core.flags;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.MigrationState;

/**
 * Decides, per request, where reads and writes go: the flags choose within the envelope the phase
 * allows, and a flag outside it is not honoured but reported (invariant 6).
 */
public final class FlagRouter {

  private final MigrationFlags flags;
  private final ExpandContractListener listener;

  public FlagRouter(MigrationFlags flags, ExpandContractListener listener) {
    this.flags = flags;
    this.listener = listener;
  }

  public MigrationFlags flags() {
    return flags;
  }

  /** True when this key's read goes to the new schema. */
  public boolean readNew(MigrationState state, Object key) {
    boolean flag = flags.readNew(state.id(), key);
    Phase phase = state.phase();
    if (phase.mustReadNew() || state.resyncOld()) {
      if (!flag) {
        overridden(state, "read-new", "is off, but the old schema is not complete in " + phase);
      }
      return true;
    }
    if (!phase.mayReadNew()) {
      if (flag) {
        overridden(state, "read-new", "is on, but reads may not use new before verification");
      }
      return false;
    }
    return flag;
  }

  /** True while the old schema must still be written. */
  public boolean writeOld(MigrationState state) {
    boolean flag = flags.writeOld(state.id());
    boolean required = state.phase().writesOld();
    if (flag != required) {
      overridden(
          state,
          "write-old",
          (flag ? "is on, but old is no longer written in " : "is off, but old must be written in ")
              + state.phase());
    }
    return required;
  }

  /** True when reads should also compare old with new. */
  public boolean shadowRead(MigrationState state) {
    boolean flag = flags.shadowRead(state.id());
    if (flag && !state.phase().allowsShadowReads()) {
      overridden(state, "shadow-read", "is on, but new is not complete in " + state.phase());
      return false;
    }
    return flag;
  }

  private void overridden(MigrationState state, String flag, String reason) {
    listener.flagOverridden(
        state.id(),
        flag,
        "flag " + flag + " of '" + state.id() + "' " + reason + "; the phase's decision was used");
  }
}
