package dev.expandcontract.spring.repository;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.spring.Migrated;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.jpa.boot.spi.IntegratorProvider;
import org.springframework.util.ReflectionUtils;

/**
 * The entity types with {@code @Migrated} fields and what happens to those fields, shared by the
 * repository interceptor and the Hibernate listeners: filled on every load (per key from old or
 * new, as the core routes it), dual-written after a save, new rows removed after a delete. Every
 * call runs on the connection it is given, so inside the caller's transaction.
 */
public final class MigratedEntities {

  private final Supplier<ExpandContract> expandContract;
  private final Supplier<ShadowReads> shadowReads;
  private final Map<Class<?>, Optional<EntityMigrations>> byType = new ConcurrentHashMap<>();
  private final Map<SharedSessionContractImplementor, LoadedValues> bySession =
      Collections.synchronizedMap(new IdentityHashMap<>());

  public MigratedEntities(
      Supplier<ExpandContract> expandContract, Supplier<ShadowReads> shadowReads) {
    this.expandContract = expandContract;
    this.shadowReads = shadowReads;
  }

  /**
   * Hibernate's integration of the listeners that fill migrated fields on every load and remove new
   * rows on every delete; set as {@code hibernate.integrator_provider}, combined with one the
   * application set.
   */
  public IntegratorProvider hibernateIntegrator(Object applicationProvider) {
    IntegratorProvider ours = MigratedFieldsListener.integratorProvider(this);
    if (applicationProvider == null) {
      return ours;
    }
    if (!(applicationProvider instanceof IntegratorProvider theirs)) {
      throw new IllegalStateException(
          "hibernate.integrator_provider is set to "
              + applicationProvider
              + ": expand-contract can only combine its own with an IntegratorProvider instance");
    }
    return () -> {
      List<Integrator> all = new ArrayList<>(theirs.getIntegrators());
      all.addAll(ours.getIntegrators());
      return all;
    };
  }

  /** Whether the entity type has {@code @Migrated} fields: known before the database answers. */
  boolean hasMigratedFields(Class<?> type) {
    AtomicBoolean found = new AtomicBoolean();
    ReflectionUtils.doWithFields(
        type, field -> found.set(true), field -> field.isAnnotationPresent(Migrated.class));
    return found.get();
  }

  /** The migrated fields of an entity type; empty when it has none. */
  Optional<EntityMigrations> of(Class<?> type) {
    return byType.computeIfAbsent(type, t -> EntityMigrations.of(t, this::migration));
  }

  private Optional<MigratedRows> migration(String id) {
    ExpandContract core = expandContract.get();
    return core.migrations().stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .map(m -> core.rows(id));
  }

  /** What this session loaded and wrote of migrated fields; forgotten when the session ends. */
  LoadedValues loaded(SharedSessionContractImplementor session) {
    synchronized (bySession) {
      LoadedValues found = bySession.get(session);
      if (found == null) {
        LoadedValues created = new LoadedValues();
        bySession.put(session, created);
        session.getEventListenerManager().addListener(new ForgetOnEnd(bySession, session));
        found = created;
      }
      return found;
    }
  }

  /** The session detached every instance: what it recorded of them goes too. */
  void cleared(SharedSessionContractImplementor session) {
    LoadedValues found = bySession.get(session);
    if (found != null) {
      found.clear();
    }
  }

