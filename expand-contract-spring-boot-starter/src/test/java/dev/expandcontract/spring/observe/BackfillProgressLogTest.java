package dev.expandcontract.spring.observe;

import static dev.expandcontract.spring.observe.ItemsDatabase.ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.backfill.ChunkProgress;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BackfillProgressLogTest {

  private static final String PROGRESS =
      ID + " backfill \\d+\\.\\d% \\(\\d+/50 rows\\), \\d+ rows/s, ETA \\S+";

  private final Logger logger = (Logger) LoggerFactory.getLogger(BackfillProgressLog.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final AtomicReference<ExpandContract> instance = new AtomicReference<>();
  private ItemsDatabase db;

  @BeforeEach
  void captureLog() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(appender);
    if (db != null) {
      db.close();
    }
  }

  @Test
  void formatsAProgressLine() {
    MigrationStatus status =
        new MigrationStatus(
            "customer-email",
            MigrationKind.COLUMN,
            Phase.BACKFILLING,
            0,
            false,
            false,
            90_400,
            200_000,
            12_300.4,
            9L,
            null,
            null,
            1000,
            null,
            null,
            null,
            0,
            List.of(),
            List.of(),
            ChunkProgress.NONE,
            ThrottleState.NONE,
            Map.of(),
            List.of());
    assertThat(BackfillProgressLog.progressLine(status, false))
        .isEqualTo("customer-email backfill 45.2% (90400/200000 rows), 12300 rows/s, ETA 9s");
    assertThat(BackfillProgressLog.eta(null)).isEqualTo("unknown");
    assertThat(BackfillProgressLog.eta(125L)).isEqualTo("2m05s");
    assertThat(BackfillProgressLog.eta(3_725L)).isEqualTo("1h02m");
  }

  @Test
  void logsProgressAtMostOncePerIntervalAndEveryPhaseChange() throws Exception {
    start(Duration.ofHours(1));
    db.expandContract.control().startBackfill(ID, "test");
    db.runBackfill();

    assertThat(messages(Level.INFO).stream().filter(m -> m.matches(PROGRESS)))
        .as("five batches in one interval")
        .hasSize(1);
    assertThat(messages(Level.INFO))
        .anyMatch(m -> m.startsWith(ID + " EXPANDED -> BACKFILLING by test"))
        .anyMatch(m -> m.startsWith(ID + " BACKFILLING -> BACKFILLED by backfill"));
  }

  @Test
  void logsEveryBatchWithoutAnInterval() throws Exception {
    start(Duration.ZERO);
    db.expandContract.control().startBackfill(ID, "test");
    db.runBackfill();

    assertThat(messages(Level.INFO).stream().filter(m -> m.matches(PROGRESS)).count())
        .isGreaterThanOrEqualTo(ItemsDatabase.ROWS / ItemsDatabase.BATCH);
    assertThat(messages(Level.INFO))
        .anyMatch(m -> m.startsWith(ID + " backfill 100.0% (50/50 rows), "));
  }

  @Test
  void logsVerificationRefusalsAndPauses() throws Exception {
    start(Duration.ofHours(1));
    assertThatThrownBy(() -> db.expandContract.control().contract(ID, "test", () -> {}))
        .isInstanceOf(TransitionRefusedException.class);
    assertThat(messages(Level.WARN)).anyMatch(m -> m.startsWith(ID + " contract refused: "));

    db.expandContract.control().startBackfill(ID, "test");
    db.expandContract.control().pause(ID, "alice");
    assertThat(messages(Level.WARN)).contains(ID + " backfill paused: paused by alice");
    assertThat(messages(Level.INFO)).anyMatch(m -> m.matches(PROGRESS + ", paused"));
    long linesBeforeResume = messages(Level.INFO).stream().filter(m -> m.matches(PROGRESS)).count();
    db.expandContract.control().resume(ID, "alice");
    assertThat(messages(Level.INFO).stream().filter(m -> m.matches(PROGRESS)).count())
        .as("a progress line at resume")
        .isEqualTo(linesBeforeResume + 1);
    db.runBackfill();
    assertThat(messages(Level.INFO))
        .anyMatch(
            m ->
                m.matches(
                    ID
                        + " backfill finished: 50 rows in \\d+\\.\\ds, mean \\d+ rows/s \\(pauses"
                        + " excluded\\)"));
    db.expandContract.control().verify(ID, "test");
    assertThat(messages(Level.INFO))
        .anyMatch(m -> m.matches(ID + " verification: 0 mismatches in 50 rows \\(\\d+\\.\\ds\\)"));
  }

  @Test
  void theEtaAfterAPauseIsTheRemainingTimeNotTheAverageSinceTheStart() throws Exception {
    MutableClock clock = new MutableClock();
    db = new ItemsDatabase("obs_eta", new BackfillProgressLog(instance::get, Duration.ZERO), clock);
    instance.set(db.expandContract);
    ExpandContract ec = db.expandContract;
    ec.control().startBackfill(ID, "test");
    ec.backfill().runBatch(ID);
    ec.backfill().runBatch(ID);
    ec.control().pause(ID, "test");
    assertThat(ec.status(ID).etaSeconds()).as("unknown while paused").isNull();
    clock.advance(Duration.ofHours(1)); // the pause
    ec.control().resume(ID, "test");
    ec.backfill().runBatch(ID);
    clock.advance(Duration.ofMillis(5));

    MigrationStatus afterResume = ec.progress(ID);
    assertThat(afterResume.rowsDone()).as("moves at every batch, not at refresh").isEqualTo(30);
    long started = System.nanoTime();
    db.runBackfill();
    Duration remaining = Duration.ofNanos(System.nanoTime() - started);
    // Before, the rate was 30 rows per hour of pause: an ETA of 40 minutes for 20 rows.
    assertThat(afterResume.etaSeconds()).isNotNull().isLessThanOrEqualTo(remaining.toSeconds() + 2);
    assertThat(ec.status(ID).etaSeconds()).isZero();
  }

  /** A clock the test moves, standing for time that passes while nothing runs. */
  private static final class MutableClock extends java.time.Clock {
    private volatile java.time.Instant now = java.time.Instant.now();

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  @Test
  void rateLimitsFlagOverrides() throws Exception {
    start(Duration.ofMillis(200));
    BackfillProgressLog progressLog =
        new BackfillProgressLog(instance::get, Duration.ofMillis(200));
    for (int i = 0; i < 5; i++) {
      progressLog.flagOverridden(ID, "read-new", "flag read-new is on");
    }
    progressLog.flagOverridden(ID, "write-old", "flag write-old is off");
    assertThat(messages(Level.WARN))
        .containsExactly("flag read-new is on", "flag write-old is off");

    // Not synchronisation: the rate limit is a wall-clock interval, and it must pass.
    Thread.sleep(250);
    progressLog.flagOverridden(ID, "read-new", "flag read-new is on");
    assertThat(messages(Level.WARN))
        .last()
        .isEqualTo("flag read-new is on (4 more since the last report)");
  }

  @Test
  void neverThrowsFromAListenerMethod() {
    BackfillProgressLog progressLog = new BackfillProgressLog(() -> null, Duration.ZERO);
    assertThatCode(
            () -> {
              progressLog.batchCompleted(null);
              progressLog.phaseChanged(null);
              progressLog.verified(null);
              progressLog.flagOverridden(null, null, null);
            })
        .doesNotThrowAnyException();
  }

  private void start(Duration interval) {
    db = new ItemsDatabase("obs_log", new BackfillProgressLog(instance::get, interval));
    instance.set(db.expandContract);
  }

  private List<String> messages(Level level) {
    return appender.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
