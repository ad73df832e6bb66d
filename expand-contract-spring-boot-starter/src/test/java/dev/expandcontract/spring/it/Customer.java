package dev.expandcontract.spring.it;

import dev.expandcontract.spring.Migrated;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

/**
 * The user's entity: Hibernate maps only what no migration owns; the migrated attributes are
 * {@code @Transient} and filled/written by the starter, so the old columns can be dropped.
 */
@Entity
@Table(name = "customers")
public class Customer {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private String name;

  @Transient
  @Migrated(migration = "customer-email", column = "email")
  private String email;

  @Transient
  @Migrated(migration = "customer-address", column = "street")
  private String street;

  @Transient
  @Migrated(migration = "customer-address", column = "city")
  private String city;

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

  @Override
  public String toString() {
    return "Customer["
        + id
        + ", "
        + name
        + ", "
        + email
        + ", "
        + street
        + ", "
        + city
        + ", "
        + zip
        + "]";
  }
}
