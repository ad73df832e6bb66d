package dev.expandcontract.spring.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import dev.expandcontract.core.ExpandContract;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;

class BackfillSchedulerTests {

  /**
   * Lifecycles stop from the highest phase down: the heartbeat must be withdrawn only after the web
   * server stopped serving (its graceful shutdown included), and sent before it starts serving.
   */
  @Test
  void heartbeatsFromBeforeTheWebServerServesUntilAfterItStopped() {
    BackfillScheduler scheduler =
        new BackfillScheduler(
            mock(ExpandContract.class), Duration.ofSeconds(5), Duration.ofSeconds(1), false);

    assertThat(scheduler.getPhase())
        .isLessThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE)
        .isLessThan(webServerStartStopPhase());
  }

  private static int webServerStartStopPhase() {
    // The servlet web server starts and stops in this phase (WebServerStartStopLifecycle, package
    // private in Boot 4.0: its getPhase() answers SMART_LIFECYCLE_PHASE - 1024).
    return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1024;
  }
}
