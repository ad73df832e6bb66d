package dev.expandcontract.bench;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource that adds up the wall time of every JDBC call that talks to the database (statements
 * by their SQL, commits, pool check-out and return, session settings), so that the benchmark can
 * say where a backfill's time goes beyond its copy statements.
 */
final class TimingDataSource implements DataSource {

  private final DataSource target;
  private final Map<String, long[]> totals = new LinkedHashMap<>();

  TimingDataSource(DataSource target) {
    this.target = target;
  }

  /** Prints calls by total time, longest first: count, total ms, mean ms. */
  void print(String indent) {
    long all = 0;
    synchronized (totals) {
      for (long[] t : totals.values()) {
        all += t[1];
      }
      System.out.printf(
          Locale.ROOT, "%s%6s %9s %8s  %s%n", indent, "calls", "total ms", "mean ms", "JDBC call");
      totals.entrySet().stream()
          .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1]))
          .forEach(
              e ->
                  System.out.printf(
                      Locale.ROOT,
                      "%s%6d %9.1f %8.2f  %s%n",
                      indent,
                      e.getValue()[0],
                      e.getValue()[1] / 1e6,
                      e.getValue()[1] / 1e6 / e.getValue()[0],
                      e.getKey()));
    }
    System.out.printf(Locale.ROOT, "%s%6s %9.1f%n", indent, "", all / 1e6);
  }

  /** Forgets everything measured so far. */
  void reset() {
    synchronized (totals) {
      totals.clear();
    }
  }

  private void add(String what, long nanos) {
    synchronized (totals) {
      long[] t = totals.computeIfAbsent(what, k -> new long[2]);
      t[0]++;
      t[1] += nanos;
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    long started = System.nanoTime();
    Connection connection = target.getConnection();
    add("pool: getConnection", System.nanoTime() - started);
    return wrap(Connection.class, connection, new ConnectionHandler(connection));
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException();
  }

  private static <T> T wrap(Class<T> type, Object target, InvocationHandler handler) {
    return type.cast(
        Proxy.newProxyInstance(
            TimingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  static String label(String sql) {
    String oneLine = sql.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 90 ? oneLine : oneLine.substring(0, 87) + "...";
  }

  private final class ConnectionHandler implements InvocationHandler {
    private final Connection connection;

    ConnectionHandler(Connection connection) {
      this.connection = connection;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      long started = System.nanoTime();
      Object result = TimingDataSource.invoke(connection, method, args);
      long took = System.nanoTime() - started;
      switch (name) {
        case "prepareStatement" -> {
          String sql = label((String) args[0]);
          return wrap(PreparedStatement.class, result, new StatementHandler(result, sql));
        }
        case "createStatement" -> {
          return wrap(Statement.class, result, new StatementHandler(result, null));
        }
        case "commit",
            "rollback",
            "setAutoCommit",
            "setTransactionIsolation",
            "getTransactionIsolation" ->
            add("connection: " + name, took);
        case "close" -> add("pool: close (returns and resets the connection)", took);
        default -> {
          // metadata, catalog, ... : not on the backfill's path
        }
      }
      return result;
    }
  }

  private final class StatementHandler implements InvocationHandler {
    private final Object statement;
    private final String sql;

    StatementHandler(Object statement, String sql) {
      this.statement = statement;
      this.sql = sql;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (!name.startsWith("execute")) {
        return TimingDataSource.invoke(statement, method, args);
      }
      long started = System.nanoTime();
      Object result = TimingDataSource.invoke(statement, method, args);
      String what = args != null && args.length > 0 && args[0] instanceof String s ? label(s) : sql;
      add(what, System.nanoTime() - started);
      return result;
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return target.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return target.isWrapperFor(iface);
  }
}
