package dev.expandcontract.spring.sample.migrating;

import dev.expandcontract.spring.Migrated;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

/** An order while its customer reference is renamed: the migration owns the column. */
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

  protected PurchaseOrder() {}

  public PurchaseOrder(String item, String customerRef) {
    this.item = item;
    this.customerRef = customerRef;
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
}
