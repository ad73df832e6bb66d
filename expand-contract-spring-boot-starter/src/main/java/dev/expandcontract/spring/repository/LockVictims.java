package dev.expandcontract.spring.repository;

import jakarta.persistence.Id;
import java.lang.reflect.Field;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.util.ReflectionUtils;

/**
 * Recognises a transaction the database rolled back to break a deadlock or a lock wait — the other
 * party is often this library's own backfill batch or contract DDL (on MySQL/MariaDB an {@code
 * ALTER TABLE} makes any read-then-write transaction on the table a metadata-lock deadlock victim)
 * — and restores what the failed attempt changed on the caller's entities, so the repository call
 * can run again.
 */
final class LockVictims {

  /** Deadlock and lock-timeout states: SQL standard, PostgreSQL, MySQL/MariaDB, H2. */
  private static final Set<String> SQL_STATES = Set.of("40001", "40P01", "55P03", "HYT00");

  private static final Set<Integer> MYSQL_CODES = Set.of(1205, 1213);

  private LockVictims() {}

  static boolean isVictim(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql
          && (SQL_STATES.contains(sql.getSQLState()) || MYSQL_CODES.contains(sql.getErrorCode()))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** The ids of the given entities before an attempt; a failed insert may have set them. */
  static final class IdSnapshot {
    private final List<Object> entities;
    private final List<Object> ids = new ArrayList<>();
    private final Field idField;

    IdSnapshot(Class<?> entityType, List<Object> entities) {
      this.entities = entities;
      this.idField = idField(entityType);
      for (Object entity : entities) {
        ids.add(idField == null ? null : ReflectionUtils.getField(idField, entity));
      }
    }

    void restore() {
      if (idField == null) {
        return;
      }
      for (int i = 0; i < entities.size(); i++) {
        ReflectionUtils.setField(idField, entities.get(i), ids.get(i));
      }
    }

    private static Field idField(Class<?> type) {
      Field[] found = new Field[1];
      ReflectionUtils.doWithFields(
          type,
          field -> {
            ReflectionUtils.makeAccessible(field);
            found[0] = field;
          },
          field -> field.isAnnotationPresent(Id.class));
      return found[0];
    }
  }
}
