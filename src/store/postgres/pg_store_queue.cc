// PgStore: the queue, claims, leases, status and integrity checks.
//
// How claims stay exact across connections and processes (READ COMMITTED): every queued item has
// one claim_locks row. Everything that changes what a claim of the item may see — a claim, a
// lease ending, an enqueue, a queue clear, a hold — first locks that row and bumps its `seq`, and
// only then touches the item's queue entries and leases (always this order: no deadlocks between
// them). A claim is one statement: it picks the best entry whose claim_locks row it can lock at
// once (FOR UPDATE SKIP LOCKED: rows another claim holds are passed over, not waited for), and
// only if that row's seq is still the one its snapshot saw (when a concurrent transaction bumped
// it and committed after the snapshot, PostgreSQL re-checks the row with its new seq against the
// snapshot's, the test fails and the entry is passed over). So the leases the claim counted for
// the item are exactly the committed ones: overlap and "not twice to one person" hold exactly.
#include <algorithm>

#include "core/ids.h"
#include "store/backend_rules.h"
#include "store/postgres/pg_clock.h"
#include "store/postgres/pg_labels.h"
#include "store/postgres/pg_store.h"

namespace hitloop::pg {

namespace {

constexpr const char* kLeaseColumns = "id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state";

Result<Lease> ReadLease(const PgRows& r, int i) {
  Lease l;
  l.id = r.Text(i, 0);
  l.item_id = r.Int(i, 1);
  l.project_id = r.Int(i, 2);
  l.annotator = r.Text(i, 3);
  l.pool = r.Text(i, 4);
  l.created_at = r.Int(i, 6);
  l.expires_at = r.Int(i, 7);
  RETURN_IF_ERROR(ReadLeaseKindAndState(r.Text(i, 5), r.Text(i, 8), &l));
  return l;
}

// $1 project, $2 now, $3 annotator, $4 pool(s), $5 lease id, $6 expires_at, $7 kinds (empty =
// any), $8 kinds passed over. `one_pool`: $4 is one pool (an ordered walk of queue_claim) rather
// than an array.
std::string ClaimSql(bool one_pool) {
  std::string sql =
      "WITH pick AS (SELECT q.id, q.item_id, q.pool, q.kind, q.priority, q.overlap, q.done, q.reason,"
      "   (SELECT count(*) FROM leases l WHERE l.queue_id=q.id AND l.state='active' AND l.expires_at>$2) AS live,"
      "   (SELECT min(expires_at) FROM leases l WHERE l.queue_id=q.id AND l.state='active'"
      "     AND l.expires_at>$2) AS min_exp"
      " FROM queue q JOIN claim_locks c ON c.item_id=q.item_id"
      " WHERE q.project_id=$1 AND q.open AND ";
  sql += one_pool ? "q.pool=$4" : "q.pool=ANY($4::text[])";
  sql +=
      " AND (cardinality($7::text[])=0 OR q.kind=ANY($7::text[])) AND NOT (q.kind=ANY($8::text[]))"
      " AND q.busy_until<=$2"
      " AND q.done + (SELECT count(*) FROM leases l WHERE l.queue_id=q.id AND l.state='active'"
      "   AND l.expires_at>$2) < q.overlap"
      " AND NOT EXISTS (SELECT 1 FROM leases m WHERE m.queue_id=q.id AND m.annotator=$3 AND"
      "   (m.state IN ('submitted','skipped') OR (m.state='active' AND m.expires_at>$2)))"
      // The overlap is per item: an item held under another open entry is not handed out.
      " AND NOT EXISTS (SELECT 1 FROM queue o JOIN leases h ON h.queue_id=o.id"
      "   WHERE o.item_id=q.item_id AND o.id<>q.id AND o.open AND h.state='active' AND h.expires_at>$2)"
      // An adjudication never goes to one of the people whose answers it settles.
      " AND NOT (q.kind='adjudicate' AND EXISTS (SELECT 1 FROM queue r JOIN leases d ON d.queue_id=r.id"
      "   WHERE r.item_id=q.item_id AND r.id<>q.id AND d.annotator=$3 AND d.state='submitted'))"
      // Unchanged since this statement's snapshot (see the top of this file).
      " AND c.seq=(SELECT c2.seq FROM claim_locks c2 WHERE c2.item_id=q.item_id)"
      " ORDER BY q.priority DESC, q.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED),"
      " bump AS (UPDATE claim_locks c SET seq=c.seq+1 FROM pick WHERE c.item_id=pick.item_id),"
      " lease AS (INSERT INTO leases(id, queue_id, item_id, project_id, annotator, pool, kind, created_at,"
      "   expires_at, state) SELECT $5, pick.id, pick.item_id, $1, $3, pick.pool, pick.kind, $2, $6, 'active'"
      "   FROM pick),"
      // This lease may fill the entry's last slot: then nobody can claim it before the first of its
      // leases expires (a hint: an early end resets it, and the claim counts leases anyway).
      " busy AS (UPDATE queue SET busy_until=LEAST(COALESCE(pick.min_exp, $6), $6) FROM pick"
      "   WHERE queue.id=pick.id AND pick.done + pick.live + 1 >= pick.overlap)"
      " SELECT id, item_id, pool, kind, priority, overlap, done, reason FROM pick";
  return sql;
}
}  // namespace

Result<int64_t> PgStore::Enqueue(const QueueEntry& e) {
  if (e.overlap < 1) return InvalidArgument("overlap: must be >= 1");
  RETURN_IF_ERROR(CheckText("pool", e.pool));
  RETURN_IF_ERROR(CheckText("reason", e.reason));
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    PgParams c;
    c.Add(e.item_id);
    RETURN_IF_ERROR(Query("INSERT INTO claim_locks(item_id) VALUES($1) ON CONFLICT(item_id) DO UPDATE"
                          " SET seq=claim_locks.seq+1", c, "lock item for enqueue"));
    PgParams p;
    p.Add(e.project_id).Add(e.item_id).Add(e.pool).Add(e.kind).Add(e.priority).Add(e.overlap);
    p.Add(Now()).Add(e.reason);
    PgRows r;
    RETURN_IF_ERROR(Query(
        "INSERT INTO queue(project_id, item_id, pool, kind, priority, overlap, done, open, created_at, reason)"
        " VALUES($1,$2,$3,$4,$5,$6,0,TRUE,$7,$8) ON CONFLICT(item_id, kind) WHERE open DO UPDATE SET"
        " pool=excluded.pool, priority=excluded.priority, overlap=excluded.overlap, busy_until=0,"
        " reason=excluded.reason RETURNING id", p, &r, "enqueue"));
    id = r.Int(0, 0);
    return Query("UPDATE items SET state='queued' WHERE id=$1 AND state IN ('unlabeled','auto')", c,
                 "mark queued");
  });
  if (!st.ok()) return st;
  return id;
}

