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

  /** The names {@link #standard} knows, whether or not each tool can serve a given database. */
  public static final List<String> STANDARD_NAMES =
      List.of(
          NativeDdlExecutor.NAME,
          PtOnlineSchemaChangeExecutor.NAME,
          GhostExecutor.NAME,
          PgOscExecutor.NAME);

  private final Map<String, DdlExecutor> byName;
  private final String defaultName;

  /**
   * @throws IllegalArgumentException when the default is not among the executors, or is a tool that
   *     cannot serve this database: every statement without a directive would be refused
   */
  public DdlExecutors(List<DdlExecutor> executors, String defaultName) {
    this(byName(executors), defaultName);
  }

  private DdlExecutors(Map<String, DdlExecutor> byName, String defaultName) {
    DdlExecutor chosen = byName.get(defaultName);
    if (chosen == null) {
      throw new IllegalArgumentException(
          "default DDL executor '" + defaultName + "' is not one of " + byName.keySet());
    }
    if (chosen instanceof ToolExecutor tool && tool.unusableHere().isPresent()) {
      throw new IllegalArgumentException(
          "default DDL executor '" + defaultName + "': " + tool.unusableHere().get());
    }
    this.byName = byName;
    this.defaultName = defaultName;
  }

  private static Map<String, DdlExecutor> byName(List<DdlExecutor> executors) {
    Map<String, DdlExecutor> byName = new LinkedHashMap<>();
    executors.forEach(executor -> byName.put(executor.name(), executor));
    return byName;
  }

  /**
   * The same executors with another default, e.g. the one configured for one migration's DDL.
   *
   * @throws IllegalArgumentException as the constructor does
   */
  public DdlExecutors withDefault(String name) {
    return new DdlExecutors(byName, name);
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
