package dev.expandcontract.core.phase;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The phase / fleet protocol, model-checked exhaustively with spin ({@code
 * src/test/promela/expand_contract.pml}): no acknowledged write is lost in any interleaving, and
 * each defect the model can re-introduce is found. Needs the Debian package {@code spin} and gcc;
 * fails (never skips) without them.
 */
class ProtocolModelTest {

  private static final Path MODEL = Paths.get("src/test/promela/expand_contract.pml");

  @TempDir Path work;

  @Test
  void noAcknowledgedWriteIsLostInAnyInterleaving() throws Exception {
    String report = verify(null);

    assertThat(report).contains("errors: 0").doesNotContain("Search not completed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"RESYNC_RANGE_AT_ROLLBACK", "GUARD_BY_PHASE_ONLY", "CONTRACT_WITHOUT_CONTRACTING"})
  void aReintroducedDefectLosesAWriteInSomeInterleaving(String defect) throws Exception {
    String report = verify(defect);

    assertThat(report).contains("assertion violated").contains("errors: 1");
  }

  /** spin -a, gcc, ./pan in the temp dir; returns what pan printed. */
  private String verify(String defect) throws Exception {
    Path model = Files.copy(MODEL, work.resolve("expand_contract.pml"));
    List<String> spin = new ArrayList<>(List.of("spin", "-a"));
    if (defect != null) {
      spin.add("-D" + defect);
    }
    spin.add(model.getFileName().toString());
    run(spin);
    run(List.of("gcc", "-O2", "-w", "-DSAFETY", "-o", "pan", "pan.c"));
    String report = run(List.of("./pan", "-m1000000"));
    System.out.println((defect == null ? "model" : defect) + ":\n" + report);
    return report;
  }

  private String run(List<String> command) throws IOException, InterruptedException {
    Process process;
    try {
      process =
          new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          command.get(0)
              + " cannot be run ("
              + e.getMessage()
              + "): install the Debian packages spin and gcc (.ci/run does)",
          e);
    }
    String output;
    try (var out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    if (!command.get(0).equals("./pan")) {
      assertThat(process.exitValue()).as("%s exit code; output:%n%s", command, output).isZero();
    }
    return output;
  }
}
