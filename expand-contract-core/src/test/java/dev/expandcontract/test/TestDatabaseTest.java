package dev.expandcontract.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestDatabaseTest {

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void createsADatabaseOnARealServer(TestDatabase database) throws SQLException {
    try (HikariDataSource dataSource = database.create("tdb_smoke");
        Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("select 1")) {
      assertThat(result.next()).isTrue();
      assertThat(result.getInt(1)).isEqualTo(1);
      assertThat(connection.getMetaData().getDatabaseProductVersion()).isNotBlank();
      assertThat(dataSource.getJdbcUrl()).isEqualTo(database.jdbcUrl("tdb_smoke"));
      assertThat(dataSource.getUsername()).isEqualTo(database.username());
      assertThat(dataSource.getMaximumPoolSize()).isEqualTo(12);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void createReplacesAnExistingDatabaseWithAnEmptyOne(TestDatabase database) throws SQLException {
    try (HikariDataSource dataSource = database.create("tdb_fresh");
        Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("create table leftover (id int primary key)");
    }
    try (HikariDataSource dataSource = database.create("tdb_fresh");
        Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("select count(*) from leftover"))
          .isInstanceOf(SQLException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TestDatabase.class,
      names = {"POSTGRES", "MARIADB"})
  void anUnreachableExplicitServerFailsNamingTheDatabaseAndTheUrl(TestDatabase database) {
    String variable = "EC_TEST_" + database.name() + "_URL";
    // Port 1 refuses connections at once.
    String url =
        database == TestDatabase.POSTGRES
            ? "jdbc:postgresql://127.0.0.1:1/postgres"
            : "jdbc:mariadb://127.0.0.1:1/";

    assertThatThrownBy(() -> DatabaseServers.locate(database, Map.of(variable, url)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(database.name())
        .hasMessageContaining(url)
        .hasMessageContaining(variable);
  }

  @Test
  void namesArePrefixedAndValidated() {
    assertThat(TestDatabase.qualifiedName("tdb_x", Map.of())).isEqualTo("ec_tdb_x");
    assertThat(TestDatabase.qualifiedName("tdb_x", Map.of("EC_TEST_DB_PREFIX", "run7_")))
        .isEqualTo("run7_tdb_x");
    assertThat(TestDatabase.qualifiedName("tdb_x", Map.of("EC_TEST_DB_PREFIX", "")))
        .isEqualTo("tdb_x");
    assertThatThrownBy(() -> TestDatabase.qualifiedName("tdb-x", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tdb-x");
    assertThatThrownBy(
            () -> TestDatabase.qualifiedName("tdb_x", Map.of("EC_TEST_DB_PREFIX", "Run-")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EC_TEST_DB_PREFIX");
  }

  @Test
  void jdbcUrlsKeepTheServerAndItsParameters() {
    assertThat(
            DatabaseServer.withDatabase(
                "jdbc:postgresql://localhost:32768/test?loggerLevel=OFF", "ec_a"))
        .isEqualTo("jdbc:postgresql://localhost:32768/ec_a?loggerLevel=OFF");
    assertThat(DatabaseServer.withDatabase("jdbc:mariadb://127.0.0.1:3306/", "ec_a"))
        .isEqualTo("jdbc:mariadb://127.0.0.1:3306/ec_a");
    assertThat(DatabaseServer.withDatabase("jdbc:mariadb://127.0.0.1:3306", "ec_a"))
        .isEqualTo("jdbc:mariadb://127.0.0.1:3306/ec_a");
    assertThat(DatabaseServer.withDatabase("jdbc:mariadb://db?sslMode=trust", "ec_a"))
        .isEqualTo("jdbc:mariadb://db/ec_a?sslMode=trust");
  }
}
