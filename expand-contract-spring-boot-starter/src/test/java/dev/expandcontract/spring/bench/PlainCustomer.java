package dev.expandcontract.spring.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The same {@code customers} row mapped by plain JPA, every column mapped: no library involved. */
@Entity
@Table(name = "customers")
public class PlainCustomer {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private String name;
  private String email;
  private String street;
  private String city;
  private String zip;

  protected PlainCustomer() {}

  PlainCustomer(String name, String email, String street, String city, String zip) {
    this.name = name;
    this.email = email;
    this.street = street;
    this.city = city;
    this.zip = zip;
  }

  Long getId() {
    return id;
  }

  String getEmail() {
    return email;
  }

  void setEmail(String email) {
    this.email = email;
  }

  void setStreet(String street) {
    this.street = street;
  }
}
