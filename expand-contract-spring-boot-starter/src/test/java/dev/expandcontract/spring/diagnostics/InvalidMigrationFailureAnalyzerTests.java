package dev.expandcontract.spring.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.migration.InvalidMigrationException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

class InvalidMigrationFailureAnalyzerTests {

  private static final String LOCATION = "META-INF/spring.factories";

  @Test
  void isRegisteredAndExplainsAnInvalidMigrationWithAnAction() throws Exception {
    List<String> registered = new ArrayList<>();
    for (URL factories : Collections.list(getClass().getClassLoader().getResources(LOCATION))) {
      String analyzers =
          PropertiesLoaderUtils.loadProperties(new UrlResource(factories))
              .getProperty(FailureAnalyzer.class.getName(), "");
      registered.addAll(List.of(analyzers.split(",")));
    }
    assertThat(registered).contains(InvalidMigrationFailureAnalyzer.class.getName());

    InvalidMigrationException invalid =
        new InvalidMigrationException(
            "1 invalid expand-contract migration(s):\n"
                + "  - migration 'customer-email': column 'email_normalized' does not exist");
    FailureAnalysis analysis =
        new InvalidMigrationFailureAnalyzer()
            .analyze(new BeanCreationException("expandContract", "failed", invalid));

    assertThat(analysis.getDescription())
        .contains("customer-email")
        .contains("column 'email_normalized' does not exist");
    assertThat(analysis.getAction()).contains("expand migration").contains("CONTRACTED");
  }
}
