/*
 * The phase / fleet protocol of expand-contract, checked exhaustively with spin for
 * "no acknowledged write is lost": every live instance reads, for every key, the value last
 * acknowledged to a writer, in every interleaving of writes, refreshes (with lag), instance death,
 * stop-old-writes, rollback from NEW_ONLY with its re-sync, and contract. Writes are inserts of
 * new keys (the rows a lagging instance adds are what a re-sync can miss); each value is 1.
 *
 * Checked by ProtocolModelTest (spin -a; gcc -DSAFETY; ./pan). By hand:
 *   spin -a expand_contract.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m100000
 * Each -D macro below re-introduces a defect the model must catch:
 *   RESYNC_RANGE_AT_ROLLBACK      the re-sync's upper key fixed at the rollback (issue 9, defect 1)
 *   GUARD_BY_PHASE_ONLY           fleet guards ignore the version an instance has seen
 *   CONTRACT_WITHOUT_CONTRACTING  contract runs its DDL while rollback may still interleave (defect 8)
 *
 * Scope: the model starts at READ_NEW 100% with old and new equal (the forward backfill and its
 * verification are proved by the convergence, copy-race and lifecycle tests on real databases).
 */

#define N 2          /* instances */
#define K 2          /* keys: 1..K */

/* phases (Phase.java), as far as routing is concerned */
#define EXPANDED    0   /* writes old + new, reads old */
#define READ_NEW    1   /* READ_NEW 100%: writes old + new, reads new */
#define NEW_ONLY    2   /* writes new, reads new */
#define CONTRACTING 3
#define CONTRACTED  4

#define writesOld(p) (p <= READ_NEW)
#define readsNew(p)  (p >= READ_NEW)

/* the shared state row (StateStore): phase, version, re-sync, its upper key */
byte phase = READ_NEW;
byte ver = 1;
byte resync = 0;        /* 0 none, 1 range not fixed yet, 2 copying up to upper */
byte upper = 0;
bool oldDropped = false;

/* the data: value per key in the old and new schema, and the last acknowledged write */
byte oldv[K + 1];
byte newv[K + 1];
byte acked[K + 1];
byte maxCommitted = 0;  /* highest key of a committed row (ORDER BY key DESC LIMIT 1) */
byte nextKey = 1;

/* each instance (ExpandContract): the view it adopted, its heartbeat, its write in flight */
byte viewPhase[N];
byte viewVer[N];
byte hbVer[N];
bool hbWritesOld[N];
bool hbReadsNew[N];
bool dead[N];
bool excluded[N];       /* no heartbeat within instance-timeout: no longer live */
bool inflight[N];
byte wPhase[N];         /* the view the write in flight routes by */
byte wKey[N];
byte wValue[N];         /* always 1: the row exists */
byte wRefreshes[N];     /* refreshes since the write began: requests finish within one interval */

/* InstanceView.acknowledged: has seen this version (or a later one) and applies what is asked */
#ifdef GUARD_BY_PHASE_ONLY
#define seen(i) true
#else
#define seen(i) (hbVer[i] >= ver)
#endif
#define fleetReadsNew  ((excluded[0] || (seen(0) && hbReadsNew[0])) && (excluded[1] || (seen(1) && hbReadsNew[1])))
#define fleetWritesOld ((excluded[0] || (seen(0) && hbWritesOld[0])) && (excluded[1] || (seen(1) && hbWritesOld[1])))
#define fleetNoOld     ((excluded[0] || (seen(0) && !hbWritesOld[0])) && (excluded[1] || (seen(1) && !hbWritesOld[1])))

/* invariant 1 for one live instance and one key: its reads return the acknowledged value */
#define readsAcked(i, k) (dead[i] || acked[k] == 0 || \
  (readsNew(viewPhase[i]) -> newv[k] == acked[k] : (!oldDropped && oldv[k] == acked[k])))
#define noLostWrite (readsAcked(0,1) && readsAcked(0,2) && readsAcked(1,1) && readsAcked(1,2))

/* ExpandContract.refresh: heartbeat of the view adopted at the previous refresh, then adopt */
inline refresh(i) {
  atomic {
    !dead[i] && (!inflight[i] || wRefreshes[i] == 0) ->
    hbVer[i] = viewVer[i];
    hbWritesOld[i] = writesOld(viewPhase[i]);
    hbReadsNew[i] = readsNew(viewPhase[i]);
    viewPhase[i] = phase;
    viewVer[i] = ver;
    if :: inflight[i] -> wRefreshes[i]++ :: else -> skip fi
  }
}

