package dev.expandcontract.core.ddl;

import java.time.Duration;

/**
 * How DDL waits for its locks.
 *
 * @param lockTimeout the longest one attempt waits for its lock before it gives up (MySQL/MariaDB
 *     count whole seconds; below one second an attempt does not wait at all)
 * @param maxAttempts attempts before the change fails, naming who held the table
 * @param backoff base of the jittered exponential pause between attempts
 * @param maxBackoff the longest pause between attempts
 * @param copyAllowed whether the native executor may run a MySQL/MariaDB ALTER that copies the
 *     table (blocking writes for the whole copy) when neither INSTANT nor INPLACE works
 */
public record DdlSettings(
    Duration lockTimeout,
    int maxAttempts,
    Duration backoff,
    Duration maxBackoff,
    boolean copyAllowed) {

  public static final DdlSettings DEFAULTS =
      new DdlSettings(
          Duration.ofMillis(500), 20, Duration.ofMillis(100), Duration.ofSeconds(2), false);

  public DdlSettings {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
    }
  }

  public DdlSettings withLockTimeout(Duration timeout) {
    return new DdlSettings(timeout, maxAttempts, backoff, maxBackoff, copyAllowed);
  }

  public DdlSettings withMaxAttempts(int attempts) {
    return new DdlSettings(lockTimeout, attempts, backoff, maxBackoff, copyAllowed);
  }

  public DdlSettings withCopyAllowed(boolean allowed) {
    return new DdlSettings(lockTimeout, maxAttempts, backoff, maxBackoff, allowed);
  }
}
