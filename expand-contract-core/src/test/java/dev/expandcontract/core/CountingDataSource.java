package dev.expandcontract.core;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that counts the statements run through it, and can make the database slow ({@link
 * #hold}: connections wait until {@link #answer}) or unreachable ({@link #goDown}).
 */
final class CountingDataSource implements DataSource {

  private static final Set<String> STATEMENTS =
      Set.of("prepareStatement", "createStatement", "prepareCall");

  private final DataSource delegate;
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong connectionsAsked = new AtomicLong();
  private final AtomicReference<CountDownLatch> held = new AtomicReference<>();
  private final AtomicReference<PreparedHook> onPrepare = new AtomicReference<>();
  private volatile boolean down;

  CountingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  /** Statements prepared or created since the last {@link #reset}. */
  long statements() {
    return statements.get();
  }

  /** Connections asked for since the last {@link #reset}, held or refused ones included. */
  long connectionsAsked() {
    return connectionsAsked.get();
  }

  void reset() {
    statements.set(0);
    connectionsAsked.set(0);
  }

  /** Until {@link #answer}, asking for a connection waits (at most 30 s). */
  void hold() {
    held.set(new CountDownLatch(1));
  }

  void answer() {
    CountDownLatch latch = held.getAndSet(null);
    if (latch != null) {
      latch.countDown();
    }
  }

  /**
   * Runs {@code action} once, right before the first statement whose SQL starts with {@code
   * sqlPrefix} is prepared: another session's work lands at exactly that point of the library's.
   */
  void beforeFirstPrepare(String sqlPrefix, Runnable action) {
    onPrepare.set(new PreparedHook(sqlPrefix, action));
  }

  private record PreparedHook(String sqlPrefix, Runnable action) {}

  /** Until {@link #comeBack}, asking for a connection fails at once. */
  void goDown() {
    down = true;
  }

  void comeBack() {
    down = false;
  }

  @Override
  public Connection getConnection() throws SQLException {
    connectionsAsked.incrementAndGet();
    CountDownLatch latch = held.get();
    if (latch != null) {
      try {
        latch.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLTransientConnectionException("interrupted while the database was held");
      }
    }
    if (down) {
      throw new SQLTransientConnectionException("the database is unreachable (test)");
    }
    return counting(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("tests use the pool's credentials");
  }

  private Connection counting(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (STATEMENTS.contains(method.getName())) {
                statements.incrementAndGet();
                PreparedHook hook = onPrepare.get();
                if (hook != null
                    && args != null
                    && args[0] instanceof String sql
                    && sql.startsWith(hook.sqlPrefix())
                    && onPrepare.compareAndSet(hook, null)) {
                  hook.action().run();
                }
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
