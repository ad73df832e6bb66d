package dev.expandcontract.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.demo.DemoClient.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Every metric the Grafana dashboard queries is in the demo's {@code /actuator/prometheus}, for
 * both migrations, before any migration has done anything: a dashboard panel never shows "no data"
 * because a name drifted.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.datasource.url=jdbc:h2:mem:demo_dashboard;DB_CLOSE_DELAY=-1",
      "demo.seed-rows=500"
    })
class DashboardMetricsTest {

  static final Path DASHBOARD = Path.of("observability/grafana-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\bexpandcontract_[a-z0-9_]+");

  @LocalServerPort int port;

  @Value("${spring.security.user.name}")
  String user;

  @Value("${spring.security.user.password}")
  String password;

  @Autowired DemoSeeder seeder;
  DemoClient client;

  @BeforeEach
  void connect() throws InterruptedException {
    client = new DemoClient(port, user, password);
    assertThat(seeder.awaitSeeded(Duration.ofSeconds(30))).isTrue();
  }

  @Test
  void everyMetricTheDashboardQueriesIsScrapedForEveryMigration() throws Exception {
    Set<String> queried = metricNames(DemoClient.JSON.readTree(Files.readString(DASHBOARD)));
    // The issue's list: phase, progress, rows/s, ETA, batch p50/p99, batch size, errors,
    // mismatches, reads old/new, dual-write latency (and a few more).
    assertThat(queried).hasSizeGreaterThanOrEqualTo(15);

    Response scrape = client.getAsAdmin("/actuator/prometheus");
    assertThat(scrape.status()).isEqualTo(200);
    List<String> samples = scrape.body().lines().filter(l -> !l.startsWith("#")).toList();
    Set<String> scraped =
        samples.stream().map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toSet());

    assertThat(queried)
        .as("queried by the dashboard, missing in the scrape")
        .allSatisfy(name -> assertThat(scraped).contains(name));
    for (String migration : List.of("customer-email", "customer-address")) {
      for (String name : queried) {
        assertThat(samples)
            .as("%s for %s", name, migration)
            .anyMatch(
                l -> l.startsWith(name + "{") && l.contains("migration=\"" + migration + "\""));
      }
    }
  }

  @Test
  void theScrapeNeedsCredentials() {
    assertThat(client.get("/actuator/prometheus").status()).isEqualTo(401);
  }

  /** Metric names in every PromQL expression and variable query of the dashboard. */
  static Set<String> metricNames(JsonNode dashboard) {
    Set<String> names = new TreeSet<>();
    for (String key : List.of("expr", "query", "definition")) {
      for (JsonNode value : dashboard.findValues(key)) {
        String text = value.isString() ? value.asString() : value.toString();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
          names.add(m.group());
        }
      }
    }
    return names;
  }
}
