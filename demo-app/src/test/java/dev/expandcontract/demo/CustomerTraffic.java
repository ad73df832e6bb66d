package dev.expandcontract.demo;

import dev.expandcontract.core.flags.StickyPercentage;
import dev.expandcontract.demo.DemoClient.Response;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import tools.jackson.databind.JsonNode;

/**
 * Concurrent HTTP writers (create, update, delete) and readers (by id, sometimes by email) against
 * the demo, with the bookkeeping that makes every answer checkable: per id, the last write the
 * service acknowledged.
 *
 * <p>Writes and reads of one id are serialised by a lock striped on the id (different ids run
 * concurrently), so "the last acknowledged write" is well-defined when a read starts: every read
 * must return exactly it, and a read of a deleted id must answer 404. Only the {@code email} of
 * {@code customer-email} may legitimately differ, and only in the way routing allows: raw while a
 * key reads old, {@code lower(trim(email))} once it reads new. The test tells this class the window
 * of read percentages that may be in force ({@link #readNewRequested}, {@link
 * #readNewAcknowledged}); a key's allowed forms follow from the library's sticky bucket of the key
 * ({@link StickyPercentage}), so even during the ramp a key that must still read old may not come
 * back normalized, and the other way round.
 *
 * <p>Every request that fails (5xx, transport error) or answers anything else than the bookkeeping
 * predicts is recorded as a failure. {@link #pause()} drains the traffic (no request in flight) and
 * holds it, around a crash and restart of the demo.
 */
final class CustomerTraffic {

  static final String EMAIL_MIGRATION = "customer-email";
  private static final int STRIPES = 1024;
  private static final int KEPT_FAILURES = 50;

  /** Pacing of each writer between two requests: a steady load, not a saturated 2-core box. */
  private static final long WRITER_PACE_MILLIS = 8;

  /** Pacing of each reader between two requests. */
  private static final long READER_PACE_MILLIS = 4;

  /** The last acknowledged state of one id; guarded by the id's stripe lock. */
  static final class Known {
    CustomerRequest last;
    boolean deleted;

    /** A write to it failed, so its outcome is unknown (that failure fails the test anyway). */
    boolean uncertain;

    Known(CustomerRequest last) {
      this.last = last;
    }
  }

  /** Acknowledged requests during one step of the lifecycle. */
  static final class StepCounts {
    final LongAdder creates = new LongAdder();
    final LongAdder updates = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder searches = new LongAdder();
    final LongAdder notFound = new LongAdder();

    /** Answers whose email was the raw one written, or its normalized form (where they differ). */
    final LongAdder rawEmails = new LongAdder();

    final LongAdder normalizedEmails = new LongAdder();

    /** 5xx, transport errors and wrong answers of requests started in this step. */
    final LongAdder failed = new LongAdder();

    long writes() {
      return creates.sum() + updates.sum() + deletes.sum();
    }

