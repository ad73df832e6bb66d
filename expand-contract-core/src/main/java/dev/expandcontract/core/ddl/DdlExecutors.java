package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The executors a change may name, and the one a change without a directive gets. An unknown name
 * refuses the change rather than running it some other way.
 */
public final class DdlExecutors {

  private final Map<String, DdlExecutor> byName = new LinkedHashMap<>();
  private final String defaultName;

  public DdlExecutors(List<DdlExecutor> executors, String defaultName) {
    executors.forEach(executor -> byName.put(executor.name(), executor));
    if (!byName.containsKey(defaultName)) {
      throw new IllegalArgumentException(
          "default DDL executor '" + defaultName + "' is not one of " + byName.keySet());
    }
    this.defaultName = defaultName;
  }

  /**
   * The native executor and, when the database can be reached by host and port, every tool; a tool
   * on the wrong database refuses the change when asked.
   *
   * @param target where the tools connect; empty when the JDBC URL names no single host (H2)
   */
  public static DdlExecutors standard(
      DatabaseType database,
      Optional<ToolConnection> target,
      DdlSettings settings,
      DdlWindow window,
      DdlProgress progress,
      ToolBinaries binaries,
      String defaultName) {
    List<DdlExecutor> executors = new ArrayList<>();
    executors.add(new NativeDdlExecutor(database, settings, window, progress));
    target.ifPresent(
        t -> {
          executors.add(
              new PtOnlineSchemaChangeExecutor(
                  binaries.ptOnlineSchemaChange(), database, t, settings, progress));
          executors.add(new GhostExecutor(binaries.ghost(), database, t, settings, progress));
          executors.add(
              new PgOscExecutor(binaries.pgOnlineSchemaChange(), database, t, settings, progress));
        });
    return new DdlExecutors(executors, defaultName);
  }

  /** The executor the change's directive names, else the default. */
  public DdlExecutor forChange(DdlChange change) {
    String name = change.executor().orElse(defaultName);
    DdlExecutor executor = byName.get(name);
    if (executor == null) {
      throw new DdlRefusedException(
          "unknown DDL executor '"
              + name
              + "' in the directive above "
              + change.firstLine()
              + "; known: "
              + byName.keySet(),
          change);
    }
    return executor;
  }
}
