package dev.expandcontract.spring.observe;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.migration.Migration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Each migration's phase, read percentage, pause and last error as health details. UP while this
 * instance holds a fresh state: a paused or failing migration needs an operator, but the service
 * keeps serving, so it must not be taken out of rotation. UNKNOWN while the database cannot be
 * reached (or has not been since start-up): the state shown is the last one seen, or none, and the
 * reason is in {@code lastError}; UNKNOWN ranks below UP, so it does not take the service out of
 * rotation on its own either. DOWN when the migrations were found invalid once the database
 * answered: nothing migrated is read or written then.
 */
public final class ExpandContractHealthIndicator extends AbstractHealthIndicator {

  private final ExpandContract expandContract;

  public ExpandContractHealthIndicator(ExpandContract expandContract) {
    super("expand-contract health check failed");
    this.expandContract = expandContract;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    if (expandContract.startFailure().isPresent()) {
      builder.down().withDetail("error", expandContract.startFailure().get());
    } else if (!expandContract.started() || expandContract.databaseProblem().isPresent()) {
      builder.unknown();
    } else {
      builder.up();
    }
    for (Migration migration : expandContract.migrations()) {
      builder.withDetail(migration.id(), details(migration.id()));
    }
  }

  private Map<String, Object> details(String id) {
    Map<String, Object> details = new LinkedHashMap<>();
    try {
      MigrationStatus status = expandContract.progress(id); // from memory: no query per probe
      details.put("phase", status.phaseName());
      details.put("readPercent", status.readPercent());
      details.put("paused", status.paused());
      details.put("lastError", status.lastError());
    } catch (RuntimeException e) {
      details.put("lastError", "status unavailable: " + e.getMessage());
    }
    return details;
  }
}
