package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.test.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The operator console in headless Chromium against the running test application: one migration
 * driven from start-backfill to VERIFIED through its buttons and confirmations, and a guard's
 * refusal shown with its reason. The screenshot is kept as {@code target/console-screenshot.png}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "expand-contract.console.enabled=true")
class OperatorConsolePostgresTest extends ItSupport {

  static final String CONSOLE = "/actuator/expandcontract-console";
  static final Path SCREENSHOT = Path.of("target", "console-screenshot.png");
  private static final int ROWS = 2000;
  private static final Duration UI_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.POSTGRES, "starter_console");
  }

  @BeforeEach
  void customers() {
    if (customers.count() == 0) {
      for (int i = 0; i < ROWS; i++) {
        customers.save(
            new Customer("c" + i, " C" + i + "@Example.org", "Street " + i, "City", "Z" + i));
      }
    }
  }

  @Test
  void servedOnlyToTheEndpointsWriteRole() throws Exception {
    assertThat(get(null).statusCode()).isEqualTo(401);
    assertThat(get(ItSecurityConfiguration.VIEWER).statusCode()).isEqualTo(403);

    HttpResponse<String> page = get(ItSecurityConfiguration.OPERATOR);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.body())
        .contains("<meta name=\"expandcontract-endpoint\" content=\"/actuator/expandcontract\">");
    String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    String nonce = policy.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
    assertThat(page.body()).contains("<script nonce=\"" + nonce + "\">").doesNotContain("{{");
  }

  @Test
  void drivesAMigrationToVerifiedThroughItsButtons() throws Exception {
    try (HeadlessChromium browser = HeadlessChromium.start()) {
      WebDriver driver = browser.driver();
      browser.authenticate(ItSecurityConfiguration.OPERATOR, ItSecurityConfiguration.PASSWORD);
      driver.get("http://localhost:" + port + CONSOLE);
      awaitPhase(browser, EMAIL, "EXPANDED");

      String started = act(browser, EMAIL, "start-backfill");
      assertThat(started).contains("Start the backfill of customer-email");
      awaitPhase(browser, EMAIL, "BACKFILLED");
      assertThat(text(browser, EMAIL, ".bar-label")).contains("2,000 of 2,000 rows (100.0%)");

      String verify = act(browser, EMAIL, "verify");
      assertThat(verify).contains("moves to VERIFIED");
      awaitPhase(browser, EMAIL, "VERIFIED");
      assertThat(stored(EMAIL).phase()).isEqualTo(Phase.VERIFIED);
      browser
          .await(UI_TIMEOUT)
          .until(d -> text(browser, EMAIL, ".outcome").contains("verify done"));
      assertThat(text(browser, EMAIL, ".outcome"))
          .contains("Verification checked 2,000 rows")
          .contains("0 mismatched");
      assertThat(text(browser, EMAIL, "[data-figure='verification']")).contains("0 mismatches");
      assertThat(text(browser, EMAIL, "details.history"))
          .contains("EXPANDED → BACKFILLING")
          .contains("BACKFILLING → BACKFILLED")
          .contains("BACKFILLED → VERIFIED");
      assertThat(buttons(browser, EMAIL)).contains("read-new", "verify", "rollback");

      // Another operator starts the address backfill while this one is still confirming.
      click(browser, ADDRESS, "start-backfill");
      expandContract.control().startBackfill(ADDRESS, "another-operator");
      confirm(browser);
      browser
          .await(UI_TIMEOUT)
          .until(d -> text(browser, ADDRESS, ".outcome.refused").startsWith("Refused:"));
      assertThat(text(browser, ADDRESS, ".outcome"))
          .contains("start-backfill is allowed in [EXPANDED]; phase is BACKFILL");
      awaitPhase(browser, ADDRESS, "BACKFILLED");

      browser.screenshot(SCREENSHOT);
    }
    assertThat(SCREENSHOT).isNotEmptyFile();
  }

  /** Clicks an action's button and confirms; returns what the confirmation said it would do. */
  private static String act(HeadlessChromium browser, String id, String action) {
    click(browser, id, action);
    return confirm(browser);
  }

  private static void click(HeadlessChromium browser, String id, String action) {
    browser
        .await(UI_TIMEOUT)
        .until(
            d -> {
              card(d, id)
                  .findElement(By.cssSelector("button[data-action='" + action + "']"))
                  .click();
              return true;
            });
  }

  private static String confirm(HeadlessChromium browser) {
    WebElement dialog =
        browser
            .await(UI_TIMEOUT)
            .until(
                d -> {
                  WebElement confirm = d.findElement(By.id("confirm"));
                  return confirm.getDomAttribute("open") != null ? confirm : null;
                });
    String consequence = dialog.findElement(By.id("confirm-text")).getText();
    dialog.findElement(By.id("confirm-ok")).click();
    return consequence;
  }

  private static void awaitPhase(HeadlessChromium browser, String id, String phase) {
    browser
        .await(UI_TIMEOUT)
        .until(
            d ->
                phase.equals(
                    card(d, id)
                        .findElement(By.cssSelector("[data-phase]"))
                        .getDomAttribute("data-phase")));
  }

  private static String text(HeadlessChromium browser, String id, String css) {
    return browser
        .await(UI_TIMEOUT)
        .until(d -> card(d, id).findElement(By.cssSelector(css)).getText());
  }

  private static List<String> buttons(HeadlessChromium browser, String id) {
    return browser
        .await(UI_TIMEOUT)
        .until(
            d ->
                card(d, id).findElements(By.cssSelector("button[data-action]")).stream()
                    .map(b -> b.getDomAttribute("data-action"))
                    .toList());
  }

  private static WebElement card(WebDriver driver, String id) {
    return driver.findElement(By.cssSelector("[data-migration='" + id + "']"));
  }

  private HttpResponse<String> get(String user) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + CONSOLE));
    if (user != null) {
      String credentials = user + ":" + ItSecurityConfiguration.PASSWORD;
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
