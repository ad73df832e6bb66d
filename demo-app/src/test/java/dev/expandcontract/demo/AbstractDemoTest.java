package dev.expandcontract.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.demo.DemoClient.Response;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;

/**
 * The demo on one database, over HTTP: the customer API, who may do what on the actuator, and both
 * migrations taken from EXPANDED to CONTRACTED with the API still answering. One ~20-line subclass
 * per database; a database that cannot be reached fails the build.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "demo.seed-rows=" + AbstractDemoTest.SEED_ROWS,
      "expand-contract.soak-time=1s",
      "expand-contract.refresh-interval=300ms"
    })
abstract class AbstractDemoTest {

  static final int SEED_ROWS = 3_000;
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  @LocalServerPort int port;

  @Value("${spring.security.user.name}")
  String user;

  @Value("${spring.security.user.password}")
  String password;

  @Autowired DemoSeeder seeder;
  @Autowired DataSource dataSource;
  DemoClient client;

  /** Creates a fresh database on the engine and points the demo at it. */
  static void useDatabase(DynamicPropertyRegistry registry, TestDatabase database, String name) {
    database.create(name).close();
    registry.add("spring.datasource.url", () -> database.jdbcUrl(name));
    registry.add("spring.datasource.username", database::username);
    registry.add("spring.datasource.password", database::password);
  }

  @BeforeEach
  void connect() throws InterruptedException {
    client = new DemoClient(port, user, password);
    assertThat(seeder.awaitSeeded(TIMEOUT)).as("seeded").isTrue();
  }

  @Test
  void seedsTheOldColumnsOnlyOnFirstStart() {
    JsonNode health = client.awaitSeeded(TIMEOUT);
    assertThat(health.at("/details/state").asString()).isEqualTo("DONE");
    assertThat(health.at("/details/rows").asLong()).isEqualTo(SEED_ROWS);
    assertThat(seeder.state()).isEqualTo(DemoSeeder.State.DONE);
  }

  @Test
  void servesTheCustomerApi() {
    Response created = client.post("/api/customers", customer("Ada", "  Ada@Example.COM "));
    assertThat(created.status()).isEqualTo(201);
    long id = created.at("/id").asLong();
    assertThat(id).isPositive();
    assertThat(created.at("/name").asString()).isEqualTo("Ada");
    assertThat(created.at("/city").asString()).isEqualTo("Oslo");

    Response read = client.get("/api/customers/" + id);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.at("/street").asString()).isEqualTo("1 Ada Street");
    assertThat(read.at("/zip").asString()).isEqualTo("0150");

    Response updated = client.put("/api/customers/" + id, customer("Ada L", "ada.l@example.org"));
    assertThat(updated.status()).isEqualTo(200);
    assertThat(client.get("/api/customers/" + id).at("/name").asString()).isEqualTo("Ada L");

    Response found = client.get("/api/customers?email=ada.l@example.org");
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().findValues("id")).extracting(JsonNode::asLong).contains(id);

    assertThat(client.delete("/api/customers/" + id).status()).isEqualTo(204);
    assertThat(client.get("/api/customers/" + id).status()).isEqualTo(404);
    assertThat(client.delete("/api/customers/" + id).status()).isEqualTo(404);
    assertThat(client.put("/api/customers/" + id, customer("X", "x@x")).status()).isEqualTo(404);
    assertThat(client.post("/api/customers", Map.of("email", "no-name@x")).status()).isEqualTo(400);
  }

  @Test
  void refusesBadInputWith400NamingTheField() {
    Map<String, String> longEmail =
        new HashMap<>(customer("Ada", "a".repeat(309) + "@example.com"));
    assertBadRequest(client.post("/api/customers", longEmail), "email");
    Map<String, String> longName = new HashMap<>(customer("N".repeat(250), "n@example.org"));
    assertBadRequest(client.post("/api/customers", longName), "name");
    Map<String, String> huge = new HashMap<>(customer("Big", "big@example.org"));
    huge.put("street", "s".repeat(100_000));
    assertBadRequest(client.post("/api/customers", huge), "street");
    Map<String, String> longZip = new HashMap<>(customer("Zed", "zed@example.org"));
    longZip.put("zip", "9".repeat(21));
    long id = client.post("/api/customers", customer("Ok", "ok@example.org")).at("/id").asLong();
    assertBadRequest(client.put("/api/customers/" + id, longZip), "zip");
    Response malformed = client.postRaw("/api/customers", "{\"name\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.at("/detail").asString()).contains("JSON");
    // Nothing was half-applied: the refused update left the customer as it was.
    assertThat(client.get("/api/customers/" + id).at("/zip").asString()).isEqualTo("0150");
  }

  private static void assertBadRequest(Response response, String field) {
    assertThat(response.status()).as(response.body()).isEqualTo(400);
    assertThat(response.at("/detail").asString()).as(response.body()).contains(field);
    assertThat(response.body()).doesNotContain("SQL").doesNotContain("Exception");
  }

  @Test
  void readsStatusWithoutCredentialsAndActsOnlyAsAdmin() {
    assertThat(client.get("/actuator/health").status()).isEqualTo(200);
    Response all = client.get("/actuator/expandcontract");
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.json().findValuesAsString("id")).contains("customer-email", "customer-address");
    assertThat(client.get("/actuator/expandcontract/customer-email").status()).isEqualTo(200);
    assertThat(client.get("/actuator/expandcontract/no-such-migration").status()).isEqualTo(404);

    assertThat(
            client
                .post("/actuator/expandcontract/customer-email", Map.of("action", "pause"))
                .status())
        .isEqualTo(401);
    assertThat(client.action("customer-email", "no-such-action").status()).isEqualTo(400);
    assertThat(client.get("/actuator/prometheus").status()).isEqualTo(401);
    assertThat(client.getAsAdmin("/actuator/prometheus").status()).isEqualTo(200);
  }

  @Test
  void takesBothMigrationsToContractedWhileTheApiServes() throws SQLException {
    long before =
        client.post("/api/customers", customer("Before", " Before@Example.COM")).at("/id").asLong();
    for (String migration : List.of("customer-email", "customer-address")) {
      assertThat(client.action(migration, "contract").status()).as("too early").isEqualTo(409);
      assertThat(client.action(migration, "start-backfill").status()).isEqualTo(200);
    }
    for (String migration : List.of("customer-email", "customer-address")) {
      JsonNode done = client.awaitPhase(migration, "BACKFILLED", TIMEOUT);
      assertThat(done.path("rowsDone").asLong()).isGreaterThanOrEqualTo(SEED_ROWS);
      Response verified = client.action(migration, "verify");
      assertThat(verified.status()).as(verified.body()).isEqualTo(200);
      assertThat(verified.at("/verification/mismatched").asLong()).isZero();
      for (int percent : new int[] {10, 50, 100}) {
        assertThat(client.readNew(migration, percent).status()).isEqualTo(200);
      }
    }
    // Reads come from the new schema now: the email is the normalized one.
    assertThat(client.get("/api/customers/" + before).at("/email").asString())
        .isEqualTo("before@example.com");

    // Statements the pooled connections have prepared before the old columns are dropped must
    // keep working after (PostgreSQL: "cached plan must not change result type").
    exerciseInsertsAndSearches();
    for (String migration : List.of("customer-email", "customer-address")) {
      Response stopped = client.actionWhenAllowed(migration, "stop-old-writes", TIMEOUT);
      assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
      Response contracted = client.actionWhenAllowed(migration, "contract", TIMEOUT);
      assertThat(contracted.status()).as(contracted.body()).isEqualTo(200);
      assertThat(contracted.at("/migration/phase").asString()).isEqualTo("CONTRACTED");
    }
    assertThat(columns("customers"))
        .doesNotContain("email", "street", "city", "zip")
        .contains("id", "name", "email_normalized");
    exerciseInsertsAndSearches();

    Response created = client.post("/api/customers", customer("After", "After@Example.COM "));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.at("/email").asString()).isEqualTo("after@example.com");
    long after = created.at("/id").asLong();
    assertThat(client.get("/api/customers/" + after).at("/zip").asString()).isEqualTo("0150");
    assertThat(client.get("/api/customers/" + before).at("/city").asString()).isEqualTo("Oslo");
    assertThat(client.get("/api/customers?email=AFTER@example.com").json().findValues("id"))
        .extracting(JsonNode::asLong)
        .containsExactly(after);
    assertThat(client.put("/api/customers/" + after, customer("After 2", "a2@x.org")).status())
        .isEqualTo(200);
    assertThat(client.delete("/api/customers/" + before).status()).isEqualTo(204);
    assertThat(client.get("/api/customers/1").status()).isEqualTo(200);
  }

  /** Enough creates and searches to run each statement on several pooled connections. */
  private void exerciseInsertsAndSearches() {
    for (int i = 0; i < 25; i++) {
      Response created =
          client.post("/api/customers", customer("Pool " + i, "Pool" + i + "@x.org"));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      Response found = client.get("/api/customers?email=pool" + i + "@x.org");
      assertThat(found.status()).as(found.body()).isEqualTo(200);
      Response read = client.get("/api/customers/" + created.at("/id").asLong());
      assertThat(read.status()).as(read.body()).isEqualTo(200);
    }
  }

  private static Map<String, String> customer(String name, String email) {
    return Map.of(
        "name",
        name,
        "email",
        email,
        "street",
        "1 " + name.split(" ")[0] + " Street",
        "city",
        "Oslo",
        "zip",
        "0150");
  }

  private List<String> columns(String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
        try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), null, name, null)) {
          while (rs.next()) {
            columns.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return columns;
  }
}
