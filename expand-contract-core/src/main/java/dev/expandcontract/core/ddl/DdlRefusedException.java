package dev.expandcontract.core.ddl;

/**
 * A DDL change that did not run because no safe way to run it exists here; the message says why.
 */
public class DdlRefusedException extends RuntimeException {

  private final transient DdlChange change;

  public DdlRefusedException(String message, DdlChange change) {
    super(message);
    this.change = change;
  }

  public DdlChange change() {
    return change;
  }
}
