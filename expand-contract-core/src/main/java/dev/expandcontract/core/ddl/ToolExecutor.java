package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An online schema change tool run as a process: builds its command line, reports the progress
 * lines it recognises, and refuses a database the tool does not serve.
 */
abstract class ToolExecutor implements DdlExecutor {

  final ToolConnection target;
  final DdlSettings settings;
  private final DatabaseType database;
  private final DatabaseType serves;
  private final DdlProgress progress;

  ToolExecutor(
      DatabaseType database,
      DatabaseType serves,
      ToolConnection target,
      DdlSettings settings,
      DdlProgress progress) {
    this.database = database;
    this.serves = serves;
    this.target = target;
    this.settings = settings;
    this.progress = progress;
  }

  /** The command line running the change (the password never appears in it). */
  abstract List<String> command(DdlChange change);

  /** The environment that carries the password, if any. */
  Map<String, String> environment() {
    return Map.of();
  }

  /** A progress report made from one output line of the tool, if the line is one. */
  abstract Optional<String> progress(String line);

  /** Why the tool cannot run here at all, whatever the change; empty when it can. */
  Optional<String> unusableHere() {
    return database == serves
        ? Optional.empty()
        : Optional.of(name() + " runs on " + serves + " only, this database is " + database);
  }

  @Override
  public void execute(Connection connection, DdlChange change) {
    Optional<String> unusable = unusableHere();
    if (unusable.isPresent()) {
      throw new DdlRefusedException(unusable.get(), change);
    }
    if (change.table().isEmpty()) {
      throw new DdlRefusedException(name() + " needs a table: " + change.firstLine(), change);
    }
    List<String> command = command(change);
    progress.report(name(), change, "started: " + String.join(" ", command));
    ToolProcess.run(
        name(),
        command,
        environment(),
        change,
        line -> progress(line).ifPresent(p -> progress.report(name(), change, p)));
    progress.report(name(), change, "done");
  }

  /** Whole seconds of the lock wait, at least one (the tools' smallest). */
  long lockWaitSeconds() {
    return Math.max(1, (settings.lockTimeout().toMillis() + 999) / 1000);
  }
}
