package dev.expandcontract.core.ddl;

import java.time.Duration;

/**
 * What an online repack of a table achieved.
 *
 * @param table the table
 * @param bytesBefore its size with indexes and TOAST before
 * @param bytesAfter its size after
 * @param duration how long the repack took
 */
public record TableCompaction(String table, long bytesBefore, long bytesAfter, Duration duration) {

  public String summary() {
    return "'"
        + table
        + "' repacked in "
        + duration.toMillis()
        + " ms: "
        + mib(bytesBefore)
        + " MiB -> "
        + mib(bytesAfter)
        + " MiB";
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }
}
