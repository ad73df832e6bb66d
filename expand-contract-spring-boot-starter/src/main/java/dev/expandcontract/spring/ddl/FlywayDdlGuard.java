package dev.expandcontract.spring.ddl;

import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.DdlWindow;
import dev.expandcontract.core.ddl.GuardedDdlDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;

/**
 * Guarded expand: the application's own Flyway migrations run each DDL statement through the core's
 * executors, with the same short lock wait and jittered retries as contract DDL, so an {@code ALTER
 * TABLE … ADD COLUMN} never waits behind a long transaction while every query on the table waits
 * behind it. A directive comment above a statement picks another executor.
 */
public final class FlywayDdlGuard implements FlywayConfigurationCustomizer {

  private final DdlTools tools;
  private final DdlSettings settings;

  public FlywayDdlGuard(DdlTools tools, DdlSettings settings) {
    this.tools = tools;
    this.settings = settings;
  }

  @Override
  public void customize(FluentConfiguration configuration) {
    DataSource dataSource = configuration.getDataSource();
    configuration.dataSource(
        GuardedDdlDataSource.wrap(
            dataSource,
            tools.executors(dataSource, settings, DdlWindow.IMMEDIATE),
            configuration.getTable()));
  }
}