proctype Instance(byte i) {
end:
  do
  :: dead[i] -> break
  :: refresh(i)
  :: atomic {   /* a request begins: an insert, routed by the view (writableState) */
       !dead[i] && !inflight[i] && nextKey <= K && viewPhase[i] < CONTRACTING ->
       wKey[i] = nextKey;
       nextKey++;
       wValue[i] = 1;
       wPhase[i] = viewPhase[i];
       wRefreshes[i] = 0;
       inflight[i] = true
     }
  :: atomic {   /* it commits (MigratedRows.write): one transaction; then it is acknowledged */
       !dead[i] && inflight[i] ->
       inflight[i] = false;
       wRefreshes[i] = 0;
       if
       :: writesOld(wPhase[i]) && oldDropped -> skip   /* the old column is gone: it fails */
       :: writesOld(wPhase[i]) && !oldDropped ->
            oldv[wKey[i]] = wValue[i]; newv[wKey[i]] = wValue[i]; acked[wKey[i]] = wValue[i]
       :: !writesOld(wPhase[i]) ->
            newv[wKey[i]] = wValue[i]; acked[wKey[i]] = wValue[i]
       fi;
       if :: wKey[i] > maxCommitted -> maxCommitted = wKey[i] :: else -> skip fi;
       wKey[i] = 0; wPhase[i] = 0
     }
  :: atomic {   /* kill -9: the write in flight rolls back; the view is gone */
       !dead[i] -> dead[i] = true; inflight[i] = false; wKey[i] = 0; wPhase[i] = 0;
       wRefreshes[i] = 0; viewPhase[i] = 0; viewVer[i] = 0
     }
  od
}

/* the operator's actions (MigrationControl), each read-check-apply under the version check */
proctype Operator() {
  byte rollbacks = 0;
end:
  do
  :: atomic {   /* stopOldWrites */
       phase == READ_NEW && resync == 0 && fleetReadsNew -> phase = NEW_ONLY; ver++
     }
  :: atomic {   /* rollback from NEW_ONLY: writes both again; the re-sync follows */
       phase == NEW_ONLY && rollbacks < 1 ->
       rollbacks++; phase = READ_NEW; ver++;
#ifdef RESYNC_RANGE_AT_ROLLBACK
       upper = maxCommitted; resync = 2
#else
       resync = 1
#endif
     }
  :: atomic {   /* rollback before NEW_ONLY: reads from old again, once re-synced */
       phase == READ_NEW && resync == 0 && rollbacks >= 1 -> phase = EXPANDED; ver++
     }
#ifdef CONTRACT_WITHOUT_CONTRACTING
  :: atomic { phase == NEW_ONLY && fleetNoOld && !oldDropped -> oldDropped = true }
  :: atomic { phase == NEW_ONLY && oldDropped -> phase = CONTRACTED; ver++ }
#else
  :: atomic { phase == NEW_ONLY && fleetNoOld -> phase = CONTRACTING; ver++ }
  :: atomic { phase == CONTRACTING -> oldDropped = true; phase = CONTRACTED; ver++ }
#endif
  :: atomic {   /* an instance without heartbeat stops counting; it no longer writes by then */
       dead[0] && !excluded[0] -> excluded[0] = true
     }
  :: atomic { dead[1] && !excluded[1] -> excluded[1] = true }
  :: phase == CONTRACTED || phase == EXPANDED -> break
  od
}

/* BackfillEngine: the re-sync fixes its range once the fleet writes old again, then copies */
proctype Resync() {
  byte k;
end:
  do
  :: atomic { resync == 1 && fleetWritesOld -> upper = maxCommitted; resync = 2; ver++ }
  :: resync == 2 ->
     k = 1;
     do
     :: k <= upper -> atomic { oldv[k] = newv[k]; k++ }   /* one row, locked, new -> old */
     :: k > upper -> break
     od;
     atomic { resync = 0; ver++ }
  :: phase == CONTRACTED || phase == EXPANDED -> break
  od
}

/* checks the invariant in every reachable state */
active proctype Monitor() {
end:
  atomic { !noLostWrite -> assert(false) }
}

init {
  byte i, k;
  atomic {
    k = 1;
    do :: k <= K -> oldv[k] = 0; newv[k] = 0; acked[k] = 0; k++ :: else -> break od;
    i = 0;
    do
    :: i < N ->
       viewPhase[i] = READ_NEW; viewVer[i] = 1; hbVer[i] = 1;
       hbWritesOld[i] = true; hbReadsNew[i] = true;
       run Instance(i); i++
    :: else -> break
    od;
    run Operator();
    run Resync()
  }
}