    long allReads() {
      return reads.sum() + searches.sum();
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%5d creates %5d updates %5d deletes %6d reads %5d searches; %4d expected 404s;"
              + " emails raw/normalized %5d/%5d; FAILED %d",
          creates.sum(),
          updates.sum(),
          deletes.sum(),
          reads.sum(),
          searches.sum(),
          notFound.sum(),
          rawEmails.sum(),
          normalizedEmails.sum(),
          failed.sum());
    }
  }

  private final long[] seededIds;
  private final Map<Long, Known> known = new ConcurrentHashMap<>();
  private final List<Long> ids = new ArrayList<>();
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
  private final Map<String, StepCounts> steps = new ConcurrentHashMap<>();
  private final List<String> stepOrder = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final LongAdder serverErrors = new LongAdder();
  private final LongAdder transportErrors = new LongAdder();
  private final LongAdder violations = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder slowRequests = new LongAdder();
  private final LongAccumulator maxLatencyMillis = new LongAccumulator(Math::max, 0);
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> slow = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean firstFailureSeen = new AtomicBoolean();
  private final AtomicLong acknowledgedWrites = new AtomicLong();
  private final AtomicLong acknowledgedReads = new AtomicLong();
  private final Runnable onFirstFailure;
  private volatile DemoClient client;
  private volatile boolean running;
  private volatile StepCounts current;
  private volatile String currentStep;
  private volatile String slowestRequest = "";

  /** Lowest read-new percent of customer-email that the demo may still be using. */
  private volatile int emailLow;

  /** Highest read-new percent of customer-email that the demo may already be using. */
  private volatile int emailHigh;

  /**
   * @param seeded the customers in the database when traffic starts, by id
   * @param onFirstFailure run once, by the thread that records the first failure (diagnostics)
   */
  CustomerTraffic(Map<Long, CustomerRequest> seeded, DemoClient client, Runnable onFirstFailure) {
    this.client = client;
    this.onFirstFailure = onFirstFailure;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    seededIds = seeded.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    seeded.forEach(
        (id, row) -> {
          known.put(id, new Known(row));
          ids.add(id);
        });
  }

  /** Starts the writer and reader threads. */
  void start(int writers, int readers) {
    if (current == null) {
      throw new IllegalStateException("name the first step before starting");
    }
    running = true;
    for (int w = 0; w < writers; w++) {
      int writer = w;
      threads.add(new Thread(() -> loop(() -> writeOnce(writer)), "e2e-writer-" + w));
    }
    for (int r = 0; r < readers; r++) {
      threads.add(new Thread(() -> loop(this::readOnce), "e2e-reader-" + r));
    }
    threads.forEach(Thread::start);
  }

  /** Names the lifecycle step the following requests belong to (for the per-step counts). */
  synchronized void step(String name) {
    StepCounts counts = steps.computeIfAbsent(name, n -> new StepCounts());
    if (!stepOrder.contains(name)) {
      stepOrder.add(name);
    }
    currentStep = name;
    current = counts;
  }

  /** Before asking for {@code read-new percent}: from now on keys may read new up to percent. */
  void readNewRequested(int percent) {
    emailHigh = Math.max(emailHigh, percent);
  }

  /** Every live instance reads new at percent now: no key below it may come back raw. */
  void readNewAcknowledged(int percent) {
    emailLow = Math.max(emailLow, percent);
  }

  /**
   * Drains the traffic: returns once no request is in flight, and holds every thread until {@link
   * #resume}. Nothing is sent in between, so nothing there is counted either way.
   */
  void pause() throws InterruptedException {
    if (!gate.writeLock().tryLock(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the traffic did not drain within 60 s");
    }
  }

  /** Lets the traffic go on, against the given (restarted) demo. */
  void resume(DemoClient restarted) {
    client = restarted;
    gate.writeLock().unlock();
  }

  /**
   * Polls until at least this many writes and reads were acknowledged from now on: proof that the
   * service serves in the current step, and time for the traffic to interleave with it.
   */
  void awaitProgress(int writes, int reads, Duration timeout) {
    long writesFrom = acknowledgedWrites.get();
    long readsFrom = acknowledgedReads.get();
    Instant deadline = Instant.now().plus(timeout);
    while (acknowledgedWrites.get() - writesFrom < writes
        || acknowledgedReads.get() - readsFrom < reads) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "traffic stalled in step '"
                + currentStep
                + "': "
                + (acknowledgedWrites.get() - writesFrom)
                + " writes and "
                + (acknowledgedReads.get() - readsFrom)
                + " reads acknowledged in "
                + timeout
                + "; failures so far: "
                + failureCount());
      }
      DemoProcess.pause(Duration.ofMillis(50));
    }
  }

  /** Stops every thread after its request in flight. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(90));
      if (thread.isAlive()) {
        throw new AssertionError(thread.getName() + " did not stop within 90 s");
      }
    }
  }

  /** For clean-up after a failure: stops the threads, also while paused. Idempotent. */
  void shutdown() throws InterruptedException {
    running = false;
    if (gate.isWriteLockedByCurrentThread()) {
      gate.writeLock().unlock();
    }
    stop();
  }

  long failureCount() {
    return serverErrors.sum() + transportErrors.sum() + violations.sum();
  }

  long serverErrors() {
    return serverErrors.sum();
  }

  long transportErrors() {
    return transportErrors.sum();
  }

  long violations() {
    return violations.sum();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Per id, the last acknowledged write; {@code null} for an acknowledged delete. */
  Map<Long, CustomerRequest> expectedRows() {
    Map<Long, CustomerRequest> expected = new LinkedHashMap<>();
    known.forEach((id, k) -> expected.put(id, k.deleted ? null : k.last));
    return expected;
  }

  /** Ids whose last write failed, so that their state is unknown (each is a failure already). */
  List<Long> uncertainIds() {
    return known.entrySet().stream()
        .filter(e -> e.getValue().uncertain)
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  synchronized Map<String, StepCounts> countsByStep() {
    Map<String, StepCounts> ordered = new LinkedHashMap<>();
    stepOrder.forEach(name -> ordered.put(name, steps.get(name)));
    return ordered;
  }

  String summary() {
    StringBuilder text = new StringBuilder();
    StepCounts total = new StepCounts();
    countsByStep()
        .forEach(
            (name, counts) -> {
              text.append(String.format(Locale.ROOT, "  %-42s %s%n", name, counts));
              total.creates.add(counts.creates.sum());
              total.updates.add(counts.updates.sum());
              total.deletes.add(counts.deletes.sum());
              total.reads.add(counts.reads.sum());
              total.searches.add(counts.searches.sum());
              total.notFound.add(counts.notFound.sum());
              total.rawEmails.add(counts.rawEmails.sum());
              total.normalizedEmails.add(counts.normalizedEmails.sum());
              total.failed.add(counts.failed.sum());
            });
    text.append(String.format(Locale.ROOT, "  %-42s %s%n", "TOTAL", total));
    text.append(
        String.format(
            Locale.ROOT,
            "  %d requests; 5xx: %d, transport errors: %d, wrong answers: %d;"
                + " slowest %d ms (%s), %d slower than 1 s%n",
            requests.sum(),
            serverErrors.sum(),
            transportErrors.sum(),
            violations.sum(),
            maxLatencyMillis.get(),
            slowestRequest,
            slowRequests.sum()));
    slow.forEach(s -> text.append("    ").append(s).append('\n'));
    return text.toString();
  }

  // --- the threads ---------------------------------------------------------------------------

  private void loop(Runnable operation) {
    while (running) {
      gate.readLock().lock();
      try {
        if (!running) {
          return;
        }
        operation.run();
      } catch (RuntimeException e) {
        // A bug in this test's own code must not go unnoticed either.
        fail("test thread " + Thread.currentThread().getName() + " threw " + e, violations);
      } finally {
        gate.readLock().unlock();
      }
      boolean writer = Thread.currentThread().getName().startsWith("e2e-writer");
      // Pacing, not synchronisation: a steady request rate that leaves CPU to the demo and the DB.
      pace(writer ? WRITER_PACE_MILLIS : READER_PACE_MILLIS);
    }
  }

  private void writeOnce(int writer) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    double dice = random.nextDouble();
    if (dice < 0.35) {
      create(writer);
    } else if (dice < 0.85) {
      update(writer, pickId(random));
    } else {
      delete(pickId(random));
    }
  }

  private void readOnce() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long id = pickId(random);
    if (random.nextInt(10) != 0 || !searchByEmail(id)) {
      read(id);
    }
  }

  /** Mostly seeded ids (the rows the backfill copies, racing it), else any id ever created. */
  private long pickId(ThreadLocalRandom random) {
    if (random.nextInt(10) < 7) {
      return seededIds[random.nextInt(seededIds.length)];
    }
    synchronized (ids) {
      return ids.get(random.nextInt(ids.size()));
    }
  }

  private void create(int writer) {
    CustomerRequest body = newValues(writer);
    StepCounts counts = current;
    int low = emailLow;
    Response response =
        send("POST /api/customers " + body, () -> client.post("/api/customers", body));
    int high = emailHigh;
    if (response == null || response.status() >= 500) {
      return; // counted; whether a row was created is unknown
    }
    if (response.status() != 201) {
      violation(
          "POST /api/customers " + body + " answered " + response.status() + " " + response.body());
      return;
    }
    long id = response.at("/id").asLong();
    if (id <= 0 || known.containsKey(id)) {
      violation("POST /api/customers answered id " + id + ", which is not new: " + response.body());
      return;
    }
    checkView("POST /api/customers -> " + id, response.json(), id, body, low, high, counts);
    known.put(id, new Known(body));
    synchronized (ids) {
      ids.add(id);
    }
    counts.creates.increment();
    acknowledgedWrites.incrementAndGet();
  }

  private void update(int writer, long id) {
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      Known k = known.get(id);
      CustomerRequest body = newValues(writer);
      StepCounts counts = current;
      String what = "PUT /api/customers/" + id + " " + body;
      int low = emailLow;
      Response response = send(what, () -> client.put("/api/customers/" + id, body));
      int high = emailHigh;
      if (response == null || response.status() >= 500) {
        k.uncertain = true;
        return;
      }
      if (response.status() == 200) {
        if (k.deleted && !k.uncertain) {
          violation(
              what
                  + " answered 200 for a customer deleted before: resurrected? "
                  + response.body());
        }
        checkView(what, response.json(), id, body, low, high, counts);
        k.last = body;
        k.deleted = false;
        k.uncertain = false;
      } else if (response.status() == 404) {
        if (!k.deleted && !k.uncertain) {
          violation(what + " answered 404 for a live customer (last write " + k.last + ")");
        }
        k.deleted = true;
        k.uncertain = false;
        counts.notFound.increment();
      } else {
        violation(what + " answered " + response.status() + " " + response.body());
        return;
      }
      counts.updates.increment();
      acknowledgedWrites.incrementAndGet();
    } finally {
      lock.unlock();
    }
  }

  private void delete(long id) {
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      Known k = known.get(id);
      StepCounts counts = current;
      String what = "DELETE /api/customers/" + id;
      Response response = send(what, () -> client.delete("/api/customers/" + id));
      if (response == null || response.status() >= 500) {
        k.uncertain = true;
        return;
      }
      if (response.status() == 204) {
        if (k.deleted && !k.uncertain) {
          violation(what + " answered 204 for a customer deleted before: resurrected?");
        }
      } else if (response.status() == 404) {
        if (!k.deleted && !k.uncertain) {
          violation(what + " answered 404 for a live customer (last write " + k.last + ")");
        }
        counts.notFound.increment();
      } else {
        violation(what + " answered " + response.status() + " " + response.body());
        return;
      }
      k.deleted = true;
      k.uncertain = false;
      counts.deletes.increment();
      acknowledgedWrites.incrementAndGet();
    } finally {
      lock.unlock();
    }
  }

  private void read(long id) {
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      Known k = known.get(id);
      StepCounts counts = current;
      String what = "GET /api/customers/" + id;
      int low = emailLow;
      Response response = send(what, () -> client.get("/api/customers/" + id));
      int high = emailHigh;
      if (response == null || response.status() >= 500) {
        return;
      }
      if (!k.uncertain) {
        if (k.deleted) {
          if (response.status() != 404) {
            violation(
                what
                    + " of a deleted customer answered "
                    + response.status()
                    + " "
                    + response.body());
            return;
          }
          counts.notFound.increment();
        } else if (response.status() != 200) {
          violation(
              what
                  + " answered "
                  + response.status()
                  + " "
                  + response.body()
                  + "; expected "
                  + k.last);
          return;
        } else {
          checkView(what, response.json(), id, k.last, low, high, counts);
        }
      }
      counts.reads.increment();
      acknowledgedReads.incrementAndGet();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The routed query: searching by the exact stored email finds the customer, whether the email
   * routes to the old or the new query. False, without a request, when there is nothing to search.
   */
  private boolean searchByEmail(long id) {
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      Known k = known.get(id);
      if (k.deleted || k.uncertain || k.last.email() == null) {
        return false;
      }
      StepCounts counts = current;
      String email = k.last.email();
      String what = "GET /api/customers?email='" + email + "' (customer " + id + ")";
      String query =
          "/api/customers?email="
              + URLEncoder.encode(email, StandardCharsets.UTF_8).replace("+", "%20");
      int low = emailLow;
      Response response = send(what, () -> client.get(query));
      int high = emailHigh;
      if (response == null || response.status() >= 500) {
        return true;
      }
      if (response.status() != 200 || response.json() == null || !response.json().isArray()) {
        violation(what + " answered " + response.status() + " " + response.body());
        return true;
      }
      JsonNode match = null;
      for (JsonNode found : response.json()) {
        if (found.path("id").asLong() == id) {
          match = found;
        }
      }
      if (match == null) {
        violation(what + " did not find it: " + response.body());
        return true;
      }
      checkView(what, match, id, k.last, low, high, counts);
      counts.searches.increment();
      acknowledgedReads.incrementAndGet();
      return true;
    } finally {
      lock.unlock();
    }
  }

  // --- checks -------------------------------------------------------------------------------

  /**
   * The customer as the service returned it equals the last acknowledged write: name and address
   * exactly, the email raw or normalized as the key's routing allows in [low, high].
   */
  private void checkView(
      String what,
      JsonNode view,
      long id,
      CustomerRequest expected,
      int low,
      int high,
      StepCounts counts) {
    List<String> wrong = new ArrayList<>();
    if (view == null) {
      violation(what + ": no JSON body");
      return;
    }
    if (view.path("id").asLong() != id) {
      wrong.add("id " + view.path("id"));
    }
    compare(wrong, "name", expected.name(), text(view, "name"));
    compare(wrong, "street", expected.street(), text(view, "street"));
    compare(wrong, "city", expected.city(), text(view, "city"));
    compare(wrong, "zip", expected.zip(), text(view, "zip"));
    String email = text(view, "email");
    if (expected.email() != null && !expected.email().equals(normalize(expected.email()))) {
      if (expected.email().equals(email)) {
        counts.rawEmails.increment();
      } else if (normalize(expected.email()).equals(email)) {
        counts.normalizedEmails.increment();
      }
    }
    if (!emailAllowed(id, expected.email(), email, low, high)) {
      wrong.add(
          String.format(
              Locale.ROOT,
              "email '%s' where the last write was '%s' and read-new of %s is between %d%% and"
                  + " %d%% (key reads new at %d%%: %b, at %d%%: %b)",
              email,
              expected.email(),
              EMAIL_MIGRATION,
              low,
              high,
              low,
              StickyPercentage.readsNew(EMAIL_MIGRATION, id, low),
              high,
              StickyPercentage.readsNew(EMAIL_MIGRATION, id, high)));
    }
    if (!wrong.isEmpty()) {
      violation(what + " returned a stale or wrong customer: " + wrong + "; body " + view);
    }
  }

  static boolean emailAllowed(long id, String written, String actual, int low, int high) {
    if (written == null) {
      return actual == null;
    }
    boolean mayReadOld = !StickyPercentage.readsNew(EMAIL_MIGRATION, id, low);
    boolean mayReadNew = StickyPercentage.readsNew(EMAIL_MIGRATION, id, high);
    return (mayReadOld && written.equals(actual))
        || (mayReadNew && normalize(written).equals(actual));
  }

  /** The Java twin of {@code lower(trim(email))} for the ASCII emails this test writes. */
  static String normalize(String email) {
    return email == null ? null : email.strip().toLowerCase(Locale.ROOT);
  }

  private static void compare(List<String> wrong, String field, String expected, String actual) {
    if (!Objects.equals(expected, actual)) {
      wrong.add(field + " '" + actual + "' instead of '" + expected + "'");
    }
  }

  private static String text(JsonNode view, String field) {
    JsonNode node = view.get(field);
    return node == null || node.isNull() ? null : node.asString();
  }

  // --- requests and failures ------------------------------------------------------------------

  private Response send(String what, java.util.function.Supplier<Response> request) {
    long started = System.nanoTime();
    requests.increment();
    Response response;
    try {
      response = request.get();
    } catch (UncheckedIOException | IllegalStateException e) {
      fail(what + " failed in transport (" + currentStep + "): " + e, transportErrors);
      return null;
    } finally {
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (millis > maxLatencyMillis.get()) {
        slowestRequest =
            what.substring(0, Math.min(what.length(), 40)) + "... in step '" + currentStep + "'";
      }
      maxLatencyMillis.accumulate(millis);
      if (millis > 1000) {
        slowRequests.increment();
        if (slow.size() < 10) {
          slow.add(
              millis
                  + " ms: "
                  + what.substring(0, Math.min(what.length(), 40))
                  + "... at "
                  + Instant.now()
                  + " in step '"
                  + currentStep
                  + "'");
        }
      }
    }
    if (response.status() >= 500) {
      fail(
          what + " answered " + response.status() + " (" + currentStep + "): " + response.body(),
          serverErrors);
    }
    return response;
  }

  private void violation(String message) {
    fail(message + " (step '" + currentStep + "')", violations);
  }

  private void fail(String message, LongAdder counter) {
    counter.increment();
    StepCounts counts = current;
    if (counts != null) {
      counts.failed.increment();
    }
    if (failures.size() < KEPT_FAILURES) {
      failures.add(Instant.now() + " " + message);
    }
    if (firstFailureSeen.compareAndSet(false, true)) {
      try {
        onFirstFailure.run();
      } catch (RuntimeException e) {
        failures.add("(diagnostics failed: " + e + ")");
      }
    }
  }

  private ReentrantLock stripe(long id) {
    return stripes[(int) Math.floorMod(id, (long) STRIPES)];
  }

  private static CustomerRequest newValues(int writer) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long n = random.nextLong(1, 1_000_000_000L);
    String tag = writer + "-" + n;
    // Mixed case and stray spaces, so raw and normalized always differ; sometimes no email.
    String email =
        random.nextInt(25) == 0
            ? null
            : " ".repeat(random.nextInt(3))
                + "W"
                + tag
                + ".Mixed@Example.COM"
                + " ".repeat(random.nextInt(3));
    return new CustomerRequest(
        "Writer " + tag, email, n % 997 + " Writer Street " + tag, "City " + writer, "Z" + tag);
  }

  private static void pace(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
