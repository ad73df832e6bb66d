package dev.expandcontract.spring.sample.migrating;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample service's release that migrates: {@code orders} and {@code shipments} with three
 * migrations, declared as beans ({@link SampleMigrations}, profile {@code beans}) or in YAML
 * ({@code sample-yaml.yml}, profile {@code yaml}). Start it with {@code spring.config.name=sample}.
 */
@SpringBootApplication
public class SampleApplication {}
