package dev.expandcontract.spring.sample.migrating;

import dev.expandcontract.spring.Migrated;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.math.BigDecimal;

/**
 * An order while its customer reference is renamed and its amount becomes a number: a migration
 * owns each of the columns. A migrated field has the new column's Java type.
 */
@Entity
@Table(name = "orders")
public class PurchaseOrder {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private String item;

  // order-customer-ref: orders.cust_ref -> orders.customer_ref
  @Transient
  @Migrated(migration = "order-customer-ref", column = "cust_ref")
  private String customerRef;

  // order-amount: orders.amount_text VARCHAR(20) -> orders.amount NUMERIC(10,2)
  @Transient
  @Migrated(migration = "order-amount", column = "amount_text")
  private BigDecimal amount;

  protected PurchaseOrder() {}

  public PurchaseOrder(String item, String customerRef, BigDecimal amount) {
    this.item = item;
    this.customerRef = customerRef;
    this.amount = amount;
  }

  public Long getId() {
    return id;
  }

  public String getItem() {
    return item;
  }

  public String getCustomerRef() {
    return customerRef;
  }

  public void setCustomerRef(String customerRef) {
    this.customerRef = customerRef;
  }

  public BigDecimal getAmount() {
    return amount;
  }

  public void setAmount(BigDecimal amount) {
    this.amount = amount;
  }
}
