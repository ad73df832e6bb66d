package dev.expandcontract.core.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.expandcontract.core.sql.DatabaseType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines the tools get and how their output becomes progress. gh-ost and pg-osc are not
 * installable here: a stand-in script prints their documented output; the real binaries are
 * untested.
 */
class ToolExecutorTest {

  private static final ToolConnection MYSQL =
      ToolConnection.fromJdbcUrl(
          "jdbc:mariadb://db.example:3307/shop?useSsl=false", "app", "s3cret");
  private static final ToolConnection POSTGRES =
      ToolConnection.fromJdbcUrl("jdbc:postgresql://pg.example/shop", "app", "");
  private static final DdlChange WIDEN =
      DdlChange.parse("ALTER TABLE customers MODIFY zip VARCHAR(40)").orElseThrow();

  @TempDir Path dir;
  private final List<String> progress = new CopyOnWriteArrayList<>();

  @Test
  void ptOnlineSchemaChangeGetsTheAlterAShortLockWaitAndRetries() {
    PtOnlineSchemaChangeExecutor pt = pt("pt-online-schema-change");
    assertThat(pt.command(WIDEN))
        .containsExactly(
            "pt-online-schema-change",
            "--alter=MODIFY zip VARCHAR(40)",
            "--execute",
            "--set-vars=lock_wait_timeout=1,innodb_lock_wait_timeout=1",
            "--tries=create_triggers:20:0.1,drop_triggers:20:0.1,swap_tables:20:0.1,"
                + "update_foreign_keys:20:0.1,copy_rows:20:0.1",
            "--chunk-time=0.5",
            "--max-load=Threads_running=25",
            "--critical-load=Threads_running=100",
            "--progress=time,5",
            "D=shop,t=customers,h=db.example,P=3307,u=app");
    assertThat(String.join(" ", pt.command(WIDEN))).doesNotContain("s3cret");
    assertThat(pt.environment()).containsEntry("MYSQL_PWD", "s3cret");
    assertThat(pt.progress("Copying `shop`.`customers`:  52% 00:13 remain"))
        .contains("copying 52%, 00:13 remain");
    assertThat(pt.progress("Created new table shop._customers_new OK.")).isEmpty();
  }

  @Test
  void ghostGetsTheAlterAndReportsCopyProgress() throws Exception {
    GhostExecutor ghost =
        new GhostExecutor(
            script(
                "echo 'Copy: 0/200000 0.0%; Applied: 0; Backlog: 0/1000; Time: 1s(total); ETA: N/A'",
                "echo 'Copy: 100000/200000 50.0%; Applied: 12; Backlog: 0/1000; Time: 9s(total),"
                    + " 8s(copy); streamer: mysql-bin.000003:1234; Lag: 0.02s, State: migrating;"
                    + " ETA: 8s'",
                "echo '# Done'"),
            DatabaseType.MYSQL,
            MYSQL,
            DdlSettings.DEFAULTS,
            (executor, change, line) -> progress.add(line));
    assertThat(ghost.command(WIDEN))
        .contains(
            "--host=db.example",
            "--port=3307",
            "--database=shop",
            "--table=customers",
            "--alter=MODIFY zip VARCHAR(40)",
            "--cut-over-lock-timeout-seconds=1",
            "--default-retries=20",
            "--execute");
    ghost.execute(null, WIDEN);
    assertThat(progress)
        .contains(
            "copied 0 of 200000 rows (0.0%), ETA N/A",
            "copied 100000 of 200000 rows (50.0%), ETA 8s", "done");
  }

  @Test
  void pgOscGetsTheWholeStatementAndReportsItsLogMessages() throws Exception {
    DdlChange retype =
        DdlChange.parse("ALTER TABLE customers ALTER COLUMN zip TYPE text").orElseThrow();
    PgOscExecutor pgOsc =
        new PgOscExecutor(
            script(
                "echo '{\"name\":\"pg-online-schema-change\",\"level\":\"info\",\"msg\":\"Setting"
                    + " up audit table\",\"version\":\"0.9.0\"}'",
                "echo '{\"level\":\"info\",\"msg\":\"Replaying rows, count: 500\"}'"),
            DatabaseType.POSTGRESQL,
            POSTGRES,
            DdlSettings.DEFAULTS,
            (executor, change, line) -> progress.add(line));
    assertThat(pgOsc.command(retype))
        .containsExactly(
            pgOsc.command(retype).get(0),
            "perform",
            "--alter-statement=ALTER TABLE customers ALTER COLUMN zip TYPE text",
            "--dbname=shop",
            "--host=pg.example",
            "--port=5432",
            "--username=app",
            "--wait-time-for-lock=1",
            "--drop");
    pgOsc.execute(null, retype);
    assertThat(progress).contains("Setting up audit table", "Replaying rows, count: 500");
  }

