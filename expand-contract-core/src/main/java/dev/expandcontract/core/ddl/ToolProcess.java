package dev.expandcontract.core.ddl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an online schema change tool, every output line to the log and to a listener; fails closed:
 * a tool that is missing or exits non-zero makes the change fail, naming why.
 */
final class ToolProcess {

  private static final Logger log = LoggerFactory.getLogger(ToolProcess.class);
  private static final int KEPT_LINES = 15;

  private ToolProcess() {}

  static void run(
      String tool,
      List<String> command,
      Map<String, String> environment,
      DdlChange change,
      Consumer<String> lines) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new DdlRefusedException(
          tool
              + " could not be started ("
              + e.getMessage()
              + "): is it installed and on the PATH? The change did not run: "
              + change.firstLine(),
          change);
    }
    Deque<String> last = new ArrayDeque<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        log.info("{} [{}]: {}", tool, change.table(), line);
        lines.accept(line);
        if (last.size() == KEPT_LINES) {
          last.removeFirst();
        }
        last.addLast(line);
      }
      int exit = process.waitFor();
      if (exit != 0) {
        throw new DdlFailedException(
            tool
                + " exited with "
                + exit
                + " on '"
                + change.table()
                + "' ("
                + change.firstLine()
                + "); its last output:\n  "
                + String.join("\n  ", last));
      }
    } catch (IOException e) {
      process.destroy();
      throw new DdlFailedException(tool + " output could not be read: " + e.getMessage());
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new DdlFailedException(tool + " was interrupted on '" + change.table() + "'");
    }
  }
}
