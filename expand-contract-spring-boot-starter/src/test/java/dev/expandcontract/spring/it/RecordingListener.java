package dev.expandcontract.spring.it;

import dev.expandcontract.core.event.ExpandContractListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An application's listener bean: records what the tests assert on. */
public class RecordingListener implements ExpandContractListener {

  /** {@code migrationId:key} of each shadow mismatch. */
  public final List<String> shadowMismatches = new CopyOnWriteArrayList<>();

  /** {@code migrationId:flag} of each flag that was not honoured. */
  public final List<String> flagOverrides = new CopyOnWriteArrayList<>();

  /** Migrations whose batch found the database unreachable after its retries. */
  public final List<String> databaseUnavailable = new CopyOnWriteArrayList<>();

  @Override
  public void databaseUnavailable(String migrationId, Throwable error) {
    databaseUnavailable.add(migrationId);
  }

  @Override
  public void shadowMismatch(String migrationId, Object key) {
    shadowMismatches.add(migrationId + ":" + key);
  }

  @Override
  public void flagOverridden(String migrationId, String flag, String reason) {
    flagOverrides.add(migrationId + ":" + flag);
  }

  public void reset() {
    shadowMismatches.clear();
    flagOverrides.clear();
    databaseUnavailable.clear();
  }
}
