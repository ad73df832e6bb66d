package dev.expandcontract.spring.autoconfigure;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.PgRepackCompaction;
import dev.expandcontract.core.ddl.ToolBinaries;
import dev.expandcontract.core.ddl.ToolConnection;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.flags.Ff4jMigrationFlags;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.flags.PhaseDrivenFlags;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.MigrationCompaction;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.spring.contract.ContractGate;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.ddl.DdlActivity;
import dev.expandcontract.spring.ddl.DdlTools;
import dev.expandcontract.spring.ddl.FlywayDdlGuard;
import dev.expandcontract.spring.ddl.FlywayLint;
import dev.expandcontract.spring.repository.MigratedEntities;
import dev.expandcontract.spring.repository.MigratingRepositoryPostProcessor;
import dev.expandcontract.spring.repository.ShadowReads;
import dev.expandcontract.spring.schedule.BackfillScheduler;
import jakarta.persistence.EntityManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.DatabaseMetaData;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.ff4j.FF4j;
import org.ff4j.cache.FF4jCacheProxy;
import org.ff4j.cache.InMemoryCacheManager;
import org.ff4j.core.FeatureStore;
import org.ff4j.property.store.InMemoryPropertyStore;
import org.ff4j.store.InMemoryFeatureStore;
import org.ff4j.store.JdbcFeatureStore;
import org.flywaydb.core.Flyway;
import org.hibernate.jpa.boot.spi.JpaSettings;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configures expand-contract when a {@link DataSource} exists: validated migrations (from
 * {@code expand-contract.migrations.*} and {@link Migration} beans), FF4j flags in the
 * application's database, dual-writing repositories, the backfill scheduler and guarded contract
 * DDL. Runs after Flyway, so the expand scripts exist before migrations are validated.
 */
@AutoConfiguration(
    after = DataSourceAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
      "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration"
    })