namespace {

// Closing a queue: its untouched open entries close (entries someone holds or has partly answered
// stay, gold questions stay), then its items left queued without an open entry are unlabeled
// again. `scope` selects the entries with parameters $1..$(now_param - 1); $now_param is now.
std::string CloseUntouchedSql(const std::string& scope, int now_param) {
  return "UPDATE queue SET open=FALSE WHERE " + scope +
         " AND open AND done=0 AND pool<>'_gold' AND NOT EXISTS (SELECT 1 FROM leases l WHERE"
         " l.queue_id=queue.id AND l.state='active' AND l.expires_at>$" +
         std::to_string(now_param) + ")";
}
std::string UnqueueItemsSql(const std::string& item_scope) {
  return "UPDATE items SET state='unlabeled' WHERE " + item_scope +
         " AND state='queued' AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.item_id=items.id AND q.open)";
}

}  // namespace

Status PgStore::ClearQueue(int64_t project_id, const std::string& kind) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(project_id).Add(kind);
    // The items' claim rows first (the order every queue write keeps), then the entries, read
    // after those locks: leases committed meanwhile are seen.
    RETURN_IF_ERROR(Query("UPDATE claim_locks SET seq=seq+1 WHERE item_id IN (SELECT item_id FROM queue"
                          " WHERE project_id=$1 AND kind=$2 AND open AND done=0 AND pool<>'_gold')", p,
                          "lock queue items"));
    p.Add(Now());
    RETURN_IF_ERROR(Query(CloseUntouchedSql("project_id=$1 AND kind=$2", 3), p, "clear queue"));
    PgParams u;
    u.Add(project_id);
    return Query(UnqueueItemsSql("project_id=$1"), u, "clear queue states");
  });
}

