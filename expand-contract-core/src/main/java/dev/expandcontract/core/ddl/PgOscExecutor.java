package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shopify's {@code pg-online-schema-change} (pg-osc) for a PostgreSQL ALTER that rewrites the
 * table: a shadow table kept current by a trigger, swapped under a short lock. Untested against the
 * real tool here (it is not packaged for this machine): its command line and the parsing of its
 * JSON log lines are.
 */
public final class PgOscExecutor extends ToolExecutor {

  public static final String NAME = "pg-osc";
  private static final Pattern MESSAGE =
      Pattern.compile("\"msg\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String binary;

  public PgOscExecutor(
      String binary,
      DatabaseType database,
      ToolConnection target,
      DdlSettings settings,
      DdlProgress progress) {
    super(database, DatabaseType.POSTGRESQL, target, settings, progress);
    this.binary = binary;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  List<String> command(DdlChange change) {
    change.alterClause(NAME); // refuses anything but an ALTER TABLE
    return List.of(
        binary,
        "perform",
        "--alter-statement=" + change.statement(),
        "--dbname=" + target.database(),
        "--host=" + target.host(),
        "--port=" + target.port(),
        "--username=" + target.user(),
        "--wait-time-for-lock=" + lockWaitSeconds(),
        "--drop");
  }

  @Override
  Map<String, String> environment() {
    return target.password().isEmpty() ? Map.of() : Map.of("PGPASSWORD", target.password());
  }

  @Override
  Optional<String> progress(String line) {
    Matcher message = MESSAGE.matcher(line);
    return message.find() ? Optional.of(message.group(1).replace("\\\"", "\"")) : Optional.empty();
  }
}
