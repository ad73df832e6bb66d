package dev.expandcontract.core;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
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

  private void maybeHold(String sql) throws Exception {
    Hold current = hold.get();
    if (current != null && sql.startsWith(current.prefix())) {
      current.barrier().await(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return crashing(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return crashing(delegate.getConnection(username, password));
  }

  private Connection crashing(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("commit") && crashAtNextCommit.getAndSet(false)) {
                throw new SimulatedCrash();
              }
              if (method.getName().equals("prepareStatement")) {
                maybeHold((String) args[0]);
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
