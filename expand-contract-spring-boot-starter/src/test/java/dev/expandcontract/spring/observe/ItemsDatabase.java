package dev.expandcontract.spring.observe;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ThrottleSettings;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/** A tiny H2 table with one column migration, {@code items.email -> email_normalized}. */
public final class ItemsDatabase implements AutoCloseable {

  public static final String ID = "item-email";
  static final int ROWS = 50;
  static final int BATCH = 10;

  /** A fixed batch size (no adaptation) and no retries, so tests can count batches and errors. */
  static final BackfillSettings SETTINGS =
      new BackfillSettings(
          BATCH,
          BATCH,
          BATCH,
          Duration.ofMillis(500),
          Duration.ZERO,
          Duration.ofMillis(500),
          Duration.ofSeconds(10),
          0,
          Duration.ZERO,
          ThrottleSettings.DEFAULTS);

  public final HikariDataSource dataSource;
  public final ExpandContract expandContract;

  public ItemsDatabase(String databaseName, ExpandContractListener listener) {
    this(databaseName, listener, Clock.systemUTC());
  }

  public ItemsDatabase(String databaseName, ExpandContractListener listener, Clock clock) {
    dataSource = TestDatabase.H2.create(databaseName);
    execute(
        "CREATE TABLE items (id BIGINT PRIMARY KEY, email VARCHAR(200),"
            + " email_normalized VARCHAR(200))");
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement("INSERT INTO items (id, email) VALUES (?, ?)")) {
      for (int i = 1; i <= ROWS; i++) {
        insert.setLong(1, i);
        insert.setString(2, "  User" + i + "@Example.COM ");
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    expandContract =
        ExpandContract.builder(dataSource)
            .migration(
                Migration.column(ID)
                    .table("items")
                    .key("id")
                    .map("email")
                    .to("email_normalized")
                    .using("lower(trim(email))")
                    .usingJava(v -> v == null ? null : v.toString().trim().toLowerCase(Locale.ROOT))
                    .backfill(SETTINGS)
                    .build())
            .listener(listener)
            .clock(clock)
            .soakTime(Duration.ZERO)
            .build();
  }

  /** Runs batches until the backfill reports an outcome other than a copied batch. */
  BatchOutcome runBackfill() throws InterruptedException {
    for (int i = 0; i < 1_000; i++) {
      BatchOutcome outcome = expandContract.backfill().runBatch(ID);
      if (outcome != BatchOutcome.COPIED) {
        return outcome;
      }
    }
    throw new AssertionError("backfill did not end");
  }

  void execute(String sql) {
    try (Connection c = dataSource.getConnection();
        Statement statement = c.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
