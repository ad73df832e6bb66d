package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Percona's {@code pt-online-schema-change} (Debian package {@code percona-toolkit}) for a
 * MySQL/MariaDB ALTER that copies the table: it copies in chunks while triggers keep the copy
 * current, then swaps the tables. Its metadata lock waits are as short as the settings' lock
 * timeout and retried as often as the settings' attempts; it backs off under load.
 */
public final class PtOnlineSchemaChangeExecutor extends ToolExecutor {

  public static final String NAME = "pt-osc";
  private static final Pattern COPYING =
      Pattern.compile("Copying `[^`]+`\\.`[^`]+`:\\s+(\\d+)% (\\S+) remain");

  private final String binary;

  public PtOnlineSchemaChangeExecutor(
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
    String tries = settings.maxAttempts() + ":" + settings.backoff().toMillis() / 1000.0;
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.add("--alter=" + change.alterClause(NAME));
    command.add("--execute");
    command.add(
        "--set-vars=lock_wait_timeout=" + lockWaitSeconds() + ",innodb_lock_wait_timeout=1");
    command.add(
        "--tries=create_triggers:"
            + tries
            + ",drop_triggers:"
            + tries
            + ",swap_tables:"
            + tries
            + ",update_foreign_keys:"
            + tries
            + ",copy_rows:"
            + tries);
    command.add("--chunk-time=0.5");
    command.add("--max-load=Threads_running=25");
    command.add("--critical-load=Threads_running=100");
    command.add("--progress=time,5");
    command.add(
        "D="
            + target.database()
            + ",t="
            + change.table()
            + ",h="
            + target.host()
            + ",P="
            + target.port()
            + ",u="
            + target.user());
    return command;
  }

  @Override
  Map<String, String> environment() {
    // libmysqlclient and the MariaDB connector behind DBD::mysql read the password from here.
    return target.password().isEmpty() ? Map.of() : Map.of("MYSQL_PWD", target.password());
  }

  @Override
  Optional<String> progress(String line) {
    Matcher copying = COPYING.matcher(line);
    if (copying.find()) {
      return Optional.of("copying " + copying.group(1) + "%, " + copying.group(2) + " remain");
    }
    if (line.startsWith("Successfully altered") || line.startsWith("Swapped original")) {
      return Optional.of(line.strip());
    }
    return Optional.empty();
  }
}
