package dev.expandcontract.demo;

/** A customer as the API returns it. */
public record CustomerView(
    Long id, String name, String email, String street, String city, String zip) {

  static CustomerView of(Customer c) {
    return new CustomerView(
        c.getId(), c.getName(), c.getEmail(), c.getStreet(), c.getCity(), c.getZip());
  }
}
