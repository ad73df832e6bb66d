package dev.expandcontract.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code tune} accepts, and what a stored tuning does to a later release's declaration. */
class BackfillTuningTest {

  @Test
  void aDurationTooLongForJavaIsRefusedAsMalformedNotAnInternalError() {
    // The endpoint answers 400 for IllegalArgumentException; an ArithmeticException is a 500.
    assertThatThrownBy(
            () ->
                BackfillTuning.apply(
                    BackfillSettings.DEFAULTS, Map.of("throttled-pause", "999999999999999999m")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("throttled-pause");
    assertThatThrownBy(
            () ->
                BackfillTuning.apply(
                    BackfillSettings.DEFAULTS, Map.of("target-batch-time", "9999999999999999s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target-batch-time");
  }

  @Test
  void aStoredTuningThatANewReleasesDeclarationContradictsDoesNotBreakTheSettings() {
    // tune stored max-batch-size=50 alone (only what changed); the next release declares a
    // minimum of 100. Every batch and every GET applies the stored overrides to the declaration.
    BackfillSettings d = BackfillSettings.DEFAULTS;
    BackfillSettings nextRelease =
        new BackfillSettings(
            200,
            100,
            d.maxBatchSize(),
            d.targetBatchTime(),
            d.pauseBetweenBatches(),
            d.lockTimeout(),
            d.statementTimeout(),
            d.maxRetries(),
            d.retryBackoff(),
            d.throttle());

    BackfillSettings applied =
        BackfillTuning.applyStored(nextRelease, Map.of("max-batch-size", "50"));

    assertThat(applied).as("the declaration wins over the stored override").isEqualTo(nextRelease);
    assertThat(
            BackfillTuning.applyStored(
                nextRelease, Map.of("max-batch-size", "50", "target-batch-time", "40ms")))
        .as("the overrides that still fit apply")
        .isEqualTo(BackfillTuning.apply(nextRelease, Map.of("target-batch-time", "40ms")));
  }
}
