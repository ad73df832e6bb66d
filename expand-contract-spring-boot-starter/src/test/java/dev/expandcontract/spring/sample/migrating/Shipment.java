package dev.expandcontract.spring.sample.migrating;

import dev.expandcontract.spring.Migrated;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.util.UUID;

/**
 * A shipment, keyed by a UUID the service assigns ({@code uuid} on PostgreSQL, {@code CHAR(36)} on
 * MariaDB), while its carrier moves to a normalised code.
 */
@Entity
@Table(name = "shipments")
public class Shipment {

  @Id private UUID id;

  private String tracking;

  // shipment-carrier: shipments.carrier -> shipments.carrier_code = upper(carrier)
  @Transient
  @Migrated(migration = "shipment-carrier", column = "carrier")
  private String carrier;

  protected Shipment() {}

  public Shipment(UUID id, String tracking, String carrier) {
    this.id = id;
    this.tracking = tracking;
    this.carrier = carrier;
  }

  public UUID getId() {
    return id;
  }

  public String getTracking() {
    return tracking;
  }

  public String getCarrier() {
    return carrier;
  }

  public void setCarrier(String carrier) {
    this.carrier = carrier;
  }
}
