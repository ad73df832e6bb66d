package dev.expandcontract.spring.repository;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.spring.contract.ContractGate;
import jakarta.persistence.EntityManager;
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
 * entity has {@code @Migrated} fields, with their methods classified from the repository's
 * metadata.
 */
public final class MigratingRepositoryPostProcessor implements BeanPostProcessor {

  private final ObjectProvider<MigratedEntities> migrated;
  private final Supplier<ExpandContract> expandContract;
  private final ObjectProvider<DataSource> dataSource;
  private final ObjectProvider<EntityManager> entityManager;
  private final ObjectProvider<PlatformTransactionManager> transactions;
  private final ObjectProvider<ContractGate> gate;

  public MigratingRepositoryPostProcessor(
      ObjectProvider<MigratedEntities> migrated,
      Supplier<ExpandContract> expandContract,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<EntityManager> entityManager,
      ObjectProvider<PlatformTransactionManager> transactions,
      ObjectProvider<ContractGate> gate) {
    this.migrated = migrated;
    this.expandContract = expandContract;
    this.dataSource = dataSource;
    this.entityManager = entityManager;
    this.transactions = transactions;
    this.gate = gate;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
      factoryBean.addRepositoryFactoryCustomizer(
          factory ->
              factory.addRepositoryProxyPostProcessor(
                  (proxy, repository) -> {
                    Class<?> type = repository.getDomainType();
                    MigratedEntities entities = migrated.getObject();
                    if (!entities.hasMigratedFields(type)) {
                      return;
                    }
                    if (expandContract.get().started()) {
                      entities.of(type); // an entity that does not fit fails the start-up
                    } // else judged at first use, once the database answered
                    // First in the chain, outside Spring Data's own transaction: then it knows
                    // whether the caller has one.
                    proxy.addAdvice(
                        0,
                        new MigrationRepositoryInterceptor(
                            type,
                            new RepositoryMethods(repository),
                            entities,
                            expandContract,
                            dataSource.getObject(),
                            entityManager.getObject(),
                            new TransactionTemplate(transactions.getObject()),
                            gate.getObject()));
                  }));
    }
    return bean;
  }
}
