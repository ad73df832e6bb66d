package dev.expandcontract.spring.sample.cleanup;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample service's release after the contract (README: "5. The cleanup release"): no migration
 * is declared any more, and the entities map the new columns directly. Same Flyway scripts and
 * {@code spring.config.name=sample}, no profile.
 */
@SpringBootApplication
public class CleanupApplication {}
