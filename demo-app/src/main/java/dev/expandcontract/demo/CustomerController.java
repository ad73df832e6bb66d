package dev.expandcontract.demo;

import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The customer API; it stays the same through every phase of both migrations. */
@RestController
@RequestMapping("/api/customers")
class CustomerController {

  private final CustomerService service;

  CustomerController(CustomerService service) {
    this.service = service;
  }

  @PostMapping
  ResponseEntity<CustomerView> create(@Valid @RequestBody CustomerRequest request) {
    CustomerView created = service.create(request);
    return ResponseEntity.created(URI.create("/api/customers/" + created.id())).body(created);
  }

  @GetMapping("/{id}")
  ResponseEntity<CustomerView> get(@PathVariable long id) {
    return ResponseEntity.of(service.find(id));
  }

  @GetMapping
  List<CustomerView> findByEmail(@RequestParam String email) {
    return service.findByEmail(email);
  }

  @PutMapping("/{id}")
  ResponseEntity<CustomerView> update(
      @PathVariable long id, @Valid @RequestBody CustomerRequest request) {
    return ResponseEntity.of(service.update(id, request));
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(@PathVariable long id) {
    return service.delete(id)
        ? ResponseEntity.noContent().build()
        : ResponseEntity.notFound().build();
  }
}
