package dev.expandcontract.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The committed benchmarks' quick mode: each main runs end to end on tiny tables of both real
 * databases and prints its table, so a change that breaks them fails the build instead of the next
 * measurement. Figures from these runs mean nothing; BENCHMARKS.md has the real commands.
 */
class BenchmarksStillRunTest {

  @Test
  void theBackfillBenchmarkRunsEveryPartAndChecksItsResults() throws Exception {
    String out =
        printed(
            () ->
                BackfillBenchmark.main(
                    new String[] {"--rows", "3000", "--trials", "1", "--sizes", "1000,2000"}));
    assertThat(out)
        .contains("=== POSTGRES", "=== MARIADB", "column migration", "table migration")
        .contains("scale and heap")
        .contains("engine/single");
  }

  @Test
  void theLoadBenchmarkRunsEveryChangeUnderItsOpenLoopLoad() throws Exception {
    String out =
        printed(
            () ->
                LoadBenchmark.main(
                    new String[] {
                      "--rows",
                      "3000",
                      "--rate",
                      "200",
                      "--tunings",
                      "target-batch-time=250ms",
                      "--baseline-seconds",
                      "1"
                    }));
    assertThat(out)
        .contains("no change (baseline)", "one UPDATE", "server-side keyset loop")
        .contains("library (shipped defaults)", "library target-batch-time=250ms")
        .contains("pt-online-schema-change (rebuild)");
  }

  private interface Run {
    void run() throws Exception;
  }

  private static String printed(Run main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      main.run();
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.print(out);
    return out;
  }
}
