package dev.expandcontract.core.verify;

/**
 * What a repair did: the keys it re-copied old to new, and the verification that followed.
 *
 * @param repaired keys the verifier found mismatching or missing in new, each copied again
 * @param after the verification run once they were copied
 */
public record RepairReport(String migrationId, long repaired, VerificationReport after) {

  public String summary() {
    return "re-copied " + repaired + " key(s); then " + after.summary();
  }
}
