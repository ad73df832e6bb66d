/**
 * Not API: the library's state, chunk, poison-row, old-column-type and tuning tables. Public only
 * so that the library's own packages can share them; they change without notice between releases,
 * and applications must not depend on them.
 */
package dev.expandcontract.core.internal.store;
