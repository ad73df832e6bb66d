/**
 * Not API: the key ranges a backfill splits into. Public only so that the library's own packages
 * can share them; they change without notice between releases, and applications must not depend on
 * them.
 */
package dev.expandcontract.core.internal.backfill;
