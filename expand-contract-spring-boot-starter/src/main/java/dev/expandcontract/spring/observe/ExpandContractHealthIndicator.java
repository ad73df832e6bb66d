package dev.expandcontract.spring.observe;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.migration.Migration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Each migration's phase, read percentage, pause and last error as health details. Always UP: a
 * paused or failing migration needs an operator, but the service keeps serving, so it must not be
 * taken out of rotation.
 */
public final class ExpandContractHealthIndicator extends AbstractHealthIndicator {

  private final ExpandContract expandContract;

  public ExpandContractHealthIndicator(ExpandContract expandContract) {
    super("expand-contract health check failed");
    this.expandContract = expandContract;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.up();
    for (Migration migration : expandContract.migrations()) {
      builder.withDetail(migration.id(), details(migration.id()));
    }
  }

  private Map<String, Object> details(String id) {
    Map<String, Object> details = new LinkedHashMap<>();
    try {
      MigrationStatus status = expandContract.progress(id); // from memory: no query per probe
      details.put("phase", status.phase().name());
      details.put("readPercent", status.readPercent());
      details.put("paused", status.paused());
      details.put("lastError", status.lastError());
    } catch (RuntimeException e) {
      details.put("lastError", "status unavailable: " + e.getMessage());
    }
    return details;
  }
}
