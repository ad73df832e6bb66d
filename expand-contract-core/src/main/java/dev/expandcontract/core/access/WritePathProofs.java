package dev.expandcontract.core.access;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.migration.ColumnMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The proofs, on a sample of the newest rows, that the write paths read-new and stop-old-writes
 * switch to produce the new schema's values. Each runs in one read-only REPEATABLE READ
 * transaction: its reads of the sample and their comparisons see one snapshot, so a dual write
 * committing between them is not a mismatch.
 */
public final class WritePathProofs {

  /** Rows on which the write paths are proven. */
  private static final int SAMPLE_ROWS = 100;

  private final DataSource dataSource;
  private final MigrationSql sql;

  public WritePathProofs(DataSource dataSource, MigrationSql sql) {
    this.dataSource = dataSource;
    this.sql = sql;
  }

  /**
   * Proves, before reads first come from new, that a value read from new can be handed to a field
   * typed for the old column: each mapping without a reverse must have a transform that maps the
   * newest rows' new values to themselves (the identity, {@code lower(trim(email))}), or a save
   * would write the new value to old and transform it again. Returns the problem, naming the
   * column; empty when there is none.
   */
  public Optional<String> oldFormReadProblem() {
    return inSnapshot(this::oldFormReadProblem);
  }

  private Optional<String> oldFormReadProblem(Connection connection) throws SQLException {
    List<ColumnMapping> columns = sql.migration().columns();
    Map<Object, List<Object>> sample = sample(connection, sql.sampleNew());
    for (int i = 0; i < columns.size(); i++) {
      ColumnMapping mapping = columns.get(i);
      if (mapping.reverseJavaTransform().isPresent() || mapping.reverseTransform().isPresent()) {
        continue;
      }
      List<Object> differing = new ArrayList<>();
      String problem = null;
      try {
        for (Map.Entry<Object, List<Object>> row : sample.entrySet()) {
          if (computedDiffers(connection, i, row.getValue(), row.getKey())) {
            differing.add(row.getKey());
          }
        }
      } catch (SQLException e) {
        problem = "cannot be evaluated on its own values (" + e.getMessage() + ")";
      }
      if (problem != null || !differing.isEmpty()) {
        return Optional.of(
            "new column '"
                + mapping.newColumn()
                + "' has no reverse, and its transform '"
                + mapping.transform()
                + "' "
                + (problem != null
                    ? problem
                    : "does not map its values to themselves (keys " + differing + ")")
                + ": an entity field typed for old column '"
                + mapping.oldColumn()
                + "' read from new could not be saved back; declare a reverse (reverseJava on the"
                + " bean, 'reverse' in configuration)");
      }
    }
    return Optional.empty();
  }

  /** Key and values of the sampled rows; the key comes first in the statement. */
  private Map<Object, List<Object>> sample(Connection connection, String statementSql)
      throws SQLException {
    Map<Object, List<Object>> sample = new LinkedHashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(statementSql)) {
      statement.setInt(1, SAMPLE_ROWS);
      KeyedRows.collect(statement, sql.keyType(), sql.migration().columns().size(), sample);
    }
    return sample;
  }

  /** Whether transform {@code i}, computed from these values, differs from the key's new value. */
  private boolean computedDiffers(Connection connection, int i, List<Object> values, Object key)
      throws SQLException {
    List<Object> params = new ArrayList<>(values);
    params.add(key);
    try (PreparedStatement statement =
            Jdbc.prepare(connection, sql.computedNewDiffers(i), params.toArray());
        ResultSet rs = statement.executeQuery()) {
      return rs.next() && rs.getInt(1) == 1;
    }
  }

  /**
   * Proves, before writes to the old schema stop, that new-only writes compute what the backfill
   * wrote: each mapping without a Java twin evaluates its SQL transform on values, not on a row, so
   * it must compile that way and agree with the new schema on the newest rows. Returns the problem,
   * naming the column; empty when there is none.
   */
  public Optional<String> newOnlyWriteProblem() {
    return inSnapshot(this::newOnlyWriteProblem);
  }

  private Optional<String> newOnlyWriteProblem(Connection connection) throws SQLException {
    List<ColumnMapping> columns = sql.migration().columns();
    Map<Object, List<Object>> sample = sample(connection, sql.sampleOld());
    List<Object> nulls = new ArrayList<>(Collections.nCopies(columns.size(), null));
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).javaTransform().isPresent()) {
        continue;
      }
      List<Object> differing = new ArrayList<>();
      try {
        // On NULLs too, so that it compiles and runs even when the table is empty.
        computedDiffers(connection, i, nulls, sql.keyType().sample());
        for (Map.Entry<Object, List<Object>> row : sample.entrySet()) {
          if (computedDiffers(connection, i, row.getValue(), row.getKey())) {
            differing.add(row.getKey());
          }
        }
      } catch (SQLException e) {
        return Optional.of(
            "new column '"
                + columns.get(i).newColumn()
                + "' has no Java twin, and its transform '"
                + columns.get(i).transform()
                + "' cannot compute it from the application's value (new-only writes evaluate"
                + " it on the migration's own columns, not on the row): "
                + e.getMessage());
      }
      if (!differing.isEmpty()) {
        return Optional.of(
            "new column '"
                + columns.get(i).newColumn()
                + "' has no Java twin, and its transform '"
                + columns.get(i).transform()
                + "' evaluated on the application's values differs from what the new schema holds"
                + " for keys "
                + differing
                + " (does it read columns the migration does not map?)");
      }
    }
    return Optional.empty();
  }

  private interface Proof {
    Optional<String> problem(Connection connection) throws SQLException;
  }

  private Optional<String> inSnapshot(Proof proof) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      int isolation = connection.getTransactionIsolation();
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        return proof.problem(connection);
      } finally {
        connection.rollback();
        connection.setTransactionIsolation(isolation);
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot check the write path of '" + sql.migration().id() + "': " + e.getMessage(), e);
    }
  }
}
