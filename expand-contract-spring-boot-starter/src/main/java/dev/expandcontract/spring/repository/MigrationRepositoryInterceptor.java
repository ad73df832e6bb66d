package dev.expandcontract.spring.repository;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.spring.RoutedQuery;
import dev.expandcontract.spring.contract.ContractGate;
import dev.expandcontract.spring.repository.RepositoryMethods.Kind;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.hibernate.Hibernate;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.support.JpaEntityInformation;
import org.springframework.data.jpa.repository.support.JpaEntityInformationSupport;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Wraps one Spring Data repository whose entity has {@code @Migrated} fields; what each of its
 * methods does was decided once ({@link RepositoryMethods}). Loads, inserts, changes and removals
 * of every kind are dual-written by Hibernate's events ({@link MigratedFieldsListener}) in the
 * caller's transaction; a save carries a detached entity's migrated values over to its managed copy
 * and flushes; a batch delete removes exactly the keys' new rows; a {@code @Modifying} query is
 * refused before it runs; a {@link RoutedQuery} method runs its new-schema twin once the flag says
 * so. The decisions are the core's ({@link FlagRouter}); this class only calls it.
 */
final class MigrationRepositoryInterceptor implements MethodInterceptor {

  /** Attempts of a repository call this interceptor runs in its own transaction. */
  static final int ATTEMPTS = 3;

  /**
   * Pause between those attempts: from 40 ms, doubling, at most 1 s, with jitter of about half of
   * each pause so that the parties of a deadlock do not collide again.
   */
  private static final ExponentialBackOff LOCK_VICTIM_BACK_OFF = lockVictimBackOff();

  /** Keys per JPQL delete when {@code deleteAllInBatch()} is taken apart key by key. */
  static final int DELETE_CHUNK = 500;

  private final Class<?> entityType;
  private final RepositoryMethods methods;
  private final MigratedEntities migrated;
  private final Supplier<ExpandContract> expandContract;
  private final DataSource dataSource;
  private final EntityManager entityManager;
  private final JpaEntityInformation<?, ?> entityInformation;
  private final TransactionTemplate transactions;
  private final ContractGate gate;
  private final SQLExceptionTranslator translator;

  MigrationRepositoryInterceptor(
      Class<?> entityType,
      RepositoryMethods methods,
      MigratedEntities migrated,
      Supplier<ExpandContract> expandContract,
      DataSource dataSource,
      EntityManager entityManager,
      TransactionTemplate transactions,
      ContractGate gate) {
    this.entityType = entityType;
    this.methods = methods;
    this.migrated = migrated;
    this.expandContract = expandContract;
    this.dataSource = dataSource;
    this.entityManager = entityManager;
    this.entityInformation =
        JpaEntityInformationSupport.getEntityInformation(entityType, entityManager);
    this.transactions = transactions;
    this.gate = gate;
    this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
  }

