package dev.expandcontract.core.store;

/** One row the backfill set aside because its transform fails, with the error. */
public record PoisonRow(String migrationId, String key, String error, long atMillis) {}