Status PgStore::CloseItemEntries(int64_t item_id) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(item_id);
    // The item's claim row first (the order every queue write keeps).
    RETURN_IF_ERROR(Query("UPDATE claim_locks SET seq=seq+1 WHERE item_id=$1", p, "lock queue item"));
    p.Add(Now());
    RETURN_IF_ERROR(
        Query(CloseUntouchedSql("item_id=$1 AND kind IN ('review','audit')", 2), p, "close item entries"));
    PgParams u;
    u.Add(item_id);
    return Query(UnqueueItemsSql("id=$1"), u, "close item entries: state");
  });
}

Result<std::optional<ClaimResult>> PgStore::Claim(const ClaimRequest& in) {
  // A gold question or a rework is a claim of its reserved pool (store/backend_rules.h); a gold
  // question is leased as kind "gold" in the asked pool.
  if (!in.gold_for_pool.empty()) RETURN_IF_ERROR(CheckText("pool", in.gold_for_pool));
  ClaimRequest rewritten;
  ASSIGN_OR_RETURN(const ClaimRequest* resolved, ResolveClaimRequest(in, &rewritten));
  const ClaimRequest& req = *resolved;
  if (req.pools.empty()) return std::optional<ClaimResult>();
  RETURN_IF_ERROR(CheckText("annotator", req.annotator));
  for (const auto& p : req.pools) RETURN_IF_ERROR(CheckText("pool", p));
  for (const auto& k : req.kinds) RETURN_IF_ERROR(CheckText("kind", k));
  for (const auto& k : req.exclude_kinds) RETURN_IF_ERROR(CheckText("kind", k));
  const bool one_pool = req.pools.size() == 1;
  Lease l;
  l.id = req.lease_id.empty() ? TimeOrderedId(req.now) : req.lease_id;
  l.project_id = req.project_id;
  l.annotator = req.annotator;
  l.created_at = req.now;
  l.expires_at = req.now + req.ttl_ms;
  std::optional<ClaimResult> out;
  Status st = AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(req.project_id).Add(req.now).Add(req.annotator);
    if (one_pool) p.Add(req.pools[0]);
    else p.AddTextArray(req.pools);
    p.Add(l.id).Add(l.expires_at).AddTextArray(req.kinds).AddTextArray(req.exclude_kinds);
    // A claim for some kinds only (the task mix's audit-first claim, a rework) first asks the
    // kind index whether the pools hold an open entry of those kinds at all. Without it such a
    // claim with none to find walked queue_claim through every open entry of the project, twice
    // (the retry below): ~40,000 index entries per `tasks/next` on 20,000 queued items, 0.5-2.4 s
    // a claim on 1M, and 42 claim+submit round trips/s for 64 clients on PostgreSQL
    // (bench/server/pg_load.sh; regression: tests/pg/claim_plan.py). When some exist they carry
    // the queue's highest priorities (audits) or sit in a pool of their own (rework), so the walk
    // finds them at once.
    // This question is planned for its values every time (libpq's unnamed statement), not
    // prepared: when every open entry is a review, a prepared statement's generic plan estimates
    // that any kind matches them all and reads the queue sequentially (0.56 s on 1M entries), while
    // the plan for kind 'audit' is an index-only scan of queue_open_by_pool (0.3 ms).
    if (!req.kinds.empty()) {
      PgParams k;
      k.Add(req.project_id).AddTextArray(req.pools).AddTextArray(req.kinds);
      PGresult* res = PQexecParams(conn_,
                                   "SELECT EXISTS(SELECT 1 FROM queue WHERE project_id=$1 AND open"
                                   " AND pool=ANY($2::text[]) AND kind=ANY($3::text[]))",
                                   k.size(), nullptr, k.values(), k.lengths(), k.formats(), 0);
      if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        Status err = ErrorFrom(res, "claim: any open entry of these kinds");
        PQclear(res);
        return err;
      }
      PgRows any(res);
      if (any.rows() != 1 || !any.Bool(0, 0)) return Status::Ok();
    }
    PgRows r;
    RETURN_IF_ERROR(Query(ClaimSql(one_pool), p, &r, "claim"));
    // Nothing: perhaps every candidate changed after this statement's snapshot (passed over,
    // see the top of the file). Once more, on a fresh snapshot; entries other transactions hold
    // at this instant stay passed over (the caller asks again later).
    if (r.rows() == 0) RETURN_IF_ERROR(Query(ClaimSql(one_pool), p, &r, "claim"));
    if (r.rows() == 0) return Status::Ok();
    QueueEntry e;
    e.id = r.Int(0, 0);
    e.project_id = req.project_id;
    e.item_id = r.Int(0, 1);
    e.pool = r.Text(0, 2);
    e.kind = r.Text(0, 3);
    e.priority = r.Double(0, 4);
    e.overlap = static_cast<int>(r.Int(0, 5));
    e.done = static_cast<int>(r.Int(0, 6));
    e.reason = r.Text(0, 7);
    l.item_id = e.item_id;
    l.pool = e.pool;
    ASSIGN_OR_RETURN(l.kind, ClaimedLeaseKind(req, e));
    if (req.rework_only) {
      PgParams g;
      g.Add(l.id);
      RETURN_IF_ERROR(Query("UPDATE leases SET kind='rework' WHERE id=$1", g, "lease rework"));
    }
    if (!req.gold_for_pool.empty()) {
      l.pool = req.gold_for_pool;
      PgParams g;
      g.Add(l.id).Add(l.pool);
      RETURN_IF_ERROR(Query("UPDATE leases SET pool=$2, kind='gold' WHERE id=$1", g, "lease gold question"));
    }
    out = ClaimResult{l, std::move(e)};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// ---------------------------------------------------------------- gold questions