  /**
   * Resolved at use (and cached by {@link MigratedEntities}): the fields' types are judged against
   * the live schema, which an application started while the database was unreachable has not read
   * yet.
   */
  private EntityMigrations entity() {
    return migrated.of(entityType).orElseThrow();
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Method method = invocation.getMethod();
    if (method.getDeclaringClass() == Object.class) {
      return invocation.proceed();
    }
    Kind kind = methods.kind(method);
    if (kind == Kind.DEFAULT) {
      return invocation.proceed(); // the repository methods it calls come back through here
    }
    if (kind == Kind.MODIFYING) {
      throw refused(method); // before anything runs: nothing may be half-applied
    }
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      return inTransaction(invocation, kind); // the caller's transaction: only it can retry
    }
    Object[] args = invocation.getArguments();
    LockVictims.IdSnapshot ids =
        new LockVictims.IdSnapshot(entityType, args.length == 0 ? List.of() : entities(args[0]));
    BackOffExecution backOff = LOCK_VICTIM_BACK_OFF.start();
    for (int attempt = 1; ; attempt++) {
      try {
        return inTransaction(((ProxyMethodInvocation) invocation).invocableClone(), kind);
      } catch (RuntimeException e) {
        if (attempt == ATTEMPTS || !LockVictims.isVictim(e)) {
          throw e;
        }
        ids.restore(); // a rolled-back insert may have assigned an id
        pause(backOff.nextBackOff());
      }
    }
  }

  private static ExponentialBackOff lockVictimBackOff() {
    ExponentialBackOff backOff = new ExponentialBackOff(40, 2);
    backOff.setJitter(20);
    backOff.setMaxInterval(1000);
    return backOff;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a repository call", e);
    }
  }

  private UnsupportedOperationException refused(Method method) {
    return new UnsupportedOperationException(
        methods.describe(method)
            + " is a @Modifying query on "
            + entityType.getSimpleName()
            + ", whose @Migrated fields expand-contract cannot dual-write from a bulk statement"
            + " (old and new would drift): load the entities and save or delete them through the"
            + " repository instead");
  }

  private Object inTransaction(MethodInvocation invocation, Kind kind) throws Throwable {
    try {
      // One transaction around the repository call and the dual write: the caller's, if any.
      return transactions.execute(
          status -> {
            gate.enterTransaction();
            try {
              return switch (kind) {
                case SAVE -> save(invocation);
                case BATCH_DELETE_KEYS -> deleteKeys(invocation);
                case BATCH_DELETE_ALL -> deleteAllKeyByKey(invocation);
                case READ -> read(invocation);
                // Each removal reaches Hibernate's post-delete event, which removes the new row.
                case REMOVE, DEFAULT, MODIFYING -> invocation.proceed();
              };
            } catch (Throwable e) {
              throw new Wrapped(e);
            }
          });
    } catch (Wrapped e) {
      throw e.getCause();
    }
  }

  private Object save(MethodInvocation invocation) throws Throwable {
    Object[] args = invocation.getArguments();
    List<Object> given = args.length == 0 ? List.of() : entities(args[0]);
    Object result = invocation.proceed();
    List<Object> saved = entities(result);
    LoadedValues loaded = migrated.loaded(session());
    for (int i = 0; i < saved.size(); i++) {
      Object instance = saved.get(i);
      if (given.size() == saved.size() && given.get(i) != instance) {
        // save() of a detached entity merges it into a managed copy, which Hibernate loaded with
        // the database's migrated values: the caller's values replace them.
        entity().copy(given.get(i), instance);
      } else if (loaded.isHydratedUnfilled(instance)) {
        throw neverLoaded(instance);
      }
    }
    // Hibernate's events write the migrated fields in this flush: post-insert for a new row, the
    // flush-entity listener for changed ones (bumping @Version), so the write fails here if it
    // does.
    entityManager.flush();
    return result;
  }

  private IllegalStateException neverLoaded(Object instance) {
    return new IllegalStateException(
        entityType.getSimpleName()
            + " with key "
            + key(instance)
            + " is saved before its @Migrated fields were loaded; writing them would overwrite"
            + " old and new with values never read");
  }

  /** One JPQL delete of given entities or ids, then the new rows of exactly those keys. */
  private Object deleteKeys(MethodInvocation invocation) throws Throwable {
    List<Object> keys = new ArrayList<>();
    for (Object candidate : flatten(invocation.getArguments()[0])) {
      keys.add(entityType.isInstance(candidate) ? key(candidate) : candidate);
    }
    Object result = invocation.proceed();
    withConnection(connection -> migrated.deleteNew(connection, entity(), keys));
    return result;
  }

  /**
   * {@code deleteAllInBatch()} as JPQL deletes by key, up to the highest key when it was called:
   * the new rows deleted are exactly those of the old rows deleted, so a row a concurrent
   * transaction commits meanwhile keeps both, and the loop never chases a growing table.
   */
  @SuppressWarnings("unchecked")
  private Object deleteAllKeyByKey(MethodInvocation invocation) throws Throwable {
    if (!migrated.hasNewRows(entity())) {
      return invocation.proceed();
    }
    String id = entityInformation.getRequiredIdAttribute().getName();
    String from = " from " + entityInformation.getEntityName() + " e";
    Object upper = entityManager.createQuery("select max(e." + id + ")" + from).getSingleResult();
    JpaRepository<Object, Object> repository =
        (JpaRepository<Object, Object>) ((ProxyMethodInvocation) invocation).getProxy();
    Object after = null;
    while (upper != null) {
      String range =
          " where e." + id + " <= :upper" + (after == null ? "" : " and e." + id + " > :after");
      TypedQuery<Object> chunk =
          entityManager
              .createQuery("select e." + id + from + range + " order by e." + id, Object.class)
              .setParameter("upper", upper)
              .setMaxResults(DELETE_CHUNK);
      if (after != null) {
        chunk.setParameter("after", after);
      }
      List<Object> keys = chunk.getResultList();
      if (keys.isEmpty()) {
        break;
      }
      repository.deleteAllByIdInBatch(keys); // comes back through here: old rows, then new rows
      after = keys.get(keys.size() - 1);
    }
    return null;
  }

  private Object read(MethodInvocation invocation) throws Throwable {
    RoutedQuery routed = invocation.getMethod().getAnnotation(RoutedQuery.class);
    // The entities it loads are filled by the post-load listener, on every return type.
    return routed != null && routesToNew(routed, invocation.getArguments())
        ? invokeNewQuery(invocation, routed)
        : invocation.proceed();
  }

  private boolean routesToNew(RoutedQuery routed, Object[] args) {
    MigrationState state = expandContract.get().state(routed.migration());
    Object stickyKey = args.length == 0 ? "" : String.valueOf(args[0]);
    return expandContract.get().router().readNew(state, stickyKey);
  }

  private Object invokeNewQuery(MethodInvocation invocation, RoutedQuery routed) throws Throwable {
    Method method = invocation.getMethod();
    Method twin =
        ReflectionUtils.findMethod(
            method.getDeclaringClass(), routed.newQuery(), method.getParameterTypes());
    if (twin == null) {
      throw new IllegalStateException(
          "@RoutedQuery on "
              + method
              + " names "
              + routed.newQuery()
              + ", which has other parameters or does not exist");
    }
    Object proxy = ((ProxyMethodInvocation) invocation).getProxy();
    return ReflectionUtils.invokeMethod(twin, proxy, invocation.getArguments());
  }

  private Object key(Object e) {
    Object key = entityManager.getEntityManagerFactory().getPersistenceUnitUtil().getIdentifier(e);
    if (key == null) {
      throw new IllegalStateException("entity " + e + " has no id after it was saved");
    }
    return key;
  }

  private List<Object> entities(Object result) {
    List<Object> found = new ArrayList<>();
    for (Object candidate : flatten(result)) {
      if (entityType.isInstance(candidate)) {
        found.add(Hibernate.unproxy(candidate)); // a reference's fields are its target's
      }
    }
    return found;
  }

  private static Collection<Object> flatten(Object value) {
    List<Object> all = new ArrayList<>();
    if (value instanceof Optional<?> optional) {
      optional.ifPresent(all::add);
    } else if (value instanceof Iterable<?> iterable) {
      iterable.forEach(all::add);
    } else if (value != null) {
      all.add(value);
    }
    return all;
  }

  private SharedSessionContractImplementor session() {
    return entityManager.unwrap(SharedSessionContractImplementor.class);
  }

  private void withConnection(SqlWork work) throws SQLException {
    // The connection the JPA transaction holds, so the dual write commits or rolls back with it.
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      work.run(connection);
    } catch (SQLException e) {
      throw translator.translate("expand-contract dual write", null, e);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  @FunctionalInterface
  private interface SqlWork {
    void run(Connection connection) throws SQLException;
  }

  /** Carries a checked throwable through the transaction callback. */
  private static final class Wrapped extends RuntimeException {
    Wrapped(Throwable cause) {
      super(cause);
    }
  }
}
