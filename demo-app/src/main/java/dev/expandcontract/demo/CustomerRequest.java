package dev.expandcontract.demo;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST} and {@code PUT /api/customers}. The sizes are the columns' sizes
 * (V1__customers.sql), so a value the database would refuse is a 400 naming the field, never a 500.
 */
public record CustomerRequest(
    @NotBlank @Size(max = 200) String name,
    @Size(max = 320) String email,
    @Size(max = 200) String street,
    @Size(max = 100) String city,
    @Size(max = 20) String zip) {}
