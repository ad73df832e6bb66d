package dev.expandcontract.demo;

import dev.expandcontract.spring.Migrated;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

/**
 * The entity pattern of expand-contract: JPA maps only the columns that survive the migrations;
 * every migrated attribute is a {@code @Transient} field marked {@link Migrated}, naming the
 * migration and the <em>old</em> column. Hibernate then never reads or writes those columns, so
 * they can be dropped under traffic; the library fills the fields on reads (from old or new, as the
 * flags route each key) and writes them on saves (to old and new, or new only once old writes
 * stopped).
 */
@Entity
@Table(name = "customers")
public class Customer {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private String name;

  /** customers.email, normalized into customers.email_normalized. */
  @Transient
  @Migrated(migration = "customer-email", column = "email")
  private String email;

  /** customers.street, moved to customer_addresses.street. */
  @Transient
  @Migrated(migration = "customer-address", column = "street")
  private String street;

  /** customers.city, moved to customer_addresses.city. */
  @Transient
  @Migrated(migration = "customer-address", column = "city")
  private String city;

  /** customers.zip, moved to customer_addresses.postal_code. */
  @Transient
  @Migrated(migration = "customer-address", column = "zip")
  private String zip;

  protected Customer() {}

  public Customer(String name, String email, String street, String city, String zip) {
    this.name = name;
    this.email = email;
    this.street = street;
    this.city = city;
    this.zip = zip;
  }

  public Long getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getEmail() {
    return email;
  }

  public void setEmail(String email) {
    this.email = email;
  }

  public String getStreet() {
    return street;
  }

  public void setStreet(String street) {
    this.street = street;
  }

  public String getCity() {
    return city;
  }

  public void setCity(String city) {
    this.city = city;
  }

  public String getZip() {
    return zip;
  }

  public void setZip(String zip) {
    this.zip = zip;
  }
}
