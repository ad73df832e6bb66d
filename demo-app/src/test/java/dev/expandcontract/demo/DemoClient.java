package dev.expandcontract.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives the demo over HTTP, as an operator or a test would: the customer API, the actuator, and
 * the migration actions with their waits. Plain {@link HttpClient}, so nothing Spring-specific
 * hides what goes over the wire.
 */
final class DemoClient {

  static final JsonMapper JSON = JsonMapper.builder().build();

  /** One HTTP exchange; {@code json} is null when the body is empty or not JSON. */
  record Response(int status, String body, JsonNode json) {
    JsonNode at(String pointer) {
      return json.at(pointer);
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String basicAuth;

  DemoClient(int port, String user, String password) {
    this.base = "http://localhost:" + port;
    this.basicAuth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), false);
  }

  Response getAsAdmin(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), true);
  }

  Response post(String path, Object body) {
    return send(json(path, body).POST(HttpRequest.BodyPublishers.ofString(write(body))), false);
  }

  Response postAsAdmin(String path, Object body) {
    return send(json(path, body).POST(HttpRequest.BodyPublishers.ofString(write(body))), true);
  }

  /** A POST whose body is sent exactly as given, e.g. malformed JSON. */
  Response postRaw(String path, String body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        false);
  }

  Response put(String path, Object body) {
    return send(json(path, body).PUT(HttpRequest.BodyPublishers.ofString(write(body))), false);
  }

  Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE(), false);
  }

  /** {@code POST /actuator/expandcontract/{id}} with {@code {"action": ...}}, as the admin. */
  Response action(String migration, String action) {
    return postAsAdmin("/actuator/expandcontract/" + migration, Map.of("action", action));
  }

  Response readNew(String migration, int percent) {
    return postAsAdmin(
        "/actuator/expandcontract/" + migration, Map.of("action", "read-new", "percent", percent));
  }

  /** Waits until the migration's status (GET, no credentials) satisfies the condition. */
  JsonNode awaitStatus(String migration, Predicate<JsonNode> condition, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    JsonNode status;
    do {
      status = get("/actuator/expandcontract/" + migration).json();
      if (condition.test(status)) {
        return status;
      }
      sleep(200);
    } while (Instant.now().isBefore(deadline));
    throw new AssertionError(
        "migration " + migration + " did not get there in " + timeout + "; last status: " + status);
  }

  JsonNode awaitPhase(String migration, String phase, Duration timeout) {
    return awaitStatus(migration, s -> phase.equals(s.path("phase").asString()), timeout);
  }

  /**
   * Repeats an action while a guard refuses it with 409 (e.g. stop-old-writes until every
   * instance's heartbeat acknowledged 100% reads, and the soak time passed).
   */
  Response actionWhenAllowed(String migration, String action, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Response response;
    do {
      response = action(migration, action);
      if (response.status() != 409) {
        return response;
      }
      sleep(250);
    } while (Instant.now().isBefore(deadline));
    return response;
  }

  /** Waits for {@code /actuator/health/demoSeed} to report the seed rows in (or skipped). */
  JsonNode awaitSeeded(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    JsonNode health;
    do {
      health = get("/actuator/health/demoSeed").json();
      String state = health.at("/details/state").asString();
      assertThat(state).as("seeding: %s", health).isNotEqualTo("FAILED");
      if (state.equals("DONE") || state.equals("SKIPPED")) {
        return health;
      }
      sleep(100);
    } while (Instant.now().isBefore(deadline));
    throw new AssertionError("seeding did not finish in " + timeout + ": " + health);
  }

  private HttpRequest.Builder json(String path, Object body) {
    return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json");
  }

  private Response send(HttpRequest.Builder request, boolean admin) {
    if (admin) {
      request.header("Authorization", basicAuth);
    }
    request.timeout(Duration.ofSeconds(60));
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      String body = response.body();
      JsonNode json = null;
      if (body != null && !body.isBlank() && (body.startsWith("{") || body.startsWith("["))) {
        json = JSON.readTree(body);
      }
      return new Response(response.statusCode(), body, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static String write(Object body) {
    return body instanceof String s ? s : JSON.writeValueAsString(body);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
