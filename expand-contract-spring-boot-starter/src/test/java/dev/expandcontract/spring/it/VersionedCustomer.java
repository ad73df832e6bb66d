package dev.expandcontract.spring.it;

import dev.expandcontract.spring.Migrated;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;

/** The customers table seen by an entity with {@code @Version}, for optimistic locking. */
@Entity
@Table(name = "customers")
public class VersionedCustomer {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Version private Long version;

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

  protected VersionedCustomer() {}

  public VersionedCustomer(String name, String email) {
    this.name = name;
    this.email = email;
    this.street = "Versioned St";
    this.city = "Lockville";
    this.zip = "0";
  }

  public Long getId() {
    return id;
  }

  public Long getVersion() {
    return version;
  }

  public String getEmail() {
    return email;
  }

  public void setEmail(String email) {
    this.email = email;
  }
}
