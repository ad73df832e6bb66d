package dev.expandcontract.spring.sample.cleanup;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** The shipment after the cleanup: the field keeps its name and maps the new column. */
@Entity
@Table(name = "shipments")
public class Shipment {

  @Id private UUID id;

  private String tracking;

  @Column(name = "carrier_code")
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

  public String getCarrier() {
    return carrier;
  }
}
