package dev.expandcontract.spring.repository;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.spring.contract.ContractGate;
import jakarta.persistence.EntityManager;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hooks into every Spring Data repository factory (Spring Data's own proxy post-processor SPI, no
 * bytecode tricks) and adds a {@link MigrationRepositoryInterceptor} to the repositories whose
 * entity has {@code @Migrated} fields.
 */
public final class MigratingRepositoryPostProcessor implements BeanPostProcessor {

  private final Supplier<Collection<Migration>> migrations;
  private final Supplier<ExpandContract> expandContract;
  private final ObjectProvider<DataSource> dataSource;
  private final ObjectProvider<EntityManager> entityManager;
  private final ObjectProvider<PlatformTransactionManager> transactions;
  private final ObjectProvider<ShadowReads> shadowReads;
  private final ObjectProvider<ContractGate> gate;

  public MigratingRepositoryPostProcessor(
      Supplier<Collection<Migration>> migrations,
      Supplier<ExpandContract> expandContract,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<EntityManager> entityManager,
      ObjectProvider<PlatformTransactionManager> transactions,
      ObjectProvider<ShadowReads> shadowReads,
      ObjectProvider<ContractGate> gate) {
    this.migrations = migrations;
    this.expandContract = expandContract;
    this.dataSource = dataSource;
    this.entityManager = entityManager;
    this.transactions = transactions;
    this.shadowReads = shadowReads;
    this.gate = gate;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
      factoryBean.addRepositoryFactoryCustomizer(
          factory ->
              factory.addRepositoryProxyPostProcessor(
                  (proxy, repository) ->
                      EntityMigrations.of(repository.getDomainType(), this::migration)
                          .ifPresent(
                              entity ->
                                  // First in the chain, outside Spring Data's own
                                  // transaction: then it knows whether the caller has one.
                                  proxy.addAdvice(
                                      0,
                                      new MigrationRepositoryInterceptor(
                                          entity,
                                          expandContract,
                                          dataSource.getObject(),
                                          entityManager.getObject(),
                                          new TransactionTemplate(transactions.getObject()),
                                          shadowReads.getObject(),
                                          gate.getObject())))));
    }
    return bean;
  }

  private Optional<Migration> migration(String id) {
    return migrations.get().stream().filter(m -> m.id().equals(id)).findFirst();
  }
}
