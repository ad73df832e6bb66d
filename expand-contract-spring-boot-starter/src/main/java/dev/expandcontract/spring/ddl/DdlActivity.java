package dev.expandcontract.spring.ddl;

import dev.expandcontract.core.ddl.DdlChange;
import dev.expandcontract.core.ddl.DdlProgress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The latest progress reports of DDL executors (tool progress, lock retries), for the actuator
 * endpoint; the core logs them as they come.
 */
public final class DdlActivity implements DdlProgress {

  private static final int KEPT = 30;
  private final Deque<Entry> recent = new ArrayDeque<>();
  private final Clock clock;

  public DdlActivity(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void report(String executor, DdlChange change, String line) {
    if (recent.size() == KEPT) {
      recent.removeFirst();
    }
    recent.addLast(new Entry(clock.instant(), executor, change.table(), line));
  }

  /** Oldest first. */
  public synchronized List<Entry> recent() {
    return List.copyOf(recent);
  }

  /** One report: when, by which executor, on which table, what. */
  public record Entry(Instant at, String executor, String table, String message) {}
}