Result<int64_t> PgStore::EnsureGoldQueue(int64_t project_id) {
  int64_t opened = 0;
  Status st = AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(project_id);
    // The items' claim rows first (the order every queue write keeps), then their entries.
    const char* kNeed =
        " FROM items i WHERE i.project_id=$1 AND i.split='gold' AND i.labels IS NOT NULL AND i.hold IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.item_id=i.id AND q.kind='review' AND q.open)";
    RETURN_IF_ERROR(Query(std::string("INSERT INTO claim_locks(item_id) SELECT i.id") + kNeed +
                              " ON CONFLICT(item_id) DO UPDATE SET seq=claim_locks.seq+1",
                          p, "lock gold items"));
    p.Add(kGoldOverlap).Add(Now());
    PgRows r;
    // Priority: a fixed hash of the item id in [0, 1) (Knuth's multiplicative hash).
    RETURN_IF_ERROR(Query(std::string("WITH ins AS (INSERT INTO queue(project_id, item_id, pool, kind, priority,"
                                      " overlap, done, open, created_at, reason) SELECT i.project_id, i.id,"
                                      " '_gold', 'review', ((i.id * 2654435761) % 1000003) / 1000003.0, $2::integer, 0,"
                                      " TRUE, $3::bigint, 'gold'") +
                              kNeed + " RETURNING 1) SELECT count(*) FROM ins",
                          p, &r, "enqueue gold questions"));
    opened = r.Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return opened;
}

Status PgStore::PutGoldAnswer(int64_t project_id, int64_t item_id, const std::string& annotator,
                              bool correct, int64_t now) {
  RETURN_IF_ERROR(CheckText("annotator", annotator));
  PgParams p;
  p.Add(project_id).Add(annotator).Add(item_id).Add(correct).Add(now);
  return Query("INSERT INTO gold_answers(project_id, annotator, item_id, correct, counted, answered_at)"
               " VALUES($1,$2,$3,$4,TRUE,$5) ON CONFLICT(project_id, annotator, item_id) DO UPDATE SET"
               " correct=excluded.correct, counted=TRUE, answered_at=excluded.answered_at",
               p, "record gold answer");
}

