package dev.expandcontract.core.phase;

/**
 * An action the migration's phase allows now, as {@link MigrationControl}'s guards judge it.
 *
 * @param refusedBecause why a guard would refuse it at this moment (soak time, instances that have
 *     not acknowledged the state, rows set aside, no reverse transform), or null; the checks
 *     against the data that the action runs itself (write-path proofs, verification) are not
 *     anticipated
 */
public record AllowedAction(MigrationAction action, String refusedBecause) {}
