package dev.expandcontract.spring.endpoint;

import dev.expandcontract.core.phase.MigrationCompaction.Compacted;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.spring.ddl.DdlActivity;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The bodies the endpoint answers with besides a {@link MigrationDescriptor}. */
public final class ActionDescriptors {

  private ActionDescriptors() {}

  /** {@code GET /actuator/expandcontract}. */
  public record MigrationsDescriptor(List<MigrationDescriptor> migrations, DdlDescriptor ddl) {}

  /**
   * What the DDL executors reported lately (tool progress, lock retries), oldest first, and the
   * last compaction this instance ran; per migration, the reports on its tables.
   */
  public record DdlDescriptor(
      List<DdlReportDescriptor> recent, @Nullable CompactionDescriptor lastCompaction) {
    static DdlDescriptor of(List<DdlActivity.Entry> entries) {
      return of(entries, null);
    }

    static DdlDescriptor of(List<DdlActivity.Entry> entries, @Nullable Compacted compacted) {
      return new DdlDescriptor(
          entries.stream()
              .map(e -> new DdlReportDescriptor(e.at(), e.executor(), e.table(), e.message()))
              .toList(),
          compacted == null ? null : CompactionDescriptor.of(compacted));
    }
  }

  /** One report of a DDL executor. */
  public record DdlReportDescriptor(Instant at, String executor, String table, String message) {}

  /** A compaction (pg_repack) of a migration's table: its size before and after. */
  public record CompactionDescriptor(
      String table,
      String phase,
      long bytesBefore,
      long bytesAfter,
      long durationMs,
      Instant at,
      String actor) {
    static CompactionDescriptor of(Compacted c) {
      return new CompactionDescriptor(
          c.result().table(),
          c.phase().name(),
          c.result().bytesBefore(),
          c.result().bytesAfter(),
          c.result().duration().toMillis(),
          c.at(),
          c.actor());
    }
  }

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
