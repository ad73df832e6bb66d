package dev.expandcontract.core.ddl;

/** An online schema change tool ran and failed; the message holds the tool's last output lines. */
public class DdlFailedException extends RuntimeException {

  public DdlFailedException(String message) {
    super(message);
  }

  public DdlFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
