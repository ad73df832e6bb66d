package dev.expandcontract.core.event;

/**
 * Wraps the library's units of work while they run, so that a tracing or timing system (the
 * starter's Micrometer Observations) sees each one with its migration and any error, and the
 * statements it issues nest under it. {@link #NONE} runs the work as it is.
 */
public interface OperationObserver {

  /** The units of work observed, each with the name it is observed under. */
  enum Operation {
    /** One attempt at one backfill (or re-sync) batch: its copy and checkpoint transaction. */
    BACKFILL_BATCH("expandcontract.backfill.batch"),
    /** A full verification of new against transform(old). */
    VERIFY("expandcontract.verify"),
    /** The library's writes of one entity's migrated columns, inside the caller's transaction. */
    DUAL_WRITE("expandcontract.dual-write"),
    /** A contract: the move to CONTRACTING, its DDL and the move to CONTRACTED. */
    CONTRACT("expandcontract.contract");

    private final String observationName;

    Operation(String observationName) {
      this.observationName = observationName;
    }

    public String observationName() {
      return observationName;
    }
  }

  /** Work that may fail with a checked exception. */
  @FunctionalInterface
  interface Work<T, E extends Exception> {
    T run() throws E;
  }

  /** Runs the work as one observed operation of a migration and answers its result. */
  <T, E extends Exception> T observe(Operation operation, String migrationId, Work<T, E> work)
      throws E;

  /** Observes nothing. */
  OperationObserver NONE =
      new OperationObserver() {
        @Override
        public <T, E extends Exception> T observe(
            Operation operation, String migrationId, Work<T, E> work) throws E {
          return work.run();
        }
      };
}
