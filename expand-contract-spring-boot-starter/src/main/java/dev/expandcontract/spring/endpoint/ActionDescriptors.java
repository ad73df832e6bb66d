package dev.expandcontract.spring.endpoint;

import dev.expandcontract.core.verify.VerificationReport;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The bodies the endpoint answers with besides a {@link MigrationDescriptor}. */
public final class ActionDescriptors {

  private ActionDescriptors() {}

  /** {@code GET /actuator/expandcontract}. */
  public record MigrationsDescriptor(List<MigrationDescriptor> migrations) {}

  /** A successful action: the state it left, and the verification it ran, if any. */
  public record ActionResultDescriptor(
      MigrationDescriptor migration, @Nullable VerificationDescriptor verification) {}

  /** A refused or failed request: the status again, why, and the state if it could be read. */
  public record ErrorDescriptor(
      int status, String reason, @Nullable MigrationDescriptor migration) {}

  /** The outcome of a verification scan. */
  public record VerificationDescriptor(
      long rowsChecked, long mismatched, long extra, List<String> sampleKeys, long durationMs) {
    static VerificationDescriptor of(VerificationReport report) {
      return new VerificationDescriptor(
          report.rowsChecked(),
          report.mismatched(),
          report.extra(),
          report.sampleKeys(),
          report.duration().toMillis());
    }
  }
}
