package dev.expandcontract.spring.endpoint;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.StaleStateException;
import dev.expandcontract.core.ddl.DdlRefusedException;
import dev.expandcontract.core.migration.BackfillTuning;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.MigrationAction;
import dev.expandcontract.core.phase.MigrationCompaction;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.phase.UnknownMigrationException;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.ddl.DdlActivity;
import dev.expandcontract.spring.endpoint.ActionDescriptors.ActionResultDescriptor;
import dev.expandcontract.spring.endpoint.ActionDescriptors.DdlDescriptor;
import dev.expandcontract.spring.endpoint.ActionDescriptors.ErrorDescriptor;
import dev.expandcontract.spring.endpoint.ActionDescriptors.MigrationsDescriptor;
import dev.expandcontract.spring.endpoint.ActionDescriptors.VerificationDescriptor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.util.ClassUtils;

/**
 * {@code /actuator/expandcontract}: every migration's status, one migration in detail, and the
 * operator's actions. 200 with the new state, 409 with the guard's reason (state unchanged; for a
 * contract whose DDL the DDL guard refused, the migration stays CONTRACTING), 404 for an unknown
 * id, 400 for an unknown action or a bad percent.
 */
@Endpoint(id = ExpandContractEndpoint.ID)
public class ExpandContractEndpoint {

  public static final String ID = "expandcontract";

  /** A guard refused the action; the state is unchanged. */
  static final int STATUS_REFUSED = 409;

  static final int STATUS_UNAUTHORIZED = 401;
  static final int STATUS_FORBIDDEN = 403;

  private static final Logger log = LoggerFactory.getLogger(ExpandContractEndpoint.class);

  private static final boolean SPRING_SECURITY =
      ClassUtils.isPresent("org.springframework.security.core.Authentication", null);

  private final ExpandContract expandContract;
  private final Function<String, Runnable> contractDdl;
  private final String writeRole;
  private final MigrationCompaction compaction;
  private final DdlActivity ddlActivity;

  /**
   * @param writeRole role a caller needs for actions when Spring Security is present; checked here,
   *     so it holds whatever security filter chain the application configures
   */
  public ExpandContractEndpoint(
      ExpandContract expandContract,
      @Nullable FlywayContractScripts contractScripts,
      String writeRole,
      MigrationCompaction compaction,
      DdlActivity ddlActivity) {
    this.expandContract = expandContract;
    this.writeRole = writeRole;
    this.compaction = compaction;
    this.ddlActivity = ddlActivity;
    this.contractDdl =
        contractScripts != null
            ? contractScripts::forMigration
            : id ->
                () -> {
                  throw new IllegalStateException("contract needs Flyway on the classpath");
                };
  }

  @ReadOperation
  public MigrationsDescriptor migrations() {
    return new MigrationsDescriptor(
        expandContract.statuses().stream().map(this::describe).toList(),
        DdlDescriptor.of(ddlActivity.recent()));
  }

  @ReadOperation
  public WebEndpointResponse<Object> migration(@Selector String id) {
    try {
      return new WebEndpointResponse<>(describe(expandContract.status(id)));
    } catch (UnknownMigrationException e) {
      return error(WebEndpointResponse.STATUS_NOT_FOUND, e.getMessage(), null);
    } catch (RuntimeException e) {
      return failure("cannot read the state of " + id, e, null);
    }
  }