Result<std::vector<GoldScore>> PgStore::GoldScores(int64_t project_id, const std::string& annotator) {
  RETURN_IF_ERROR(CheckText("annotator", annotator));
  PgParams p;
  p.Add(project_id).Add(annotator);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT annotator, count(*), count(*) FILTER (WHERE correct) FROM gold_answers"
                        " WHERE project_id=$1 AND counted AND ($2='' OR annotator=$2)"
                        " GROUP BY annotator ORDER BY annotator COLLATE \"C\"",
                        p, &r, "read gold scores"));
  std::vector<GoldScore> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Int(i, 1), r.Int(i, 2)});
  return out;
}

Result<int64_t> PgStore::ClearGoldScores(int64_t project_id, const std::string& annotator) {
  RETURN_IF_ERROR(CheckText("annotator", annotator));
  PgParams p;
  p.Add(project_id).Add(annotator);
  PgRows r;
  RETURN_IF_ERROR(Query("WITH c AS (UPDATE gold_answers SET counted=FALSE WHERE project_id=$1 AND annotator=$2"
                        " AND counted RETURNING 1) SELECT count(*) FROM c",
                        p, &r, "clear gold scores"));
  return r.Int(0, 0);
}

Result<Lease> PgStore::GetLease(const std::string& lease_id) {
  if (!CheckText("lease", lease_id).ok()) return NotFound("lease not found");
  PgParams p;
  p.Add(lease_id);
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kLeaseColumns + " FROM leases WHERE id=$1", p, &r, "read lease"));
  if (r.rows() == 0) return NotFound("lease not found");
  return ReadLease(r, 0);
}

Status PgStore::FinishLease(const std::string& lease_id, const std::string& annotator,
                            LeaseState new_state, int64_t now) {
  if (new_state == LeaseState::kActive) return InvalidArgument("lease state: active");
  if (!CheckText("lease", lease_id).ok()) return NotFound("lease not found");
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(lease_id);
    PgRows r;
    // The item's claim row first (see the top of the file); then the lease, read after that lock.
    RETURN_IF_ERROR(Query("UPDATE claim_locks SET seq=seq+1 WHERE item_id=(SELECT item_id FROM leases"
                          " WHERE id=$1)", p, "lock item for finish"));
    RETURN_IF_ERROR(Query("SELECT queue_id, annotator, state, expires_at FROM leases WHERE id=$1 FOR UPDATE",
                          p, &r, "read lease"));
    if (r.rows() == 0) return NotFound("lease not found");
    if (r.Text(0, 1) != annotator) return Conflict("lease is held by someone else");
    if (r.Text(0, 2) != "active") return Conflict("lease is " + r.Text(0, 2));
    if (r.Int(0, 3) <= now) return Conflict("lease expired");
    const int64_t queue_id = r.Int(0, 0);
    PgParams u;
    u.Add(LeaseStateName(new_state)).Add(now).Add(lease_id);
    PgRows done;
    RETURN_IF_ERROR(Query("UPDATE leases SET state=$1, finished_at=$2 WHERE id=$3 AND state='active'", u,
                          &done, "finish lease"));
    if (done.affected() != 1) return Conflict("lease changed concurrently");
    PgParams q;
    q.Add(queue_id);
    if (new_state == LeaseState::kSubmitted) {
      return Query("UPDATE queue SET done=done+1, open=CASE WHEN done+1>=overlap THEN FALSE ELSE open END,"
                   " busy_until=0 WHERE id=$1", q, "update queue");
    }
    return Query("UPDATE queue SET busy_until=0 WHERE id=$1 AND busy_until<>0", q, "update queue");
  });
}

