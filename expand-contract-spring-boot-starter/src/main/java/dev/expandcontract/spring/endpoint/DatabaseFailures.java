package dev.expandcontract.spring.endpoint;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;

/** Tells a failure of the database (connection lost, timeout, server error) from a bug. */
final class DatabaseFailures {

  private DatabaseFailures() {}

  /** The database's own message when {@code failure} came from the database, else null. */
  static @Nullable String describe(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState() == null ? "" : " (SQLState " + sql.getSQLState() + ")";
        return "the database failed: " + sql.getMessage() + state;
      }
      if (t instanceof DataAccessException && t.getCause() == null) {
        return "the database failed: " + t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
