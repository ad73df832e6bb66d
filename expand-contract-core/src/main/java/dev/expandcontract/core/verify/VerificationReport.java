package dev.expandcontract.core.verify;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a full verification scan.
 *
 * @param rowsChecked old rows compared
 * @param mismatched keys whose new values differ from transform(old), or are missing in new
 * @param extra keys present in the new table but not in the old one (table migrations)
 * @param sampleKeys the first mismatching keys, each marked with what is wrong
 */
public record VerificationReport(
    String migrationId,
    long rowsChecked,
    long mismatched,
    long extra,
    List<String> sampleKeys,
    Duration duration) {

  public long mismatches() {
    return mismatched + extra;
  }

  public String summary() {
    return mismatches() == 0
        ? "0 mismatches in " + rowsChecked + " rows"
        : mismatches()
            + " mismatches in "
            + rowsChecked
            + " rows ("
            + mismatched
            + " missing or different in new, "
            + extra
            + " only in new), e.g. keys "
            + sampleKeys;
  }
}
