package dev.expandcontract.core;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that injects faults and interleavings into the core's own JDBC calls.
 *
 * <ul>
 *   <li>{@link #crashAtNextCommit()}: the next commit "kills the process": it throws {@link
 *       SimulatedCrash} instead of committing, after the transaction did all its work, which is
 *       then rolled back, as the server does when a client dies mid-transaction.
 *   <li>{@link #holdStatements}: statements starting with a prefix wait at a barrier before they
 *       are prepared, so that racing threads all act on the state they read before any of them
 *       writes.
 *   <li>{@link #onceBeforeStatement}: the first statement starting with a prefix first hands its
 *       connection to a hook, e.g. one that kills the connection's session from another one.
 *   <li>{@link #goDown()}: the database becomes unreachable until {@link #comeBack()}: no new
 *       connection, and every call on an open one fails, as after a network partition.
 * </ul>
 */
final class FaultyDataSource implements DataSource {

  /** The process died; nothing after this point of the stack runs. */
  static final class SimulatedCrash extends Error {
    SimulatedCrash() {
      super("simulated crash before commit");
    }
  }

  private record Hold(String prefix, CyclicBarrier barrier) {}

  /** Acts on the connection a statement is about to run on. */
  @FunctionalInterface
  interface ConnectionHook {
    void run(Connection connection) throws Exception;
  }

  private record Hook(String prefix, ConnectionHook hook) {}

  private final AtomicReference<Hook> hook = new AtomicReference<>();
  private final AtomicBoolean down = new AtomicBoolean();

  private final DataSource delegate;
  private final AtomicBoolean crashAtNextCommit = new AtomicBoolean();
  private final AtomicReference<Hold> hold = new AtomicReference<>();

  FaultyDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  void crashAtNextCommit() {
    crashAtNextCommit.set(true);
  }

  /** Until {@link #release()}, statements starting with {@code prefix} wait at the barrier. */
  void holdStatements(String prefix, CyclicBarrier barrier) {
    hold.set(new Hold(prefix, barrier));
  }

  void release() {
    hold.set(null);
  }

  void onceBeforeStatement(String prefix, ConnectionHook action) {
    hook.set(new Hook(prefix, action));
  }

  void goDown() {
    down.set(true);
  }

  void comeBack() {
    down.set(false);
  }

  private void checkUp() throws SQLException {
    if (down.get()) {
      throw new SQLTransientConnectionException("simulated outage: database unreachable", "08001");
    }
  }

  private void maybeHook(String sql, Connection connection) throws Exception {
    Hook current = hook.get();
    if (current != null && sql.startsWith(current.prefix()) && hook.compareAndSet(current, null)) {
      current.hook().run(connection);
    }
  }

  /** Matches the statement itself, not the mark the backfill puts before it. */
  private static String withoutLeadingComment(String sql) {
    return sql.startsWith("/*") ? sql.substring(sql.indexOf("*/") + 2).stripLeading() : sql;
  }

  private void maybeHold(String sql) throws Exception {
    Hold current = hold.get();
    if (current != null && sql.startsWith(current.prefix())) {
      current.barrier().await(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    checkUp();
    return crashing(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    checkUp();
    return crashing(delegate.getConnection(username, password));
  }

  private Connection crashing(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("close")) {
                checkUp(); // closing returns it to the pool, which an outage does not prevent
              }
              if (method.getName().equals("commit") && crashAtNextCommit.getAndSet(false)) {
                throw new SimulatedCrash();
              }
              if (method.getName().equals("prepareStatement")) {
                String sql = withoutLeadingComment((String) args[0]);
                maybeHold(sql);
                maybeHook(sql, connection);
              }
              try {
                return method.invoke(connection, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    return delegate.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return delegate.isWrapperFor(type);
  }
}
