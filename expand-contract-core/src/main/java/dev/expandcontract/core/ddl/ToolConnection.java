package dev.expandcontract.core.ddl;

import java.net.URI;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Where an out-of-process tool connects: taken from the application's JDBC URL and user. The
 * password, if any, goes to the tool through its environment or its own option, never the log.
 *
 * @param host server host
 * @param port server port
 * @param database database (schema on MySQL/MariaDB)
 * @param user user name
 * @param password password, empty when none
 */
public record ToolConnection(String host, int port, String database, String user, String password) {

  public ToolConnection {
    password = password == null ? "" : password;
  }

  /**
   * Parses {@code jdbc:postgresql://host[:port]/db?…} or {@code
   * jdbc:mariadb|mysql://host[:port]/db}.
   *
   * @throws IllegalArgumentException for a URL the tools could not use (several hosts, no database)
   */
  public static ToolConnection fromJdbcUrl(String jdbcUrl, String user, String password) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
      throw new IllegalArgumentException("not a JDBC URL: " + jdbcUrl);
    }
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    int defaultPort = "postgresql".equals(uri.getScheme()) ? 5432 : 3306;
    String database = Optional.ofNullable(uri.getPath()).orElse("").replaceFirst("^/", "");
    if (uri.getHost() == null || database.isEmpty()) {
      throw new IllegalArgumentException(
          "an online schema change tool needs one host and a database in the JDBC URL: " + jdbcUrl);
    }
    return new ToolConnection(
        uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort(), database, user, password);
  }

  /** Where the data source connects, if it names one host and a database. */
  public static Optional<ToolConnection> of(DataSource dataSource, String password) {
    try (Connection connection = dataSource.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      return Optional.of(fromJdbcUrl(meta.getURL(), meta.getUserName(), password));
    } catch (SQLException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port + "/" + database;
  }
}
