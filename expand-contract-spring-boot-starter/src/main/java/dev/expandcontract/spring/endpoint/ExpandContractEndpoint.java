package dev.expandcontract.spring.endpoint;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.phase.UnknownMigrationException;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.util.ClassUtils;

/**
 * {@code /actuator/expandcontract}: every migration's status, one migration in detail, and the
 * operator's actions. 200 with the new state, 409 with the guard's reason (state unchanged), 404
 * for an unknown id, 400 for an unknown action or a bad percent.
 */
@Endpoint(id = "expandcontract")
public class ExpandContractEndpoint {

  static final List<String> ACTIONS =
      List.of(
          "start-backfill",
          "pause",
          "resume",
          "verify",
          "read-new",
          "stop-old-writes",
          "contract",
          "rollback",
          "retry-poison");

  private static final boolean SPRING_SECURITY =
      ClassUtils.isPresent("org.springframework.security.core.Authentication", null);

  private final ExpandContract expandContract;
  private final Function<String, Runnable> contractDdl;
  private final String writeRole;

  /**
   * @param writeRole role a caller needs for actions when Spring Security is present; checked here,
   *     so it holds whatever security filter chain the application configures
   */
  public ExpandContractEndpoint(
      ExpandContract expandContract,
      @Nullable FlywayContractScripts contractScripts,
      String writeRole) {
    this.expandContract = expandContract;
    this.writeRole = writeRole;
    this.contractDdl =
        contractScripts != null
            ? contractScripts::forMigration
            : id ->
                () -> {
                  throw new IllegalStateException("contract needs Flyway on the classpath");
                };
  }

  @ReadOperation
  public Map<String, List<MigrationDescriptor>> migrations() {
    return Map.of(
        "migrations", expandContract.statuses().stream().map(MigrationDescriptor::of).toList());
  }

  @ReadOperation
  public WebEndpointResponse<Object> migration(@Selector String id) {
    try {
      return new WebEndpointResponse<>(MigrationDescriptor.of(expandContract.status(id)));
    } catch (UnknownMigrationException e) {
      return error(WebEndpointResponse.STATUS_NOT_FOUND, e.getMessage(), null);
    }
  }

  @WriteOperation
  public WebEndpointResponse<Object> act(
      SecurityContext security, @Selector String id, String action, @Nullable Integer percent) {
    if (SPRING_SECURITY && security.getPrincipal() == null) {
      return error(401, "actions need an authenticated user with role " + writeRole, null);
    }
    if (SPRING_SECURITY && !security.isUserInRole(writeRole)) {
      return error(403, "actions need role " + writeRole, null);
    }
    if (!ACTIONS.contains(action)) {
      return error(
          WebEndpointResponse.STATUS_BAD_REQUEST,
          "unknown action '" + action + "'; one of " + ACTIONS,
          null);
    }
    if (action.equals("read-new") && (percent == null || percent < 0 || percent > 100)) {
      return error(
          WebEndpointResponse.STATUS_BAD_REQUEST,
          "read-new needs a percent between 0 and 100, got " + percent,
          null);
    }
    String actor = security.getPrincipal() != null ? security.getPrincipal().getName() : "actuator";
    MigrationControl control = expandContract.control();
    try {
      VerificationReport report = null;
      switch (action) {
        case "start-backfill" -> control.startBackfill(id, actor);
        case "pause" -> control.pause(id, actor);
        case "resume" -> control.resume(id, actor);
        case "verify" -> report = control.verify(id, actor);
        case "read-new" -> control.readNew(id, percent, actor);
        case "stop-old-writes" -> control.stopOldWrites(id, actor);
        case "contract" -> control.contract(id, actor, contractDdl.apply(id));
        case "retry-poison" -> control.retryPoison(id, actor);
        default -> control.rollback(id, actor);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("migration", MigrationDescriptor.of(expandContract.status(id)));
      if (report != null) {
        body.put("verification", report);
      }
      return new WebEndpointResponse<>(body);
    } catch (UnknownMigrationException e) {
      return error(WebEndpointResponse.STATUS_NOT_FOUND, e.getMessage(), null);
    } catch (TransitionRefusedException e) {
      return error(409, e.getMessage(), MigrationDescriptor.of(expandContract.status(id)));
    } catch (RuntimeException e) {
      // e.g. contract DDL that failed after its retries: the phase did not change.
      return error(
          409,
          action + " failed: " + e.getMessage(),
          MigrationDescriptor.of(expandContract.status(id)));
    }
  }

  private static WebEndpointResponse<Object> error(
      int status, String reason, @Nullable MigrationDescriptor state) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("reason", reason);
    if (state != null) {
      body.put("migration", state);
    }
    return new WebEndpointResponse<>(body, status);
  }
}
