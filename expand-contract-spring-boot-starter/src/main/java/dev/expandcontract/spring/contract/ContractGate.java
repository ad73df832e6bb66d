package dev.expandcontract.spring.contract;

import dev.expandcontract.core.ddl.DdlWindow;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Lets a contract DDL find a moment when none of this instance's repository transactions holds the
 * table: each transaction that goes through a migrating repository is inside the gate until it
 * completes, and a DDL attempt closes the gate, waits briefly for those inside to finish, runs, and
 * opens it again. Without it, a DDL that may not wait for its lock (MySQL/MariaDB) rarely finds
 * such a moment under steady traffic.
 */
public final class ContractGate implements DdlWindow {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** Enters for the current transaction; leaves when it completes. Needs an active transaction. */
  public void enterTransaction() {
    lock.readLock().lock();
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void afterCompletion(int status) {
            lock.readLock().unlock();
          }
        });
  }

  /**
   * Runs the DDL attempt alone, if the transactions inside leave within {@code wait}; returns false
   * without running it otherwise. New transactions wait at the gate meanwhile.
   */
  @Override
  public boolean runAlone(Duration wait, Attempt ddl) throws SQLException {
    try {
      if (!lock.writeLock().tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for this instance's transactions", e);
    }
    try {
      ddl.run();
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }
}
