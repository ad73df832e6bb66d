package dev.expandcontract.core.phase;

import static dev.expandcontract.core.phase.Phase.BACKFILLED;
import static dev.expandcontract.core.phase.Phase.BACKFILLING;
import static dev.expandcontract.core.phase.Phase.CONTRACTED;
import static dev.expandcontract.core.phase.Phase.CONTRACTING;
import static dev.expandcontract.core.phase.Phase.EXPANDED;
import static dev.expandcontract.core.phase.Phase.NEW_ONLY;
import static dev.expandcontract.core.phase.Phase.READ_NEW;
import static dev.expandcontract.core.phase.Phase.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The predicates against DESIGN.md's phase table. */
class PhaseTest {

  private static Set<Phase> where(Predicate<Phase> predicate) {
    EnumSet<Phase> phases = EnumSet.noneOf(Phase.class);
    Arrays.stream(Phase.values()).filter(predicate).forEach(phases::add);
    return phases;
  }

  @Test
  void phasesAreInTheDesignedOrder() {
    assertThat(Phase.values())
        .containsExactly(
            EXPANDED,
            BACKFILLING,
            BACKFILLED,
            VERIFIED,
            READ_NEW,
            NEW_ONLY,
            CONTRACTING,
            CONTRACTED);
  }

  @Test
  void oldIsWrittenUntilNewOnly() {
    assertThat(where(Phase::writesOld))
        .containsExactlyInAnyOrder(EXPANDED, BACKFILLING, BACKFILLED, VERIFIED, READ_NEW);
  }

  @Test
  void newMayBeReadFromReadNewOn() {
    assertThat(where(Phase::mayReadNew))
        .containsExactlyInAnyOrder(READ_NEW, NEW_ONLY, CONTRACTING, CONTRACTED);
  }

  @Test
  void newMustBeReadOnceOldIsNoLongerWritten() {
    assertThat(where(Phase::mustReadNew))
        .containsExactlyInAnyOrder(NEW_ONLY, CONTRACTING, CONTRACTED);
    assertThat(where(Phase::mustReadNew)).doesNotContainAnyElementsOf(where(Phase::writesOld));
  }

  @Test
  void theOldSchemaMayBeGoneOnceTheContractBegan() {
    assertThat(where(Phase::oldSchemaMayBeGone)).containsExactlyInAnyOrder(CONTRACTING, CONTRACTED);
  }

  @Test
  void shadowReadsOnlyWhileNewIsCompleteAndReadsStillComeFromOld() {
    assertThat(where(Phase::allowsShadowReads)).containsExactlyInAnyOrder(BACKFILLED, VERIFIED);
  }
}
