package dev.expandcontract.spring.sample.migrating;

import dev.expandcontract.core.migration.Migration;
import java.math.BigDecimal;
import java.util.Locale;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/** The sample's three migrations as beans, with Java twins of their SQL transforms. */
@Configuration(proxyBeanMethods = false)
@Profile("beans")
public class SampleMigrations {

  public static final String CUSTOMER_REF = "order-customer-ref";
  public static final String AMOUNT = "order-amount";
  public static final String CARRIER = "shipment-carrier";

  /** A rename: the transform defaults to the old column, a plain copy. */
  @Bean
  Migration orderCustomerRef() {
    return Migration.column(CUSTOMER_REF)
        .table("orders")
        .key("id")
        .map("cust_ref")
        .to("customer_ref")
        .reverse("customer_ref")
        .batchSize(200)
        .build();
  }

  /**
   * A type change: the entity's field is a BigDecimal, like the new column, so it holds new values.
   * Reads from old select the SQL transform; writes to old convert the number back with the reverse
   * twin (the SQL reverse without it). An old-to-new twin ({@code usingJava}) would never run here.
   */
  @Bean
  Migration orderAmount() {
    return Migration.column(AMOUNT)
        .table("orders")
        .key("id")
        .map("amount_text")
        .to("amount")
        .using("CAST(amount_text AS DECIMAL(10,2))")
        .reverse("CAST(amount AS CHAR(20))")
        .reverseJava(amount -> amount == null ? null : ((BigDecimal) amount).toPlainString())
        .batchSize(200)
        .build();
  }

  /** A UUID-keyed table, with a normalising transform. */
  @Bean
  Migration shipmentCarrier() {
    return Migration.column(CARRIER)
        .table("shipments")
        .key("id")
        .map("carrier")
        .to("carrier_code")
        .using("upper(carrier)")
        .usingJava(carrier -> carrier == null ? null : carrierCode((String) carrier))
        .batchSize(200)
        .build();
  }

  /** What {@code upper(carrier)} makes of a carrier (the sample's carriers are ASCII). */
  public static String carrierCode(String carrier) {
    return carrier.toUpperCase(Locale.ROOT);
  }
}