  @WriteOperation
  public WebEndpointResponse<Object> act(
      SecurityContext security,
      @Selector String id,
      String action,
      @Nullable Integer percent,
      @Nullable String settings) {
    if (SPRING_SECURITY && security.getPrincipal() == null) {
      return error(
          STATUS_UNAUTHORIZED, "actions need an authenticated user with role " + writeRole, null);
    }
    if (SPRING_SECURITY && !security.isUserInRole(writeRole)) {
      return error(STATUS_FORBIDDEN, "actions need role " + writeRole, null);
    }
    MigrationAction chosen = MigrationAction.named(action).orElse(null);
    if (chosen == null) {
      return error(
          WebEndpointResponse.STATUS_BAD_REQUEST,
          "unknown action '" + action + "'; one of " + MigrationAction.actionNames(),
          null);
    }
    if (chosen == MigrationAction.READ_NEW && (percent == null || percent < 0 || percent > 100)) {
      return error(
          WebEndpointResponse.STATUS_BAD_REQUEST,
          "read-new needs a percent between 0 and 100, got " + percent,
          null);
    }
    Map<String, String> tuning = null;
    if (chosen == MigrationAction.TUNE) {
      try {
        tuning = tuning(settings);
      } catch (IllegalArgumentException e) {
        return error(WebEndpointResponse.STATUS_BAD_REQUEST, e.getMessage(), null);
      }
    }
    String actor = security.getPrincipal() != null ? security.getPrincipal().getName() : "actuator";
    MigrationControl control = expandContract.control();
    try {
      VerificationReport report = null;
      switch (chosen) {
        case START_BACKFILL -> control.startBackfill(id, actor);
        case PAUSE -> control.pause(id, actor);
        case RESUME -> control.resume(id, actor);
        case VERIFY -> report = control.verify(id, actor);
        case READ_NEW -> control.readNew(id, percent, actor);
        case STOP_OLD_WRITES -> control.stopOldWrites(id, actor);
        case CONTRACT -> control.contract(id, actor, contractDdl.apply(id));
        case ROLLBACK -> control.rollback(id, actor);
        case RETRY_POISON -> control.retryPoison(id, actor);
        case COMPACT -> compaction.compact(id, actor);
        case REPAIR -> report = control.repair(id, actor).after();
        case TUNE -> control.tune(id, tuning, actor);
      }
      return new WebEndpointResponse<>(
          new ActionResultDescriptor(
              describe(expandContract.status(id)),
              report == null ? null : VerificationDescriptor.of(report)));
    } catch (UnknownMigrationException e) {
      return error(WebEndpointResponse.STATUS_NOT_FOUND, e.getMessage(), null);
    } catch (StaleStateException e) {
      // Not read since start-up (the database was unreachable): try again once it is.
      return error(
          WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, e.getMessage(), currentState(id));
    } catch (TransitionRefusedException e) {
      return error(STATUS_REFUSED, e.getMessage(), currentState(id));
    } catch (IllegalArgumentException e) {
      return error(WebEndpointResponse.STATUS_BAD_REQUEST, e.getMessage(), null);
    } catch (RuntimeException e) {
      DdlRefusedException refused = refusedDdl(e);
      if (refused != null) {
        return error(
            STATUS_REFUSED, action + " refused: " + refused.getMessage(), currentState(id));
      }
      return failure(action + " failed", e, currentState(id));
    }
  }

  /** The {@code name=value} pairs of a tune's {@code settings}, separated by commas. */
  static Map<String, String> tuning(@Nullable String settings) {
    if (settings == null || settings.isBlank()) {
      throw new IllegalArgumentException(
          "tune needs 'settings', e.g. \"target-batch-time=100ms, max-active-sessions=8\"; names: "
              + BackfillTuning.names());
    }
    Map<String, String> tuning = new LinkedHashMap<>();
    for (String pair : settings.split(",")) {
      int equals = pair.indexOf('=');
      if (equals < 1 || pair.substring(equals + 1).isBlank()) {
        throw new IllegalArgumentException(
            "'" + pair.trim() + "' in 'settings' is not name=value, e.g. target-batch-time=100ms");
      }
      String name = pair.substring(0, equals).trim();
      if (tuning.put(name, pair.substring(equals + 1).trim()) != null) {
        throw new IllegalArgumentException("'" + name + "' is set twice in 'settings'");
      }
    }
    return tuning;
  }

  /**
   * The DDL guard's refusal behind a failure (a locking DDL, a tool on the wrong database): 409
   * like any guard, not the 503 of the SQL error Flyway reports it as. Nothing of it ran.
   */
  private static @Nullable DdlRefusedException refusedDdl(Throwable failure) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof DdlRefusedException refused) {
        return refused;
      }
    }
    return null;
  }

  /**
   * A database that does not answer is 503 (try again), never 409, which means a guard refused;
   * anything else unexpected is 500. Either way the reason carries the underlying message.
   */
  private static WebEndpointResponse<Object> failure(
      String what, RuntimeException e, @Nullable MigrationDescriptor state) {
    String cause = DatabaseFailures.describe(e);
    boolean database = cause != null;
    String reason = what + ": " + (database ? cause : e.getMessage());
    log.warn("expandcontract endpoint: {}", reason, e);
    return error(
        database
            ? WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE
            : WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR,
        reason,
        state);
  }

  private MigrationDescriptor describe(MigrationStatus status) {
    Migration migration = expandContract.migration(status.id());
    return MigrationDescriptor.of(
        status,
        DdlDescriptor.of(
            ddlActivity.recent().stream()
                .filter(
                    e ->
                        e.table().equals(migration.oldTable())
                            || e.table().equals(migration.newTable()))
                .toList(),
            compaction.last(status.id()).orElse(null)),
        expandContract.safetyNets().describe(status.id()));
  }

  /** The state to show beside an error, if it can still be read. */
  private @Nullable MigrationDescriptor currentState(String id) {
    try {
      return describe(expandContract.status(id));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static WebEndpointResponse<Object> error(
      int status, String reason, @Nullable MigrationDescriptor state) {
    return new WebEndpointResponse<>(new ErrorDescriptor(status, reason, state), status);
  }
}
