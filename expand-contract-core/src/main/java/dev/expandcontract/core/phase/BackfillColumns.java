package dev.expandcontract.core.phase;

import java.util.HashMap;
import java.util.Map;

/** The state row's columns of a backfill run, as a transition leaves them. */
final class BackfillColumns {

  private BackfillColumns() {}

  /** A run not started yet, or started at {@code startedAt}: no progress, no error, no claim. */
  static Map<String, Object> fresh(Long startedAt) {
    Map<String, Object> changes = new HashMap<>();
    changes.put("cursor_key", null);
    changes.put("rows_done", 0);
    changes.put("paused", 0);
    changes.put("last_error", null);
    changes.put("claim_owner", null);
    changes.put("claim_until", null);
    changes.put("backfill_started_at", startedAt);
    changes.put("backfill_finished_at", null);
    return changes;
  }
}
