package dev.expandcontract.spring.repository;

import dev.expandcontract.core.Backoff;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.spring.RoutedQuery;
import dev.expandcontract.spring.contract.ContractGate;
import jakarta.persistence.EntityManager;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.ReflectionUtils;

/**
 * Wraps one Spring Data repository whose entity has {@code @Migrated} fields. Saves and deletes are
 * followed, in the caller's transaction, by the core's dual write of the migrated columns; reads
 * fill the migrated fields from old or new as the flags route each key; a {@link RoutedQuery}
 * method runs its new-schema twin once the flag says so. The decisions are the core's ({@link
 * FlagRouter}); this class only calls it.
 */
final class MigrationRepositoryInterceptor implements MethodInterceptor {

  /** Spring Data's deletes whose keys are known; other deletes cannot be dual-written. */
  private static final Set<String> KEYED_DELETES =
      Set.of(
          "delete",
          "deleteById",
          "deleteAll",
          "deleteAllById",
          "deleteAllInBatch",
          "deleteAllByIdInBatch");

  private final EntityMigrations entity;
  private final Supplier<ExpandContract> expandContract;
  private final DataSource dataSource;
  private final EntityManager entityManager;
  private final TransactionTemplate transactions;
  private final ShadowReads shadowReads;
  private final ContractGate gate;
  private final SQLExceptionTranslator translator;

  MigrationRepositoryInterceptor(
      EntityMigrations entity,
      Supplier<ExpandContract> expandContract,
      DataSource dataSource,
      EntityManager entityManager,
      TransactionTemplate transactions,
      ShadowReads shadowReads,
      ContractGate gate) {
    this.entity = entity;
    this.expandContract = expandContract;
    this.dataSource = dataSource;
    this.entityManager = entityManager;
    this.transactions = transactions;
    this.shadowReads = shadowReads;
    this.gate = gate;
    this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
  }

