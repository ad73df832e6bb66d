package dev.expandcontract.core.ddl;

/** Receives what an executor reports while a change runs (a tool's progress lines, retries). */
@FunctionalInterface
public interface DdlProgress {

  DdlProgress NO_OP = (executor, change, line) -> {};

  void report(String executor, DdlChange change, String line);
}
