package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.spring.endpoint.ActionDescriptors.ActionResultDescriptor;
import dev.expandcontract.spring.endpoint.ActionDescriptors.CompactionDescriptor;
import dev.expandcontract.spring.endpoint.ActionDescriptors.ErrorDescriptor;
import dev.expandcontract.spring.endpoint.ExpandContractEndpoint;
import dev.expandcontract.spring.endpoint.MigrationDescriptor;
import dev.expandcontract.test.TestDatabase;
import java.security.Principal;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The compact action on PostgreSQL with the real pg_repack: refused before the backfill with the
 * reason, then it reclaims the backfill's dead rows, and the answer and the GET show the sizes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CompactEndpointPostgresTest extends ItSupport {

  private static final SecurityContext OPERATOR =
      new SecurityContext() {
        @Override
        public Principal getPrincipal() {
          return () -> ItSecurityConfiguration.OPERATOR;
        }

        @Override
        public boolean isUserInRole(String role) {
          return true;
        }
      };

  @Autowired ExpandContractEndpoint endpoint;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.POSTGRES, "starter_compact");
  }

  @Test
  void compactIsRefusedBeforeTheBackfillThenReclaimsItsDeadRows() {
    jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_repack");
    jdbc.execute(
        "INSERT INTO customers (name, email) SELECT 'c' || g, ' C' || g || '@X.org'"
            + " FROM generate_series(1, 5000) g");

    WebEndpointResponse<Object> early = endpoint.act(OPERATOR, EMAIL, "compact", null, null);
    assertThat(early.getStatus()).isEqualTo(409);
    assertThat(((ErrorDescriptor) early.getBody()).reason())
        .contains("allowed from BACKFILLED")
        .contains("EXPANDED");

    backfill(EMAIL);
    WebEndpointResponse<Object> compacted = endpoint.act(OPERATOR, EMAIL, "compact", null, null);
    assertThat(compacted.getStatus()).as("%s", compacted.getBody()).isEqualTo(200);
    CompactionDescriptor answer =
        ((ActionResultDescriptor) compacted.getBody()).migration().ddl().lastCompaction();
    assertThat(answer.table()).isEqualTo("customers");
    assertThat(answer.phase()).isEqualTo("BACKFILLED");
    assertThat(answer.bytesAfter()).isLessThan(answer.bytesBefore());

    MigrationDescriptor shown = (MigrationDescriptor) endpoint.migration(EMAIL).getBody();
    assertThat(shown.ddl().lastCompaction()).isEqualTo(answer);
    assertThat(shown.ddl().recent())
        .anyMatch(r -> r.executor().equals("pg_repack") && r.message().contains("repacked"));
    assertThat(endpoint.migrations().ddl().recent())
        .anyMatch(r -> r.executor().equals("pg_repack") && r.table().equals("customers"));
  }
}
