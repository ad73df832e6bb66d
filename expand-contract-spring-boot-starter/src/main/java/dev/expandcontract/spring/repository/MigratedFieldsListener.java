package dev.expandcontract.spring.repository;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hibernate.LockMode;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.Status;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.ClearEvent;
import org.hibernate.event.spi.ClearEventListener;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.FlushEntityEvent;
import org.hibernate.event.spi.FlushEntityEventListener;
import org.hibernate.event.spi.PostDeleteEvent;
import org.hibernate.event.spi.PostDeleteEventListener;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostLoadEvent;
import org.hibernate.event.spi.PostLoadEventListener;
import org.hibernate.event.spi.PreLoadEvent;
import org.hibernate.event.spi.PreLoadEventListener;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.jpa.boot.spi.IntegratorProvider;
import org.hibernate.persister.entity.EntityPersister;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;

/**
 * Hibernate's own events, which every way of loading or removing an entity goes through: a
 * repository method of any return type, {@code EntityManager.find}, JPQL and Criteria queries, lazy
 * associations and references. Post-load fills the migrated fields (all instances one query
 * hydrated with one read per migration); post-delete removes the new rows of a table migration.
 * Both run on the session's own connection, so inside its transaction.
 */
final class MigratedFieldsListener
    implements PreLoadEventListener,
        PostLoadEventListener,
        PostInsertEventListener,
        PostDeleteEventListener,
        FlushEntityEventListener,
        ClearEventListener {

  private static final String TASK = "expand-contract migrated fields";

  private final MigratedEntities entities;

  private MigratedFieldsListener(MigratedEntities entities) {
    this.entities = entities;
  }

  /** Registers the listeners when Hibernate builds the session factory. */
  static IntegratorProvider integratorProvider(MigratedEntities entities) {
    Integrator integrator =
        new Integrator() {
          @Override
          public void integrate(
              Metadata metadata,
              BootstrapContext bootstrapContext,
              SessionFactoryImplementor sessionFactory) {
            MigratedFieldsListener listener = new MigratedFieldsListener(entities);
            EventListenerRegistry registry = sessionFactory.getEventListenerRegistry();
            registry.appendListeners(EventType.PRE_LOAD, listener);
            // Before the JPA @PostLoad callbacks, so that they see the migrated fields filled.
            registry.prependListeners(EventType.POST_LOAD, listener);
            registry.appendListeners(EventType.POST_INSERT, listener);
            registry.appendListeners(EventType.POST_DELETE, listener);
            registry.appendListeners(EventType.FLUSH_ENTITY, listener);
            registry.appendListeners(EventType.CLEAR, listener);
          }
        };
    return () -> List.of(integrator);
  }

  @Override
  public void onPreLoad(PreLoadEvent event) {
    if (migrations(event.getPersister()).isPresent()) {
      entities.loaded(event.getSession()).hydrated(event.getEntity(), event.getId());
    }
  }

  @Override
  public void onPostLoad(PostLoadEvent event) {
    Optional<EntityMigrations> migrations = migrations(event.getPersister());
    if (migrations.isEmpty()) {
      return;
    }
    EntityMigrations entity = migrations.get();
    LoadedValues loaded = entities.loaded(event.getSession());
    Map<Object, Object> byKey =
        loaded.toFill(event.getEntity(), event.getId(), entity.entityType());
    if (byKey.isEmpty()) {
      return;
    }
    run(event.getSession(), connection -> entities.fill(connection, entity, byKey));
    byKey.values().forEach(instance -> loaded.remember(instance, entity.allValues(instance)));
  }

  /** A new row, however it was persisted: its migrated fields are written with it. */
  @Override
  public void onPostInsert(PostInsertEvent event) {
    Optional<EntityMigrations> migrations = migrations(event.getPersister());
    if (migrations.isEmpty()) {
      return;
    }
    EntityMigrations entity = migrations.get();
    Object instance = event.getEntity();
    SharedSessionContractImplementor session = event.getSession();
    session.getJdbcCoordinator().executeBatch(); // the old row first
    run(
        session,
        connection ->
            entities.write(connection, entity, entity.migrationIds(), event.getId(), instance));
    entities.loaded(session).remember(instance, entity.allValues(instance));
  }

  @Override
  public void onPostDelete(PostDeleteEvent event) {
    Optional<EntityMigrations> migrations = migrations(event.getPersister());
    if (migrations.isEmpty() || !entities.hasNewRows(migrations.get())) {
      return;
    }
    SharedSessionContractImplementor session = event.getSession();
    // A batched DELETE of the old row goes first: old before new, the order the backfill locks.
    session.getJdbcCoordinator().executeBatch();
    run(
        session,
        connection -> entities.deleteNew(connection, migrations.get(), List.of(event.getId())));
  }

  /**
   * A managed instance whose migrated fields changed since they were loaded or written, without a
   * repository save (JPA's dirty checking, e.g. a setter in a transactional service): dual-written
   * at flush, and its {@code @Version} bumped at commit, since Hibernate's own dirty check does not
   * see {@code @Transient} fields. A new instance is written by its save.
   */
  @Override
  public void onFlushEntity(FlushEntityEvent event) {
    EntityEntry entry = event.getEntityEntry();
    Optional<EntityMigrations> migrations = migrations(entry.getPersister());
    if (migrations.isEmpty() || entry.getStatus() != Status.MANAGED) {
      return;
    }
    EntityMigrations entity = migrations.get();
    Object instance = event.getEntity();
    LoadedValues loaded = entities.loaded(event.getSession());
    Map<String, List<Object>> values = entity.allValues(instance);
    List<String> changed =
        loaded.isRemembered(instance) ? loaded.changed(instance, values) : List.of();
    if (changed.isEmpty()) {
      return;
    }
    if (entry.getPersister().isVersioned()) {
      event.getSession().lock(instance, LockMode.OPTIMISTIC_FORCE_INCREMENT);
    }
    run(
        event.getSession(),
        connection -> entities.write(connection, entity, changed, entry.getId(), instance));
    loaded.remember(instance, values);
  }

  /** A session cleared to bound its memory (batch jobs) forgets its instances here too. */
  @Override
  public void onClear(ClearEvent event) {
    entities.cleared(event.getSession());
  }

  @Override
  public boolean requiresPostCommitHandling(EntityPersister persister) {
    return false;
  }

  private Optional<EntityMigrations> migrations(EntityPersister persister) {
    return entities.of(persister.getMappedClass());
  }

  private static void run(SharedSessionContractImplementor session, SqlWork work) {
    Connection connection =
        session.getJdbcCoordinator().getLogicalConnection().getPhysicalConnection();
    try {
      work.run(connection);
    } catch (SQLException e) {
      DataAccessException translated =
          new SQLStateSQLExceptionTranslator().translate(TASK, null, e);
      throw translated != null ? translated : new UncategorizedSQLException(TASK, null, e);
    }
  }

  @FunctionalInterface
  private interface SqlWork {
    void run(Connection connection) throws SQLException;
  }
}
