package dev.expandcontract.spring.it;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/** An order whose customer is a lazy association: loaded by Hibernate, not by a repository. */
@Entity
@Table(name = "customer_orders")
public class CustomerOrder {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  @JoinColumn(name = "customer_id")
  private Customer customer;

  private String item;

  protected CustomerOrder() {}

  public CustomerOrder(Customer customer, String item) {
    this.customer = customer;
    this.item = item;
  }

  public Long getId() {
    return id;
  }

  public Customer getCustomer() {
    return customer;
  }
}
