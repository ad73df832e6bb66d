package dev.expandcontract.core;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source whose next commit can be made to "kill the process": the commit throws {@link
 * SimulatedCrash} instead of committing, after the transaction did all its work. The transaction
 * is then rolled back, as the server does when a client dies mid-transaction.
 */
final class CrashingDataSource implements DataSource {

  /** The process died; nothing after this point of the stack runs. */
  static final class SimulatedCrash extends Error {
    SimulatedCrash() {
      super("simulated crash before commit");
    }
  }

  private final DataSource delegate;
  private final AtomicBoolean crashAtNextCommit = new AtomicBoolean();

  CrashingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  void crashAtNextCommit() {
    crashAtNextCommit.set(true);
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
