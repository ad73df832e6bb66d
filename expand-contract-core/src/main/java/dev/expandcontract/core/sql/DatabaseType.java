package dev.expandcontract.core.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** The databases with a dialect, detected from {@code DatabaseMetaData} or chosen by the user. */
public enum DatabaseType {
  POSTGRESQL(PostgresDialect::new),
  MYSQL(MySqlDialect::new),
  H2(H2Dialect::new);

  private final Supplier<SqlDialect> dialect;

  DatabaseType(Supplier<SqlDialect> dialect) {
    this.dialect = dialect;
  }

  public SqlDialect dialect() {
    return dialect.get();
  }

  public static DatabaseType detect(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection()) {
      return detect(connection.getMetaData().getDatabaseProductName());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the database product name", e);
    }
  }

  static DatabaseType detect(String productName) {
    String name = productName.toLowerCase(Locale.ROOT);
    if (name.contains("postgres")) {
      return POSTGRESQL;
    }
    if (name.contains("mysql") || name.contains("mariadb")) {
      return MYSQL;
    }
    if (name.contains("h2")) {
      return H2;
    }
    throw new IllegalStateException(
        "unsupported database '"
            + productName
            + "': expand-contract supports PostgreSQL, MySQL/MariaDB and H2");
  }
}