@ConditionalOnBean(DataSource.class)
@ConditionalOnProperty(prefix = "expand-contract", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ExpandContractProperties.class)
public final class ExpandContractAutoConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ExpandContractAutoConfiguration.class);

  private static final String FF4J_CLASS = "org.ff4j.FF4j";

  @Bean
  @ConditionalOnMissingBean
  @DependsOnDatabaseInitialization
  ExpandContract expandContract(
      DataSource dataSource,
      ExpandContractProperties properties,
      ObjectProvider<Migration> migrationBeans,
      MigrationFlags flags,
      ObjectProvider<ExpandContractListener> listeners,
      ObjectProvider<OperationObserver> observer,
      ObjectProvider<JdbcConnectionDetails> connectionDetails) {
    List<Migration> migrations =
        new ArrayList<>(ConfiguredMigrations.from(properties.migrations()));
    migrationBeans.orderedStream().forEach(migrations::add);
    return ExpandContract.builder(dataSource)
        .databaseType(databaseTypeFromUrl(connectionDetails))
        .migrations(migrations)
        .flags(flags)
        .listener(ExpandContractListener.lazy(() -> listeners.orderedStream().toList()))
        .observer(observer.getIfAvailable(() -> OperationObserver.NONE))
        .instanceId(properties.instanceId() != null ? properties.instanceId() : defaultInstanceId())
        .tablePrefix(properties.tablePrefix())
        .soakTime(properties.soakTime())
        .instanceTimeout(properties.instanceTimeout())
        .verifyBatchSize(properties.verifyBatchSize())
        .backfillWorkers(properties.backfill().workers())
        .claimLease(properties.backfill().claimLease())
        .chunkRows(properties.backfill().chunkRows())
        .safetyNet(properties.safetyNet().enabled())
        .createStateTables(createsStateTables(properties.jdbc().initializeSchema(), dataSource))
        .build();
  }

  private static boolean createsStateTables(
      DatabaseInitializationMode mode, DataSource dataSource) {
    return switch (mode) {
      case ALWAYS -> true;
      case EMBEDDED -> EmbeddedDatabaseConnection.isEmbedded(dataSource);
      case NEVER -> false;
    };
  }

  @Bean
  static MigratingRepositoryPostProcessor expandContractRepositoryPostProcessor(
      ObjectProvider<MigratedEntities> migrated,
      ObjectProvider<ExpandContract> expandContract,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<EntityManager> entityManager,
      ObjectProvider<PlatformTransactionManager> transactionManager,
      ObjectProvider<ContractGate> gate) {
    return new MigratingRepositoryPostProcessor(
        migrated,
        // Resolved once: the interceptor asks for it on every repository call.
        SingletonSupplier.of(expandContract::getObject),
        dataSource,
        entityManager,
        transactionManager,
        gate);
  }

  @Bean
  @ConditionalOnMissingBean
  MigratedEntities expandContractMigratedEntities(
      ObjectProvider<ExpandContract> expandContract, ObjectProvider<ShadowReads> shadowReads) {
    // Resolved on first use: Hibernate's listeners exist before the ExpandContract bean does.
    return new MigratedEntities(
        SingletonSupplier.of(expandContract::getObject),
        SingletonSupplier.of(shadowReads::getObject));
  }

  @Bean
  @ConditionalOnMissingBean
  ContractGate expandContractGate() {
    return new ContractGate();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ShadowReads expandContractShadowReads(
      DataSource dataSource, ExpandContractProperties properties) {
    return new ShadowReads(dataSource, properties.shadowRead().sampleRate());
  }

  @Bean
  @ConditionalOnMissingBean
  DdlActivity expandContractDdlActivity() {
    return new DdlActivity(Clock.systemUTC());
  }

  @Bean
  @ConditionalOnMissingBean
  DdlTools expandContractDdlTools(
      ExpandContractProperties properties, DdlActivity activity, Environment environment) {
    ExpandContractProperties.Tools tools = properties.ddl().tools();
    return new DdlTools(
        new ToolBinaries(
            tools.ptOnlineSchemaChange(),
            tools.ghOst(),
            tools.pgOnlineSchemaChange(),
            tools.pgRepack()),
        activity,
        // The tools run as processes and connect on their own, with the application's password.
        environment.getProperty("spring.datasource.password", ""),
        properties.ddl().executor(),
        properties.ddl().migrationExecutors());
  }

  /** The compact action: pg_repack of a migration's table, when its phase allows. */
  @Bean
  @ConditionalOnMissingBean
  MigrationCompaction expandContractCompaction(
      ExpandContract expandContract,
      DataSource dataSource,
      DdlTools tools,
      ExpandContractProperties properties) {
    ExpandContractProperties.Ddl ddl = properties.ddl();
    return expandContract.compaction(
        new PgRepackCompaction(
            tools.binaries().pgRepack(),
            dataSource,
            expandContract.databaseType(),
            ToolConnection.of(dataSource, tools.password()),
            DdlSettings.DEFAULTS
                .withLockTimeout(ddl.lockTimeout())
                .withMaxAttempts(ddl.maxAttempts()),
            tools.progress()));
  }

  /**
   * Without FF4j on the class path, the flags are exactly what the phase prescribes. Declared here
   * rather than in a nested configuration: nested classes are processed before the outer class's
   * bean methods but in no guaranteed order among themselves, so this fallback must live where it
   * is evaluated after {@link Ff4jFlagsConfiguration}.
   */
  @Bean
  @ConditionalOnMissingBean
  MigrationFlags phaseDrivenMigrationFlags() {
    log.info(
        "expand-contract: FF4j is not in use ({} not on the class path and no MigrationFlags bean):"
            + " read and write flags follow the phase exactly, and cannot be flipped in a flag"
            + " console",
        FF4J_CLASS);
    return new PhaseDrivenFlags();
  }

  @Bean
  @ConditionalOnMissingBean
  BackfillScheduler expandContractScheduler(
      ExpandContract expandContract, ExpandContractProperties properties) {
    return new BackfillScheduler(
        expandContract,
        properties.refreshInterval(),
        properties.backfill().pollInterval(),
        properties.backfill().enabled());
  }

  /**
   * The database's type as {@code spring.datasource.url} tells it, so that the application starts
   * while the database is unreachable; null (detected from a connection) for a URL it does not
   * tell, or a data source of the application's own.
   */
  static @Nullable DatabaseType databaseTypeFromUrl(
      ObjectProvider<JdbcConnectionDetails> connectionDetails) {
    JdbcConnectionDetails details = connectionDetails.getIfAvailable();
    if (details == null || details.getJdbcUrl() == null) {
      return null;
    }
    return switch (DatabaseDriver.fromJdbcUrl(details.getJdbcUrl())) {
      case POSTGRESQL -> DatabaseType.POSTGRESQL;
      case MYSQL, MARIADB -> DatabaseType.MYSQL;
      case H2 -> DatabaseType.H2;
      default -> null;
    };
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** FF4j as the flag engine: JDBC store in the application's database behind a cache. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(FF4j.class)
  static class Ff4jFlagsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    FF4j expandContractFf4j(DataSource dataSource, ExpandContractProperties properties) {
      FeatureStore store;
      if (properties.flags().store() == ExpandContractProperties.FlagStore.JDBC) {
        // Its tables are created once the database answers (MigrationFlags.createStoreIfAbsent).
        store = new JdbcFeatureStore(dataSource);
      } else {
        store = new InMemoryFeatureStore();
      }
      FF4j ff4j = new FF4j();
      long ttlSeconds = Math.max(1, properties.flags().cacheTtl().toSeconds());
      // Flag checks on the request path read this cache, never the database.
      FF4jCacheProxy cached =
          new FF4jCacheProxy(
              store, new InMemoryPropertyStore(), new InMemoryCacheManager(ttlSeconds));
      ff4j.setFeatureStore(cached);
      return ff4j;
    }

    @Bean
    @ConditionalOnMissingBean
    MigrationFlags ff4jMigrationFlags(FF4j ff4j) {
      return new Ff4jMigrationFlags(ff4j);
    }
  }

  /** Hibernate's side: its events for migrated fields, and inserts that stay off old columns. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HibernatePropertiesCustomizer.class)
  static class HibernateConfiguration {

    static final String USE_GET_GENERATED_KEYS = "hibernate.jdbc.use_get_generated_keys";

    /**
     * Keeps Hibernate's inserts off the old columns on PostgreSQL. By default Hibernate fetches an
     * IDENTITY key with {@code getGeneratedKeys()} without naming the column, so the PostgreSQL
     * driver appends {@code RETURNING *}: the insert then returns every column of the table, and
     * once its server-side prepared plan is cached, dropping an old column under traffic makes it
     * fail with "cached plan must not change result type". With generated-keys retrieval off,
     * Hibernate writes {@code INSERT ... RETURNING <id>} itself, whose result never changes. A
     * value the application set explicitly is kept.
     */
    @Bean
    @ConditionalOnProperty(
        prefix = "expand-contract.hibernate",
        name = "insert-returning-id-only",
        matchIfMissing = true)
    HibernatePropertiesCustomizer expandContractHibernateInsertReturning(
        DataSource dataSource, ObjectProvider<JdbcConnectionDetails> connectionDetails) {
      return properties -> {
        DatabaseType type = databaseTypeFromUrl(connectionDetails);
        if (type == DatabaseType.POSTGRESQL || (type == null && isPostgres(dataSource))) {
          properties.putIfAbsent(USE_GET_GENERATED_KEYS, "false");
        }
      };
    }

    /**
     * Hibernate's own events reach every way an entity is loaded or removed (EntityManager,
     * JPQL/Criteria, associations, references, any repository return type), not only the repository
     * calls the interceptor sees.
     */
    @Bean
    HibernatePropertiesCustomizer expandContractHibernateListeners(
        ObjectProvider<MigratedEntities> migrated) {
      return properties ->
          properties.put(
              JpaSettings.INTEGRATOR_PROVIDER,
              migrated
                  .getObject()
                  .hibernateIntegrator(properties.get(JpaSettings.INTEGRATOR_PROVIDER)));
    }

    private static boolean isPostgres(DataSource dataSource) {
      try {
        String product =
            JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        return product != null && product.toLowerCase(Locale.ROOT).contains("postgres");
      } catch (MetaDataAccessException e) {
        return false;
      }
    }
  }

  /** Contract DDL through Flyway, guarded by the phase. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Flyway.class)
  static class ContractConfiguration {

    @Bean
    @ConditionalOnMissingBean
    FlywayContractScripts expandContractScripts(
        DataSource dataSource,
        ExpandContract expandContract,
        ExpandContractProperties properties,
        ContractGate gate,
        DdlTools tools) {
      ExpandContractProperties.Contract contract = properties.contract();
      return new FlywayContractScripts(
          dataSource,
          expandContract,
          contract.locations(),
          contract.lockTimeout(),
          contract.maxAttempts(),
          gate,
          tools);
    }
  }

  /** Guarded expand: the application's Flyway migrations run their DDL through the executors. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Flyway.class, FlywayConfigurationCustomizer.class})
  static class FlywayDdlConfiguration {

    @Bean
    @ConditionalOnProperty(
        prefix = "expand-contract.ddl",
        name = "guard-flyway",
        matchIfMissing = true)
    FlywayDdlGuard expandContractFlywayDdlGuard(
        ExpandContractProperties properties, DdlTools tools) {
      ExpandContractProperties.Ddl ddl = properties.ddl();
      return new FlywayDdlGuard(
          tools,
          DdlSettings.DEFAULTS
              .withLockTimeout(ddl.lockTimeout())
              .withMaxAttempts(ddl.maxAttempts())
              .withCopyAllowed(ddl.copyAllowed()));
    }

    @Bean
    @ConditionalOnProperty(
        prefix = "expand-contract.ddl.lint",
        name = "enabled",
        matchIfMissing = true)
    FlywayLint expandContractFlywayLint(
        ExpandContractProperties properties, ObjectProvider<Migration> migrationBeans) {
      return new FlywayLint(
          () -> {
            List<Migration> migrations =
                new ArrayList<>(ConfiguredMigrations.from(properties.migrations()));
            migrationBeans.orderedStream().forEach(migrations::add);
            return migrations;
          },
          properties.ddl().lint().failOnFindings());
    }
  }
}
