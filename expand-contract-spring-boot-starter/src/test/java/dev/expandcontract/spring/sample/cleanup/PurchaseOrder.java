package dev.expandcontract.spring.sample.cleanup;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The order after the cleanup: the former migrated field maps its new column. */
@Entity
@Table(name = "orders")
public class PurchaseOrder {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private String item;

  @Column(name = "customer_ref")
  private String customerRef;

  protected PurchaseOrder() {}

  public PurchaseOrder(String item, String customerRef) {
    this.item = item;
    this.customerRef = customerRef;
  }

  public Long getId() {
    return id;
  }

  public String getCustomerRef() {
    return customerRef;
  }
}
