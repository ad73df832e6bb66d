package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's {@code gh-ost} for a MySQL/MariaDB ALTER that copies the table: a triggerless copy fed
 * by the binary log, cut over under a short lock. Untested against the real binary here (it is not
 * packaged for this machine): its command line and the parsing of its status lines are.
 */
public final class GhostExecutor extends ToolExecutor {

  public static final String NAME = "gh-ost";
  private static final Pattern STATUS =
      Pattern.compile("Copy: (\\d+)/(\\d+) ([\\d.]+)%.*?ETA: ([^\\s;,]+)");

  private final String binary;

  public GhostExecutor(
      String binary,
      DatabaseType database,
      ToolConnection target,
      DdlSettings settings,
      DdlProgress progress) {
    super(database, DatabaseType.MYSQL, target, settings, progress);
    this.binary = binary;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  List<String> command(DdlChange change) {
    return List.of(
        binary,
        "--host=" + target.host(),
        "--port=" + target.port(),
        "--user=" + target.user(),
        "--database=" + target.database(),
        "--table=" + change.table(),
        "--alter=" + change.alterClause(NAME),
        "--allow-on-master",
        "--chunk-size=1000",
        "--max-load=Threads_running=25",
        "--critical-load=Threads_running=100",
        "--cut-over-lock-timeout-seconds=" + lockWaitSeconds(),
        "--default-retries=" + settings.maxAttempts(),
        "--verbose",
        "--execute");
  }

  @Override
  Optional<String> progress(String line) {
    Matcher status = STATUS.matcher(line);
    if (status.find()) {
      return Optional.of(
          "copied "
              + status.group(1)
              + " of "
              + status.group(2)
              + " rows ("
              + status.group(3)
              + "%), ETA "
              + status.group(4));
    }
    return line.startsWith("# Done") ? Optional.of("done") : Optional.empty();
  }
}
