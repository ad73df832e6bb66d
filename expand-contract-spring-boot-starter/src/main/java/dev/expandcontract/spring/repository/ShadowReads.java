package dev.expandcontract.spring.repository;

import dev.expandcontract.core.access.MigratedRows;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares old with new for a sample of reads, off the request thread: the comparison is one
 * statement (one snapshot) in the database, so it needs nothing from the caller's transaction, and
 * a full queue drops comparisons instead of slowing requests.
 */
public final class ShadowReads implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ShadowReads.class);
  private final DataSource dataSource;
  private final double sampleRate;
  private final ThreadPoolExecutor executor;

  public ShadowReads(DataSource dataSource, double sampleRate) {
    this.dataSource = dataSource;
    this.sampleRate = sampleRate;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            runnable -> {
              Thread thread = new Thread(runnable, "expand-contract-shadow-read");
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.DiscardPolicy());
  }

  void compare(MigratedRows rows, List<Object> keys) {
    if (ThreadLocalRandom.current().nextDouble() >= sampleRate) {
      return;
    }
    List<Object> copy = List.copyOf(keys);
    executor.execute(
        () -> {
          try (Connection connection = dataSource.getConnection()) {
            rows.readOldComparingNew(connection, copy);
          } catch (SQLException | RuntimeException e) {
            log.debug(
                "shadow read of {} failed; the caller was not affected", rows.migration().id(), e);
          }
        });
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
