package dev.expandcontract.core.lint;

/**
 * A migration script that has not run yet.
 *
 * @param name how findings name it, e.g. {@code V3__index_email.sql}
 * @param text its SQL
 */
public record PendingScript(String name, String text) {}
