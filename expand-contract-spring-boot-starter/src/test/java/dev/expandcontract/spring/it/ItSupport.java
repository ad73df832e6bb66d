package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.MigrationState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What every integration test of the test application shares. Each concrete class has a database of
 * its own, and its context is closed after it so that connections go back to the servers.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class ItSupport {

  static final String EMAIL = "customer-email";
  static final String ADDRESS = "customer-address";
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Autowired protected CustomerRepository customers;
  @Autowired protected JdbcTemplate jdbc;
  @Autowired protected ExpandContract expandContract;
  @Autowired protected RecordingListener listener;
  @Autowired protected PlatformTransactionManager transactionManager;

  protected TransactionTemplate transaction() {
    return new TransactionTemplate(transactionManager);
  }

  /** The shared state in the database, not this instance's copy. */
  protected MigrationState stored(String id) {
    return expandContract.store().load(id).orElseThrow();
  }

  protected void awaitPhase(String id, Phase phase) {
    Poll.until(TIMEOUT, id + " in " + phase, () -> stored(id), s -> s.phase() == phase);
  }

  /**
   * Makes this instance acknowledge the state it holds now, as the scheduler would within two
   * refresh intervals: a heartbeat acknowledges the state adopted one refresh earlier.
   */
  protected void acknowledge() {
    expandContract.refresh();
    expandContract.refresh();
  }

  /** start-backfill, then the scheduler's batches until the cursor reached the upper key. */
  protected void backfill(String id) {
    expandContract.control().startBackfill(id, "test");
    awaitPhase(id, Phase.BACKFILLED);
  }

  /** The old and new email columns of a row, read with plain SQL. */
  protected Map<String, Object> emailColumns(long id) {
    return jdbc.queryForMap("select email, email_normalized from customers where id = ?", id);
  }

  protected List<Map<String, Object>> addressRow(long id) {
    return jdbc.queryForList(
        "select street, city, postal_code from customer_addresses where customer_id = ?", id);
  }

  protected static void assertPhase(MigrationState state, Phase phase) {
    assertThat(state.phase()).as("phase of %s", state.id()).isEqualTo(phase);
  }
}
