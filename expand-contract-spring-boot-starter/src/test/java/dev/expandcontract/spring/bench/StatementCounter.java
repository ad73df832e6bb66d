package dev.expandcontract.spring.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/** Counts the SQL statements executed through a data source (each execute call, batches as one). */
final class StatementCounter extends DelegatingDataSource {

  private final AtomicLong executed = new AtomicLong();
  private volatile boolean trace;

  StatementCounter(DataSource target) {
    super(target);
  }

  long executed() {
    return executed.get();
  }

  /** Prints each statement's SQL while on (to see where a call's statements come from). */
  void trace(boolean on) {
    trace = on;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return counting(super.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return counting(super.getConnection(username, password));
  }

  private Connection counting(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (trace && method.getName().startsWith("prepare")) {
                System.out.println("  SQL: " + args[0]);
              }
              Object result = invoke(connection, method, args);
              return result instanceof Statement statement
                  ? countingStatement(statement, method.getReturnType())
                  : result;
            });
  }

  private Object countingStatement(Statement statement, Class<?> type) {
    return Proxy.newProxyInstance(
        getClass().getClassLoader(),
        new Class<?>[] {type},
        (proxy, method, args) -> {
          if (method.getName().startsWith("execute")) {
            executed.incrementAndGet();
          }
          return invoke(statement, method, args);
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
