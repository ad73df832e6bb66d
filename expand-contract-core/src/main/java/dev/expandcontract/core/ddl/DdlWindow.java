package dev.expandcontract.core.ddl;

import java.sql.SQLException;
import java.time.Duration;

/**
 * Where each DDL attempt runs: by default straight away; an application may first let its own
 * transactions on the table finish (the starter's contract gate).
 */
@FunctionalInterface
public interface DdlWindow {

  DdlWindow IMMEDIATE =
      (wait, attempt) -> {
        attempt.run();
        return true;
      };

  /** Runs the attempt, or returns false without running it when no moment came within wait. */
  boolean runAlone(Duration wait, Attempt attempt) throws SQLException;

  /** One try of a DDL statement. */
  @FunctionalInterface
  interface Attempt {
    void run() throws SQLException;
  }
}
