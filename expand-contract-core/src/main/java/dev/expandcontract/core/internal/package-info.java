/**
 * Not API: the library's internals (jittered back-off, and below, the SQL it builds and runs, the
 * schema validation, the state tables and the backfill's key ranges). Public only so that the
 * library's own packages can share them; they change without notice between releases, and
 * applications must not depend on them.
 */
package dev.expandcontract.core.internal;