  @Test
  void aMissingToolRefusesTheChange() {
    assertThatThrownBy(() -> pt(dir.resolve("no-such-tool").toString()).execute(null, WIDEN))
        .isInstanceOf(DdlRefusedException.class)
        .hasMessageContaining("could not be started")
        .hasMessageContaining("did not run");
  }

  @Test
  void aToolThatFailsFailsTheChangeWithItsLastOutput() throws Exception {
    PtOnlineSchemaChangeExecutor failing =
        pt(script("echo 'The table `shop`.`customers` does not have a primary key'", "exit 1"));
    assertThatThrownBy(() -> failing.execute(null, WIDEN))
        .isInstanceOf(DdlFailedException.class)
        .hasMessageContaining("exited with 1")
        .hasMessageContaining("does not have a primary key");
  }

  @Test
  void aToolRefusesTheOtherDatabase() {
    PgOscExecutor onMariaDb =
        new PgOscExecutor(
            "pg-online-schema-change",
            DatabaseType.MYSQL,
            MYSQL,
            DdlSettings.DEFAULTS,
            DdlProgress.NO_OP);
    assertThatThrownBy(() -> onMariaDb.execute(null, WIDEN))
        .isInstanceOf(DdlRefusedException.class)
        .hasMessageContaining("pg-osc runs on POSTGRESQL only");
  }

  @Test
  void anUnknownExecutorRefusesTheChange() {
    DdlExecutors executors = new DdlExecutors(List.of(pt("pt-online-schema-change")), "pt-osc");
    DdlChange typo =
        DdlChange.parse("-- expand-contract: executor=pt-ocs\nALTER TABLE t ADD COLUMN a INT")
            .orElseThrow();
    assertThatThrownBy(() -> executors.forChange(typo))
        .isInstanceOf(DdlRefusedException.class)
        .hasMessageContaining("unknown DDL executor 'pt-ocs'")
        .hasMessageContaining("[pt-osc]");
  }

  @Test
  void anotherDefaultRunsTheChangesWithoutADirectiveAndTheDirectiveStillWins() {
    NativeDdlExecutor nativeDdl = new NativeDdlExecutor(DatabaseType.MYSQL, DdlSettings.DEFAULTS);
    DdlExecutors perMigration =
        new DdlExecutors(List.of(nativeDdl, pt("pt-online-schema-change")), "native")
            .withDefault("pt-osc");
    DdlChange plain = DdlChange.parse("ALTER TABLE t DROP COLUMN a").orElseThrow();
    DdlChange directed =
        DdlChange.parse("-- expand-contract: executor=native\nALTER TABLE t DROP COLUMN a")
            .orElseThrow();

    assertThat(perMigration.forChange(plain).name()).isEqualTo("pt-osc");
    assertThat(perMigration.forChange(directed)).isSameAs(nativeDdl);
  }

  @Test
  void aDefaultThatCannotRunHereFailsBeforeAnyChange() {
    DdlExecutors executors =
        new DdlExecutors(
            List.of(
                new NativeDdlExecutor(DatabaseType.MYSQL, DdlSettings.DEFAULTS),
                new PgOscExecutor(
                    "pg-online-schema-change",
                    DatabaseType.MYSQL,
                    MYSQL,
                    DdlSettings.DEFAULTS,
                    DdlProgress.NO_OP)),
            "native");

    assertThatThrownBy(() -> executors.withDefault("pg-osc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pg-osc runs on POSTGRESQL only, this database is MYSQL");
    assertThatThrownBy(() -> executors.withDefault("pt-ocs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'pt-ocs' is not one of [native, pg-osc]");
  }

  private PtOnlineSchemaChangeExecutor pt(String binary) {
    return new PtOnlineSchemaChangeExecutor(
        binary,
        DatabaseType.MYSQL,
        MYSQL,
        DdlSettings.DEFAULTS,
        (e, c, line) -> progress.add(line));
  }

  /** A stand-in for a tool: prints what the lines say, whatever its arguments. */
  private String script(String... lines) throws Exception {
    Path script = dir.resolve("tool-" + System.nanoTime());
    Files.writeString(script, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script.toString();
  }
}
