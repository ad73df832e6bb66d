package dev.expandcontract.core.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The native executor and the real pt-online-schema-change on MariaDB. */
class MariaDbOnlineDdlTest {

  private HikariDataSource dataSource;
  private final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeEach
  void createTable() throws Exception {
    dataSource = TestDatabase.MARIADB.create("online_ddl");
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, note VARCHAR(50))");
      s.execute("INSERT INTO orders (id, note) SELECT seq, CONCAT('n', seq) FROM seq_1_to_5000");
    }
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void nativeRunsInstantOrInplaceAndRefusesACopy() throws Exception {
    NativeDdlExecutor executor = new NativeDdlExecutor(DatabaseType.MYSQL, DdlSettings.DEFAULTS);
    try (Connection c = dataSource.getConnection()) {
      executor.execute(c, change("ALTER TABLE orders ADD COLUMN status VARCHAR(20) NULL"));
      executor.execute(c, change("CREATE INDEX orders_note ON orders (note)"));
      assertThatThrownBy(() -> executor.execute(c, change("ALTER TABLE orders MODIFY note INT")))
          .isInstanceOf(DdlRefusedException.class)
          .hasMessageContaining("can run neither ALGORITHM=INSTANT nor INPLACE, LOCK=NONE")
          .hasMessageContaining("executor=pt-osc");
      assertThat(columnType(c, "note")).isEqualTo("varchar");
      executor.execute(
          c,
          change(
              "-- expand-contract: executor=native copy=allowed\n"
                  + "ALTER TABLE orders MODIFY status VARCHAR(30) CHARACTER SET latin1"));
      assertThat(columnType(c, "status")).isEqualTo("varchar");
    }
  }

  @Test
  void ptOnlineSchemaChangeRewritesTheTableForReal() throws Exception {
    PtOnlineSchemaChangeExecutor pt =
        new PtOnlineSchemaChangeExecutor(
            "pt-online-schema-change",
            DatabaseType.MYSQL,
            ToolConnection.of(dataSource, "").orElseThrow(),
            DdlSettings.DEFAULTS,
            (executor, change, line) -> progress.add(line));
    try (Connection c = dataSource.getConnection()) {
      pt.execute(c, change("ALTER TABLE orders MODIFY note VARCHAR(80) CHARACTER SET latin1"));
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(5000);
      }
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT character_set_name, character_maximum_length FROM"
                      + " information_schema.columns WHERE table_schema = DATABASE() AND"
                      + " table_name = 'orders' AND column_name = 'note'")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("latin1");
        assertThat(rs.getInt(2)).isEqualTo(80);
      }
    }
    assertThat(progress).anyMatch(line -> line.startsWith("Successfully altered"));
  }

  private static DdlChange change(String sql) {
    return DdlChange.parse(sql).orElseThrow();
  }

  private static String columnType(Connection c, String column) throws Exception {
    try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), null, "orders", column)) {
      rs.next();
      return rs.getString("TYPE_NAME").toLowerCase();
    }
  }
}
