package dev.expandcontract.spring.sample.cleanup;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;

/** The order after the cleanup: the former migrated fields map their new columns. */
@Entity
@Table(name = "orders")
public class PurchaseOrder {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private String item;

  @Column(name = "customer_ref")
  private String customerRef;

  @Column(precision = 10, scale = 2)
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

  public String getCustomerRef() {
    return customerRef;
  }

  public BigDecimal getAmount() {
    return amount;
  }
}