  /** Attempts of a repository call this interceptor runs in its own transaction. */
  static final int ATTEMPTS = 3;

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    if (invocation.getMethod().getDeclaringClass() == Object.class) {
      return invocation.proceed();
    }
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      return inTransaction(invocation); // the caller's transaction: only the caller can retry it
    }
    Object[] args = invocation.getArguments();
    LockVictims.IdSnapshot ids =
        new LockVictims.IdSnapshot(
            entity.entityType(), args.length == 0 ? List.of() : entities(args[0]));
    for (int attempt = 1; ; attempt++) {
      try {
        return inTransaction(((ProxyMethodInvocation) invocation).invocableClone());
      } catch (RuntimeException e) {
        if (attempt == ATTEMPTS || !LockVictims.isVictim(e)) {
          throw e;
        }
        ids.restore(); // a rolled-back insert may have assigned an id
        Backoff.pause(Duration.ofMillis(40), attempt, Duration.ofSeconds(1), "a repository call");
      }
    }
  }

  private Object inTransaction(MethodInvocation invocation) throws Throwable {
    String name = invocation.getMethod().getName();
    try {
      // One transaction around the repository call and the dual write: the caller's, if any.
      return transactions.execute(
          status -> {
            gate.enterTransaction();
            try {
              if (name.startsWith("save")) {
                return save(invocation);
              }
              if (name.startsWith("delete")) {
                return delete(invocation);
              }
              return read(invocation);
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
    entityManager.flush(); // the row must exist before its migrated columns are written
    List<Object> saved = entities(result);
    if (given.size() == saved.size()) {
      // save() of a detached entity merges it and returns a managed copy, which JPA fills
      // without the @Transient migrated fields: carry the caller's values over first.
      for (int i = 0; i < saved.size(); i++) {
        if (given.get(i) != saved.get(i)) {
          entity.copy(given.get(i), saved.get(i));
        }
      }
    }
    withConnection(
        connection -> {
          for (Object e : saved) {
            Object key = key(e);
            for (String id : entity.migrationIds()) {
              MigrationState state = expandContract.get().state(id);
              boolean writeOld = expandContract.get().router().writeOld(state);
              expandContract.get().rows(id).write(connection, key, entity.values(id, e), writeOld);
            }
          }
        });
    return result;
  }

  private Object delete(MethodInvocation invocation) throws Throwable {
    Object[] args = invocation.getArguments();
    String name = invocation.getMethod().getName();
    if (!KEYED_DELETES.contains(name)) {
      // Refused before anything is deleted: nothing may be half-applied.
      throw new UnsupportedOperationException(
          name
              + " on an entity with @Migrated fields cannot be dual-written: load the entities"
              + " and delete them, or delete by id");
    }
    boolean everything = args.length == 0; // deleteAll(), deleteAllInBatch()
    List<Object> keys = new ArrayList<>();
    if (!everything) {
      for (Object candidate : flatten(args[0])) {
        keys.add(entity.entityType().isInstance(candidate) ? key(candidate) : candidate);
      }
    }
    Object result = invocation.proceed();
    entityManager.flush(); // the old rows go first, the order the backfill locks them in
    withConnection(
        connection -> {
          for (String id : entity.migrationIds()) {
            MigratedRows rows = expandContract.get().rows(id);
            if (everything) {
              rows.deleteAll(connection);
            }
            for (Object key : keys) {
              rows.delete(connection, key);
            }
          }
        });
    return result;
  }

  private Object read(MethodInvocation invocation) throws Throwable {
    RoutedQuery routed = invocation.getMethod().getAnnotation(RoutedQuery.class);
    Object result =
        routed != null && routesToNew(routed, invocation.getArguments())
            ? invokeNewQuery(invocation, routed)
            : invocation.proceed();
    List<Object> loaded = entities(result);
    if (!loaded.isEmpty()) {
      fill(loaded);
    }
    return result;
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

  /** Fills the migrated fields of loaded entities: per migration, per key, old or new. */
  private void fill(List<Object> loaded) throws SQLException {
    Map<Object, Object> byKey = new LinkedHashMap<>();
    for (Object e : loaded) {
      byKey.put(key(e), e);
    }
    withConnection(
        connection -> {
          for (String id : entity.migrationIds()) {
            MigrationState state = expandContract.get().state(id);
            FlagRouter router = expandContract.get().router();
            List<Object> fromNew = new ArrayList<>();
            List<Object> fromOld = new ArrayList<>();
            for (Object key : byKey.keySet()) {
              boolean readNew = router.readNew(state, key);
              (readNew ? fromNew : fromOld).add(key);
            }
            MigratedRows rows = expandContract.get().rows(id);
            assign(
                id,
                byKey,
                fromNew,
                fromNew.isEmpty() ? Map.of() : rows.readNew(connection, fromNew));
            assign(
                id,
                byKey,
                fromOld,
                fromOld.isEmpty() ? Map.of() : rows.readOld(connection, fromOld));
            record(id, fromNew.size(), fromOld.size());
            if (!fromOld.isEmpty() && router.shadowRead(state)) {
              shadowReads.compare(rows, fromOld);
            }
          }
        });
  }

  private void record(String id, int fromNew, int fromOld) {
    ExpandContractListener listener = expandContract.get().listener();
    for (int i = 0; i < fromNew; i++) {
      listener.readRouted(id, true);
    }
    for (int i = 0; i < fromOld; i++) {
      listener.readRouted(id, false);
    }
  }

  private void assign(
      String id, Map<Object, Object> byKey, List<Object> keys, Map<Object, List<Object>> values) {
    Map<String, List<Object>> byText = new LinkedHashMap<>();
    values.forEach((k, v) -> byText.put(String.valueOf(k), v));
    for (Object key : keys) {
      entity.set(id, byKey.get(key), byText.get(String.valueOf(key)));
    }
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
      if (entity.entityType().isInstance(candidate)) {
        found.add(candidate);
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