  /**
   * Fills the migrated fields of loaded entities (by key): per migration, per key, old or new. The
   * old values of migrations that read the same keys from the same row come from one statement.
   */
  void fill(Connection connection, EntityMigrations entity, Map<Object, Object> byKey)
      throws SQLException {
    ExpandContract core = expandContract.get();
    FlagRouter router = core.router();
    Map<String, List<Object>> readingOld = new LinkedHashMap<>();
    for (String id : entity.migrationIds()) {
      MigrationState state = core.state(id);
      List<Object> fromNew = new ArrayList<>();
      List<Object> fromOld = new ArrayList<>();
      for (Object key : byKey.keySet()) {
        (router.readNew(state, key) ? fromNew : fromOld).add(key);
      }
      MigratedRows rows = core.rows(id);
      assign(
          entity,
          id,
          byKey,
          fromNew,
          fromNew.isEmpty() ? Map.of() : rows.readNew(connection, fromNew, entity.form(id)));
      if (!fromOld.isEmpty()) {
        readingOld.put(id, fromOld);
      }
      record(core.listener(), id, fromNew.size(), fromOld.size());
      if (!fromOld.isEmpty() && router.shadowRead(state)) {
        shadowReads.get().compare(rows, fromOld);
      }
    }
    for (List<String> together : sharingOldReads(core, readingOld)) {
      List<Object> keys = readingOld.get(together.get(0));
      Map<String, Map<Object, List<Object>>> values =
          MigratedRows.readOld(
              connection,
              together.stream().map(core::rows).toList(),
              together.stream().map(entity::form).toList(),
              keys);
      together.forEach(id -> assign(entity, id, byKey, keys, values.get(id)));
    }
  }

  /** Groups the migrations that read the same keys from the same old row. */
  private static List<List<String>> sharingOldReads(
      ExpandContract core, Map<String, List<Object>> readingOld) {
    List<List<String>> groups = new ArrayList<>();
    for (Map.Entry<String, List<Object>> migration : readingOld.entrySet()) {
      MigratedRows rows = core.rows(migration.getKey());
      groups.stream()
          .filter(group -> readingOld.get(group.get(0)).equals(migration.getValue()))
          .filter(group -> core.rows(group.get(0)).sharesOldRowWith(rows))
          .findFirst()
          .ifPresentOrElse(
              group -> group.add(migration.getKey()),
              () -> groups.add(new ArrayList<>(List.of(migration.getKey()))));
    }
    return groups;
  }

  private static void assign(
      EntityMigrations entity,
      String id,
      Map<Object, Object> byKey,
      List<Object> keys,
      Map<Object, List<Object>> values) {
    Map<String, List<Object>> byText = new LinkedHashMap<>();
    values.forEach((k, v) -> byText.put(String.valueOf(k), v));
    for (Object key : keys) {
      entity.set(id, byKey.get(key), byText.get(String.valueOf(key)));
    }
  }

  private static void record(ExpandContractListener listener, String id, int fromNew, int fromOld) {
    for (int i = 0; i < fromNew; i++) {
      listener.readRouted(id, true);
    }
    for (int i = 0; i < fromOld; i++) {
      listener.readRouted(id, false);
    }
  }

  /** Dual-writes these migrations' fields of an entity after the application wrote its row. */
  void write(
      Connection connection,
      EntityMigrations entity,
      Collection<String> migrationIds,
      Object key,
      Object instance)
      throws SQLException {
    ExpandContract core = expandContract.get();
    for (String id : migrationIds) {
      boolean writeOld = core.router().writeOld(core.writableState(id));
      core.rows(id).write(connection, key, entity.values(id, instance), entity.form(id), writeOld);
    }
  }

  /** True when deleting the entity must delete rows of a new table too. */
  boolean hasNewRows(EntityMigrations entity) {
    ExpandContract core = expandContract.get();
    return entity.migrationIds().stream().anyMatch(id -> core.rows(id).hasNewRows());
  }

  /** Removes the new rows of exactly these keys, after the application deleted their old rows. */
  void deleteNew(Connection connection, EntityMigrations entity, Collection<?> keys)
      throws SQLException {
    ExpandContract core = expandContract.get();
    for (String id : entity.migrationIds()) {
      core.writableState(id);
      core.rows(id).delete(connection, keys);
    }
  }

  /** Drops a session's record when Hibernate closes it. */
  private record ForgetOnEnd(
      Map<SharedSessionContractImplementor, LoadedValues> bySession,
      SharedSessionContractImplementor session)
      implements org.hibernate.SessionEventListener {
    @Override
    public void end() {
      bySession.remove(session);
    }
  }
}
