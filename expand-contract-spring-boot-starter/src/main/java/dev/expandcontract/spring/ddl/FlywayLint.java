package dev.expandcontract.spring.ddl;

import dev.expandcontract.core.lint.DdlLint;
import dev.expandcontract.core.lint.LintFinding;
import dev.expandcontract.core.lint.PendingScript;
import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.sql.DatabaseType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Before Flyway migrates, checks its pending scripts with the core's lint: each finding is a
 * warning, or stops the migration (and the application) when configured so.
 */
public final class FlywayLint implements Callback {

  private static final Logger log = LoggerFactory.getLogger(FlywayLint.class);

  private final Supplier<Collection<Migration>> migrations;
  private final boolean failOnFindings;
  private final ResourceLoader resources = new DefaultResourceLoader();

  public FlywayLint(Supplier<Collection<Migration>> migrations, boolean failOnFindings) {
    this.migrations = migrations;
    this.failOnFindings = failOnFindings;
  }

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.BEFORE_MIGRATE;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true;
  }

  @Override
  public void handle(Event event, Context context) {
    Configuration configuration = context.getConfiguration();
    List<PendingScript> scripts = new ArrayList<>();
    MigrationInfo[] pending =
        Flyway.configure(configuration.getClassLoader())
            .configuration(configuration)
            .callbacks(new Callback[0])
            .load()
            .info()
            .pending();
    for (MigrationInfo info : pending) {
      read(configuration, info.getScript())
          .ifPresent(text -> scripts.add(new PendingScript(info.getScript(), text)));
    }
    DatabaseType database = DatabaseType.detect(configuration.getDataSource());
    List<LintFinding> findings = new DdlLint(database, mapped(migrations.get())).check(scripts);
    if (findings.isEmpty()) {
      return;
    }
    if (failOnFindings) {
      throw new FlywayException(
          "expand-contract lint: "
              + findings.size()
              + " pending DDL statement(s) would lock or rewrite a table:\n  "
              + String.join("\n  ", findings.stream().map(LintFinding::toString).toList()));
    }
    findings.forEach(finding -> log.warn("expand-contract lint: {}", finding));
  }

  /** Tables and columns the declared migrations read and write, old and new. */
  static Set<String> mapped(Collection<Migration> migrations) {
    Set<String> mapped = new HashSet<>();
    for (Migration m : migrations) {
      mapped.add(m.oldTable());
      mapped.add(m.newTable());
      mapped.add(m.oldTable() + "." + m.oldKey());
      for (ColumnMapping c : m.columns()) {
        mapped.add(m.oldTable() + "." + c.oldColumn());
        mapped.add(m.newTable() + "." + c.newColumn());
      }
    }
    return mapped;
  }

  private Optional<String> read(Configuration configuration, String script) {
    for (Location location : configuration.getLocations()) {
      Resource resource = resources.getResource(location.getDescriptor() + "/" + script);
      if (resource.exists()) {
        try {
          return Optional.of(resource.getContentAsString(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + script, e);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public String getCallbackName() {
    return "expand-contract lint";
  }
}
