package dev.expandcontract.spring.ddl;

import dev.expandcontract.core.ddl.DdlExecutors;
import dev.expandcontract.core.ddl.DdlProgress;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.DdlWindow;
import dev.expandcontract.core.ddl.ToolBinaries;
import dev.expandcontract.core.ddl.ToolConnection;
import dev.expandcontract.core.sql.DatabaseType;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the starter's DDL paths share: where the tools are, where their progress goes, the password
 * they connect with (the data source's own), and the executor of statements without a directive,
 * overall and for each migration's contract scripts.
 *
 * @param migrationExecutors executor of each migration's contract statements without a directive,
 *     by migration id; a migration not in it gets {@code defaultExecutor}
 */
public record DdlTools(
    ToolBinaries binaries,
    DdlProgress progress,
    String password,
    String defaultExecutor,
    Map<String, String> migrationExecutors) {

  public static final DdlTools DEFAULTS =
      new DdlTools(ToolBinaries.ON_PATH, DdlProgress.NO_OP, "", "native", Map.of());

  public DdlTools {
    migrationExecutors = Map.copyOf(migrationExecutors);
  }

  /**
   * The executors for DDL on this data source, waiting for locks as the settings say.
   *
   * @throws IllegalStateException naming the property when the default executor cannot run here
   */
  public DdlExecutors executors(DataSource dataSource, DdlSettings settings, DdlWindow window) {
    try {
      return DdlExecutors.standard(
          DatabaseType.detect(dataSource),
          ToolConnection.of(dataSource, password),
          settings,
          window,
          progress,
          binaries,
          defaultExecutor);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "expand-contract.ddl.executor=" + defaultExecutor + ": " + e.getMessage());
    }
  }
}
