package dev.expandcontract.demo;

/** The body of {@code POST} and {@code PUT /api/customers}. */
public record CustomerRequest(String name, String email, String street, String city, String zip) {}
