package dev.expandcontract.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The demo's own settings, under {@code demo}.
 *
 * @param seedRows customers inserted on first start (old columns only, so the backfill has work); 0
 *     disables seeding
 * @param load the built-in traffic generator
 */
@ConfigurationProperties("demo")
public record DemoProperties(@DefaultValue("200000") int seedRows, @DefaultValue Load load) {

  /**
   * @param enabled whether the demo generates its own traffic through the service
   * @param writesPerSecond creates, updates and deletes per second
   * @param readsPerSecond reads by id and by email per second
   */
  public record Load(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("20") int writesPerSecond,
      @DefaultValue("50") int readsPerSecond) {}
}
