package dev.expandcontract.core.ddl;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs one DDL change for one table without locking the table for longer than a short lock wait:
 * the database's own online forms ({@link NativeDdlExecutor}) or an online schema change tool. An
 * executor that cannot run a change safely refuses it ({@link DdlRefusedException}); it never falls
 * back to a blocking form on its own.
 */
public interface DdlExecutor {

  /** The name a directive or property chooses this executor by, e.g. {@code pt-osc}. */
  String name();

  /**
   * Runs the change.
   *
   * @param connection the connection the change would otherwise have run on (a Flyway migration's);
   *     out-of-process tools leave it untouched
   * @throws DdlRefusedException when the change cannot run safely here; nothing ran
   * @throws SQLException when the database rejected the change, or its lock waits never succeeded
   */
  void execute(Connection connection, DdlChange change) throws SQLException;
}
