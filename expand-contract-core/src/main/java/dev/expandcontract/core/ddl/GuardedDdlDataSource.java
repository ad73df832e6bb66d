package dev.expandcontract.core.ddl;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A data source for a migration tool (Flyway): every DDL statement executed through its
 * connections' {@link Statement}s runs through the executor its directive names (by default the
 * native one, with short lock waits and retries) instead of as a plain statement. Other statements
 * pass through unchanged, and so does the DDL of the tool's own history table.
 */
public final class GuardedDdlDataSource {

  private GuardedDdlDataSource() {}

  /**
   * @param historyTable the migration tool's own table (Flyway's schema history): no application
   *     traffic uses it, and a default executor that only runs ALTER TABLE (a tool) would refuse
   *     its CREATE TABLE, so its DDL runs as written
   */
  public static DataSource wrap(
      DataSource dataSource, DdlExecutors executors, String historyTable) {
    return proxy(
        DataSource.class,
        dataSource,
        (method, args) -> {
          Object result = invoke(method, dataSource, args);
          return method.getName().equals("getConnection")
              ? connection((Connection) result, executors, historyTable)
              : result;
        });
  }

  private static Connection connection(
      Connection connection, DdlExecutors executors, String historyTable) {
    return proxy(
        Connection.class,
        connection,
        (method, args) -> {
          Object result = invoke(method, connection, args);
          return method.getName().equals("createStatement")
              ? statement((Statement) result, connection, executors, historyTable)
              : result;
        });
  }

  private static Statement statement(
      Statement statement, Connection connection, DdlExecutors executors, String historyTable) {
    return proxy(
        Statement.class,
        statement,
        (method, args) -> {
          Optional<DdlChange> change =
              isExecute(method)
                  ? DdlChange.parse((String) args[0])
                      .filter(c -> !c.table().equalsIgnoreCase(historyTable))
                  : Optional.empty();
          if (change.isEmpty()) {
            return invoke(method, statement, args);
          }
          try {
            executors.forChange(change.get()).execute(connection, change.get());
          } catch (DdlRefusedException | DdlFailedException e) {
            // Flyway reports SQL errors with the script and line: make these one of them.
            throw new SQLException(e.getMessage(), "42000", e);
          }
          return method.getName().equals("execute") ? Boolean.FALSE : executedUpdate(method);
        });
  }

  private static boolean isExecute(Method method) {
    return method.getName().startsWith("execute")
        && !method.getName().equals("executeQuery")
        && method.getParameterCount() >= 1
        && method.getParameterTypes()[0] == String.class;
  }

  private static Object executedUpdate(Method method) {
    return method.getReturnType() == long.class ? (Object) 0L : (Object) 0;
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @FunctionalInterface
  private interface Handler {
    Object handle(Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, T target, Handler handler) {
    InvocationHandler invocation =
        (proxy, method, args) -> {
          if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
            return invoke(method, target, args);
          }
          return handler.handle(method, args);
        };
    return type.cast(
        Proxy.newProxyInstance(
            GuardedDdlDataSource.class.getClassLoader(), new Class<?>[] {type}, invocation));
  }
}