Result<ProjectStatus> PgStore::GetStatus(int64_t project_id) {
  ProjectStatus out;
  PgParams p;
  p.Add(project_id);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT state, label_source, split, count(*), hold FROM items WHERE project_id=$1"
                        " GROUP BY state, label_source, split, hold", p, &r, "status"));
  for (int i = 0; i < r.rows(); ++i) {
    const int64_t n = r.Int(i, 3);
    if (!r.IsNull(i, 4)) {
      (r.Text(i, 4) == "deleted" ? out.deleted : out.quarantined) += n;
      continue;
    }
    out.items += n;
    out.by_state[r.Text(i, 0)] += n;
    if (!r.IsNull(i, 1)) out.by_label_source[r.Text(i, 1)] += n;
    out.by_split[r.Text(i, 2)] += n;
  }
  RETURN_IF_ERROR(Query("SELECT labels, count(*) FROM items WHERE project_id=$1 AND labels IS NOT NULL"
                        " AND hold IS NULL GROUP BY labels", p, &r, "status labels"));
  for (int i = 0; i < r.rows(); ++i) {
    for (const auto& l : LabelsFromJson(r.Text(i, 0))) out.by_label[l] += r.Int(i, 1);
  }
  RETURN_IF_ERROR(Query("SELECT (SELECT count(*) FROM annotations WHERE project_id=$1),"
                        " (SELECT count(DISTINCT item_id) FROM visible_predictions WHERE project_id=$1),"
                        " (SELECT count(*) FROM queue WHERE project_id=$1 AND open AND pool<>'_gold')", p, &r, "status counts"));
  out.annotations = r.Int(0, 0);
  out.predictions = r.Int(0, 1);
  out.queued = r.Int(0, 2);
  p.Add(Now());
  RETURN_IF_ERROR(Query("SELECT count(*) FROM leases WHERE project_id=$1 AND state='active' AND expires_at>$2",
                        p, &r, "status leases"));
  out.active_leases = r.Int(0, 0);
  return out;
}

// PostgreSQL has no PRAGMA integrity_check (its pages carry checksums only if initdb enabled
// them): the check here is logical — the invariants hitloop's own writes keep.
Status PgStore::CheckIntegrity() {
  PgRows r;
  RETURN_IF_ERROR(Query(
      "SELECT (SELECT count(*) FROM queue q WHERE (SELECT count(*) FROM leases l WHERE l.queue_id=q.id"
      "   AND l.state='submitted') <> q.done),"
      " (SELECT count(*) FROM queue q WHERE NOT EXISTS (SELECT 1 FROM claim_locks c WHERE c.item_id=q.item_id)),"
      " (SELECT count(*) FROM leases l WHERE NOT EXISTS (SELECT 1 FROM queue q WHERE q.id=l.queue_id"
      "   AND q.item_id=l.item_id))", PgParams(), &r, "integrity check"));
  std::string report;
  const char* what[] = {"queue entries whose done count differs from their submitted leases",
                        "queue entries without a claim row",
                        "leases whose item differs from their queue entry's"};
  for (int c = 0; c < 3; ++c) {
    if (r.Int(0, c) == 0) continue;
    if (!report.empty()) report += "; ";
    report += std::to_string(r.Int(0, c)) + " " + what[c];
  }
  if (!report.empty()) return Corruption(where() + ": integrity check: " + report);
  return Status::Ok();
}

Result<std::map<std::pair<std::string, std::string>, int64_t>> PgStore::QueueCounts(int64_t project_id) {
  PgParams p;
  p.Add(project_id);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT pool, kind, count(*) FROM queue WHERE project_id=$1 AND open GROUP BY pool, kind",
                        p, &r, "queue counts"));
  std::map<std::pair<std::string, std::string>, int64_t> out;
  for (int i = 0; i < r.rows(); ++i) out[{r.Text(i, 0), r.Text(i, 1)}] = r.Int(i, 2);
  return out;
}

Result<int64_t> PgStore::CountOpenQueue(int64_t project_id, const std::vector<std::string>& pools) {
  for (const auto& pool : pools) RETURN_IF_ERROR(CheckText("pool", pool));
  PgParams p;
  p.Add(project_id).AddTextArray(pools);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT count(*) FROM queue WHERE project_id=$1 AND open AND pool=ANY($2::text[])", p, &r,
                        "count queue"));
  return r.Int(0, 0);
}

Result<std::vector<Lease>> PgStore::ListSubmittedLeases(int64_t project_id, const std::string& annotator,
                                                        int limit) {
  if (!CheckText("annotator", annotator).ok()) return std::vector<Lease>();
  PgParams p;
  p.Add(project_id).Add(annotator).Add(static_cast<int64_t>(std::max(0, limit)));
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kLeaseColumns +
                            " FROM leases WHERE project_id=$1 AND annotator=$2 AND state='submitted'"
                            " ORDER BY created_at DESC, id COLLATE \"C\" DESC LIMIT $3", p, &r,
                        "list submitted leases"));
  std::vector<Lease> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(Lease l, ReadLease(r, i));
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace hitloop::pg
