package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.phase.Phase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code expandcontract} actuator endpoint over real HTTP: status for anyone, actions for the
 * operator role, and every answer of the control surface (200, 400, 401, 403, 404, 409). Flags live
 * in FF4j's JDBC store here, the default.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "expand-contract.flags.store=jdbc")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ActuatorEndpointTest extends ItSupport {

  private static final List<String> FIELDS =
      List.of(
          "id",
          "kind",
          "phase",
          "readPercent",
          "rowsDone",
          "rowsTotal",
          "rowsPerSecond",
          "etaSeconds",
          "lastError",
          "transitions",
          "safetyNet",
          "allowedActions");

  private final HttpClient http = HttpClient.newHttpClient();
  private final JsonMapper json = JsonMapper.builder().build();

  @LocalServerPort int port;

  @BeforeEach
  void someCustomers() {
    if (customers.count() == 0) {
      for (int i = 0; i < 25; i++) {
        customers.save(new Customer("c" + i, "C" + i + "@X.org", "S" + i, "City", "Z" + i));
      }
    }
  }

  @Test
  @Order(1)
  void statusIsPublic() throws Exception {
    Response list = get("/actuator/expandcontract");
    assertThat(list.status).isEqualTo(200);
    JsonNode migrations = list.body.get("migrations");
    assertThat(migrations).hasSize(2);
    for (JsonNode migration : migrations) {
      assertThat(names(migration)).containsAll(FIELDS);
    }
    assertThat(migrations.findValuesAsString("id")).containsExactlyInAnyOrder(EMAIL, ADDRESS);

    Response one = get("/actuator/expandcontract/" + ADDRESS);
    assertThat(one.status).isEqualTo(200);
    assertThat(names(one.body)).containsAll(FIELDS);
    assertThat(one.body.get("id").asString()).isEqualTo(ADDRESS);
    assertThat(one.body.get("kind").asString()).isEqualTo("table");
    assertThat(one.body.get("phase").asString()).isEqualTo("EXPANDED");
    assertThat(one.body.get("readPercent").asInt()).isZero();
    assertThat(one.body.get("safetyNet").asString()).isEqualTo("off");
    assertThat(one.body.get("allowedActions").findValuesAsString("action"))
        .containsExactly("start-backfill", "tune");
    assertThat(refusedBecause(one.body.get("allowedActions"), "start-backfill")).isNull();

    assertThat(get("/actuator/expandcontract/no-such-migration").status).isEqualTo(404);
  }

  @Test
  @Order(2)
  void actionsNeedTheOperatorRole() throws Exception {
    String body = "{\"action\": \"pause\"}";
    assertThat(post("/actuator/expandcontract/" + EMAIL, body, null).status).isEqualTo(401);
    assertThat(post("/actuator/expandcontract/" + EMAIL, body, "wrong-password").status)
        .isEqualTo(401);
    assertThat(
            post("/actuator/expandcontract/" + EMAIL, body, ItSecurityConfiguration.VIEWER).status)
        .isEqualTo(403);
    // The operator is let through; the guard then refuses: nothing to pause.
    assertThat(
            post("/actuator/expandcontract/" + EMAIL, body, ItSecurityConfiguration.OPERATOR)
                .status)
        .isEqualTo(409);
  }

  @Test
  @Order(3)
  void badRequestsAndRefusalsChangeNothing() throws Exception {
    JsonNode before = get("/actuator/expandcontract/" + EMAIL).body;
    assertThat(before.get("phase").asString()).isEqualTo("EXPANDED");

    Response unknownId =
        operator("/actuator/expandcontract/no-such-migration", "{\"action\": \"start-backfill\"}");
    assertThat(unknownId.status).isEqualTo(404);
    assertThat(unknownId.body.get("reason").asString()).contains("no-such-migration");

    Response unknownAction =
        operator("/actuator/expandcontract/" + EMAIL, "{\"action\": \"drop-everything\"}");
    assertThat(unknownAction.status).isEqualTo(400);
    assertThat(unknownAction.body.get("reason").asString()).contains("drop-everything");

    Response badPercent =
        operator(
            "/actuator/expandcontract/" + EMAIL, "{\"action\": \"read-new\", \"percent\": 150}");
    assertThat(badPercent.status).isEqualTo(400);
    assertThat(badPercent.body.get("reason").asString()).contains("150");

    Response noPercent =
        operator("/actuator/expandcontract/" + EMAIL, "{\"action\": \"read-new\"}");
    assertThat(noPercent.status).isEqualTo(400);

    Response tooEarly = operator("/actuator/expandcontract/" + EMAIL, "{\"action\": \"contract\"}");
    assertThat(tooEarly.status).isEqualTo(409);
    assertThat(tooEarly.body.get("reason").asString()).contains("NEW_ONLY").contains("EXPANDED");
    assertThat(tooEarly.body.get("migration").get("phase").asString()).isEqualTo("EXPANDED");

    Response readNewTooEarly =
        operator(
            "/actuator/expandcontract/" + EMAIL, "{\"action\": \"read-new\", \"percent\": 10}");
    assertThat(readNewTooEarly.status).isEqualTo(409);

    JsonNode after = get("/actuator/expandcontract/" + EMAIL).body;
    assertThat(after.get("phase")).isEqualTo(before.get("phase"));
    assertThat(after.get("readPercent")).isEqualTo(before.get("readPercent"));
    assertThat(after.get("transitions")).isEqualTo(before.get("transitions"));
    assertThat(stored(EMAIL).phase()).isEqualTo(Phase.EXPANDED);
    // The refusal did not touch the rows either: the column is still there.
    assertThat(jdbc.queryForObject("select count(email) from customers", Long.class))
        .isEqualTo(customers.count());
  }

  @Test
  @Order(3)
  void malformedActionsAreRefusedWithTheReason() throws Exception {
    String path = "/actuator/expandcontract/" + EMAIL;
    JsonNode before = get(path).body;
    Map<String, String> reasons = new LinkedHashMap<>();
    reasons.put("{\"action\": \"start-backfill\"", "malformed JSON");
    reasons.put("", "empty");
    reasons.put("{}", "'action'");
    reasons.put("[\"start-backfill\"]", "an array");
    reasons.put("{\"action\": null}", "'action' must be a string");
    reasons.put("{\"action\": \"read-new\", \"percent\": 12.5}", "fractional");
    reasons.put("{\"action\": \"read-new\", \"percent\": \"fifty\"}", "'percent'");
    reasons.put("{\"action\": \"read-new\", \"percent\": \"50\"}", "a string");
    reasons.put("{\"action\": \"pause\", \"action\": \"start-backfill\"}", "Duplicate");
    reasons.put("{\"action\": \"pause\", \"force\": true}", "unknown field 'force'");
    reasons.put("{\"action\": \"tune\"}", "tune needs 'settings'");
    reasons.put(
        "{\"action\": \"tune\", \"settings\": {\"max-batch-size\": 5}}",
        "'settings' must be a string");
    reasons.put(
        "{\"action\": \"tune\", \"settings\": \"max-batch-size\"}",
        "'max-batch-size' in 'settings' is not name=value");
    reasons.put(
        "{\"action\": \"tune\", \"settings\": \"max-batch-size=5, max-batch-size=6\"}",
        "'max-batch-size' is set twice");
    reasons.put(
        "{\"action\": \"tune\", \"settings\": \"nope=1\"}", "unknown backfill setting 'nope'");
    reasons.put(
        "{\"action\": \"tune\", \"settings\": \"target-batch-time=fast\"}",
        "target-batch-time must be a duration");
    reasons.put(
        "{\"action\": \"tune\", \"settings\": \"max-active-sessions=1000\"}",
        "criticalActiveSessions");
    for (Map.Entry<String, String> bad : reasons.entrySet()) {
      Response response = operator(path, bad.getKey());
      String shown = bad.getKey().length() > 60 ? bad.getKey().substring(0, 60) : bad.getKey();
      assertThat(response.status).as("%s -> %s", shown, response.body).isEqualTo(400);
      assertThat(response.body.get("reason").asString()).as(shown).contains(bad.getValue());
    }
    assertThat(get(path).body.get("transitions")).isEqualTo(before.get("transitions"));
  }

  @Test
  @Order(3)
  void aRepeatedActionThatChangesNothingRecordsNoTransition() throws Exception {
    String path = "/actuator/expandcontract/" + EMAIL;
    JsonNode before = get(path).body;
    Response rollback = operator(path, "{\"action\": \"rollback\"}");
    assertThat(rollback.status).isEqualTo(200);
    assertThat(rollback.body.get("migration").get("phase").asString()).isEqualTo("EXPANDED");
    assertThat(get(path).body.get("transitions")).isEqualTo(before.get("transitions"));
  }

  @Test
  @Order(3)
  void theOperatorTunesTheBackfillAndGetShowsTheSettingsInEffect() throws Exception {
    String path = "/actuator/expandcontract/" + EMAIL;
    int transitions = get(path).body.get("transitions").size();
    String tune =
        "{\"action\": \"tune\", \"settings\": \"target-batch-time=2s, max-active-sessions=4\"}";

    Response tuned = operator(path, tune);

    assertThat(tuned.status).as("%s", tuned.body).isEqualTo(200);
    JsonNode settings = tuned.body.get("migration").get("backfillSettings");
    assertThat(settings.get("target-batch-time").asString()).isEqualTo("2000ms");
    assertThat(settings.get("max-active-sessions").asString()).isEqualTo("4");
    assertThat(get(path).body.get("backfillSettings")).isEqualTo(settings);
    JsonNode history = get(path).body.get("transitions");
    assertThat(history.size()).isEqualTo(Math.min(10, transitions + 1));
    assertThat(history.findValuesAsString("reason"))
        .anyMatch(
            reason ->
                reason.startsWith("tune: target-batch-time=2000ms (was ")
                    && reason.contains("max-active-sessions=4 (was "));
    assertThat(history.findValuesAsString("actor")).contains(ItSecurityConfiguration.OPERATOR);

    Response again = operator(path, tune);
    assertThat(again.status).isEqualTo(200);
    assertThat(get(path).body.get("transitions")).as("nothing changed").isEqualTo(history);
  }

  @Test
  @Order(4)
  void theOperatorDrivesAMigration() throws Exception {
    String path = "/actuator/expandcontract/" + ADDRESS;
    Response started = operator(path, "{\"action\": \"start-backfill\"}");
    assertThat(started.status).isEqualTo(200);
    assertThat(started.body.get("migration").get("phase").asString())
        .isIn("BACKFILLING", "BACKFILLED");

    JsonNode backfilled =
        Poll.until(
            TIMEOUT,
            "the backfill over HTTP",
            () -> {
              try {
                return get(path).body;
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            },
            node -> node.get("phase").asString().equals("BACKFILLED"));
    long rows = customers.count();
    assertThat(backfilled.get("rowsDone").asLong()).isEqualTo(rows);
    assertThat(backfilled.get("rowsTotal").asLong()).isGreaterThanOrEqualTo(rows);
    assertThat(backfilled.get("etaSeconds").asLong()).isZero();
    assertThat(backfilled.get("lastError").isNull()).isTrue();
    assertThat(backfilled.get("transitions").findValuesAsString("to"))
        .contains("BACKFILLING", "BACKFILLED");

    // A script bypassing the application loses a row of new: verify refuses, repair re-copies it.
    jdbc.update(
        "delete from customer_addresses where customer_id = (select min(id) from customers)");
    Response drifted = operator(path, "{\"action\": \"verify\"}");
    assertThat(drifted.status).isEqualTo(409);
    assertThat(drifted.body.get("reason").asString()).contains("1 mismatches");
    Response repaired = operator(path, "{\"action\": \"repair\"}");
    assertThat(repaired.status).as("%s", repaired.body).isEqualTo(200);
    assertThat(repaired.body.get("verification").get("mismatched").asLong()).isZero();
    assertThat(repaired.body.get("migration").get("transitions").findValuesAsString("reason"))
        .anyMatch(reason -> reason.startsWith("repair: re-copied 1 key(s)"));

    Response verified = operator(path, "{\"action\": \"verify\"}");
    assertThat(verified.status).isEqualTo(200);
    assertThat(verified.body.get("migration").get("phase").asString()).isEqualTo("VERIFIED");
    JsonNode report = verified.body.get("verification");
    assertThat(report.get("rowsChecked").asLong()).isEqualTo(rows);
    assertThat(report.get("mismatched").asLong()).isZero();
    assertThat(report.get("extra").asLong()).isZero();

    Response ramped = operator(path, "{\"action\": \"read-new\", \"percent\": 10}");
    assertThat(ramped.status).isEqualTo(200);
    assertThat(ramped.body.get("migration").get("phase").asString()).isEqualTo("READ_NEW");
    assertThat(ramped.body.get("migration").get("readPercent").asInt()).isEqualTo(10);
    Response again = operator(path, "{\"action\": \"read-new\", \"percent\": 10}");
    assertThat(again.status).isEqualTo(200);
    assertThat(again.body.get("migration").get("transitions"))
        .isEqualTo(ramped.body.get("migration").get("transitions"));

    JsonNode allowed = ramped.body.get("migration").get("allowedActions");
    assertThat(allowed.findValuesAsString("action"))
        .containsExactly(
            "verify", "read-new", "stop-old-writes", "rollback", "compact", "repair", "tune");
    String foreseen = refusedBecause(allowed, "stop-old-writes");
    assertThat(foreseen).contains("100% from new first (now 10%)");
    assertThat(refusedBecause(allowed, "rollback")).isNull();
    Response notYet = operator(path, "{\"action\": \"stop-old-writes\"}");
    assertThat(notYet.status).isEqualTo(409);
    assertThat(notYet.body.get("reason").asString()).isEqualTo(foreseen);

    Response rolledBack = operator(path, "{\"action\": \"rollback\"}");
    assertThat(rolledBack.status).isEqualTo(200);
    assertThat(rolledBack.body.get("migration").get("phase").asString()).isEqualTo("EXPANDED");
    assertThat(get(path).body.get("readPercent").asInt()).isZero();
  }

  /** Last: it contracts customer-email, which the other tests expect still expanded. */
  @Test
  @Order(5)
  void theOperatorContractsOverHttp() throws Exception {
    String path = "/actuator/expandcontract/" + EMAIL;
    assertThat(operator(path, "{\"action\": \"start-backfill\"}").status).isEqualTo(200);
    awaitPhase(EMAIL, Phase.BACKFILLED);
    assertThat(operator(path, "{\"action\": \"verify\"}").status).isEqualTo(200);
    assertThat(operator(path, "{\"action\": \"read-new\", \"percent\": 100}").status)
        .isEqualTo(200);
    acknowledge(); // this instance acknowledges reads at 100% at once
    assertThat(operator(path, "{\"action\": \"stop-old-writes\"}").status).isEqualTo(200);
    acknowledge();

    Response contracted = operator(path, "{\"action\": \"contract\"}");
    assertThat(contracted.status).as("%s", contracted.body).isEqualTo(200);
    assertThat(contracted.body.get("migration").get("phase").asString()).isEqualTo("CONTRACTED");
    assertThat(
            jdbc.queryForList("select * from customers where id = (select min(id) from customers)")
                .get(0))
        .containsKey("email_normalized")
        .doesNotContainKey("email");

    Response refused = operator(path, "{\"action\": \"rollback\"}");
    assertThat(refused.status).isEqualTo(409);
    assertThat(refused.body.get("reason").asString()).contains("CONTRACTED is final");
    assertThat(customers.findAll())
        .extracting(Customer::getEmail)
        .allMatch(email -> email.equals(email.toLowerCase()));
  }

  /** The refusal {@code allowedActions} foresees for an action, null when none. */
  private static String refusedBecause(JsonNode allowedActions, String action) {
    for (JsonNode allowed : allowedActions) {
      if (allowed.get("action").asString().equals(action)) {
        JsonNode reason = allowed.get("refusedBecause");
        return reason.isNull() ? null : reason.asString();
      }
    }
    throw new AssertionError(action + " is not allowed: " + allowedActions);
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private record Response(int status, JsonNode body) {}

  private Response get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  private Response operator(String path, String body) throws IOException, InterruptedException {
    return post(path, body, ItSecurityConfiguration.OPERATOR);
  }

  private Response post(String path, String body, String user)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (user != null) {
      String credentials =
          user.equals("wrong-password")
              ? ItSecurityConfiguration.OPERATOR + ":nope"
              : user + ":" + ItSecurityConfiguration.PASSWORD;
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return send(request.build());
  }

  private Response send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    String body = response.body();
    return new Response(
        response.statusCode(),
        body == null || body.isBlank() ? json.nullNode() : json.readTree(body));
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  private static List<String> names(JsonNode node) {
    return List.copyOf(node.propertyNames());
  }
}
