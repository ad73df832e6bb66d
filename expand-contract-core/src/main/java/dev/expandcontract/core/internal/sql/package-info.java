/**
 * Not API: the statements a migration runs, built from its validated schema, the validation of a
 * migration against the live schema, and the JDBC helpers. Public only so that the library's own
 * packages can share them; they change without notice between releases, and applications must not
 * depend on them.
 */
package dev.expandcontract.core.internal.sql;
