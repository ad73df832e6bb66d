package dev.expandcontract.core.internal.store;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Each instance's heartbeat per migration: the state it acts on and the routing it applies. The
 * fleet-wide guards read them.
 */
public final class InstanceHeartbeats {

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final Clock clock;
  private final String instanceTable;

  InstanceHeartbeats(DataSource dataSource, SqlDialect dialect, Clock clock, String prefix) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.clock = clock;
    this.instanceTable = prefix + "instance";
  }

  /**
   * Records which state an instance acts on and the routing it applies for it; the fleet-wide
   * guards read these heartbeats.
   *
   * @param readPercentApplied the share of keys this instance reads from new
   * @param writesOldApplied whether this instance still writes the old schema
   */
  public void heartbeat(
      String instanceId, MigrationState seen, int readPercentApplied, boolean writesOldApplied) {
    try (Connection connection = dataSource.getConnection()) {
      Jdbc.update(
          connection,
          dialect.upsert(
              instanceTable,
              "instance_id, migration_id",
              List.of(
                  "instance_id",
                  "migration_id",
                  "phase_seen",
                  "version_seen",
                  "read_percent_applied",
                  "writes_old_applied",
                  "heartbeat_at"),
              "VALUES (?, ?, ?, ?, ?, ?, ?)"),
          instanceId,
          seen.id(),
          seen.phase().name(),
          seen.version(),
          readPercentApplied,
          writesOldApplied ? 1 : 0,
          clock.millis());
    } catch (SQLException e) {
      throw StateStore.failure("heartbeat of " + instanceId, e);
    }
  }

  /** Instances whose heartbeat is newer than {@code since}. */
  public List<InstanceView> liveInstances(String migrationId, Instant since) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
          connection,
          "SELECT instance_id, migration_id, phase_seen, version_seen, read_percent_applied,"
              + " writes_old_applied, heartbeat_at FROM "
              + instanceTable
              + " WHERE migration_id = ? AND heartbeat_at >= ? ORDER BY instance_id",
          rs ->
              new InstanceView(
                  rs.getString(1),
                  rs.getString(2),
                  Phase.valueOf(rs.getString(3)),
                  rs.getLong(4),
                  rs.getInt(5),
                  rs.getInt(6) == 1,
                  Instant.ofEpochMilli(rs.getLong(7))),
          migrationId,
          since.toEpochMilli());
    } catch (SQLException e) {
      throw StateStore.failure("load instances of " + migrationId, e);
    }
  }

  /**
   * The live instances (heartbeat within {@code instanceTimeout}) that have not yet acknowledged
   * {@code state} with the routing {@code ready} asks for; the fleet-wide guards wait for none.
   */
  public List<InstanceView> laggingInstances(
      MigrationState state, Duration instanceTimeout, Predicate<InstanceView> ready) {
    return liveInstances(state.id(), clock.instant().minus(instanceTimeout)).stream()
        .filter(instance -> !instance.acknowledged(state, ready))
        .toList();
  }

  /** Forgets an instance that shut down cleanly, so fleet-wide guards stop waiting for it. */
  public void leave(String instanceId) {
    try (Connection connection = dataSource.getConnection()) {
      Jdbc.update(
          connection, "DELETE FROM " + instanceTable + " WHERE instance_id = ?", instanceId);
    } catch (SQLException e) {
      throw StateStore.failure("remove instance " + instanceId, e);
    }
  }
}
