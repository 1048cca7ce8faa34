// SqliteStore: the work queue, claims and leases, and the project status counts. See the
// "queue and leases" section of store/store.h.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>

#include "core/ids.h"
#include "store/backend_rules.h"
#include "store/sqlite/prepare.h"
#include "store/sqlite/sqlite_store_internal.h"

namespace hitloop::sqlite {

// ---------------------------------------------------------------- queue and leases

Result<int64_t> SqliteStore::Enqueue(const QueueEntry& e) {
  if (e.overlap < 1) return InvalidArgument("overlap: must be >= 1");
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    PREPARE(s,
            "INSERT INTO queue(project_id, item_id, pool, kind, priority, overlap, done, open, created_at, reason)"
            " VALUES(?,?,?,?,?,?,0,1,?,?) ON CONFLICT(item_id, kind) WHERE open=1 DO UPDATE SET"
            " pool=excluded.pool, priority=excluded.priority, overlap=excluded.overlap, busy_until=0,"
            " reason=excluded.reason RETURNING id");
    s.Bind(1, e.project_id).Bind(2, e.item_id).Bind(3, e.pool).Bind(4, e.kind).Bind(5, e.priority);
    s.Bind(6, static_cast<int64_t>(e.overlap)).Bind(7, Now()).Bind(8, e.reason);
    if (s.Step() != SQLITE_ROW) return Error("enqueue");
    id = s.Int(0);
    if (s.Step() != SQLITE_DONE) return Error("enqueue");
    PREPARE(u, "UPDATE items SET state='queued' WHERE id=? AND state IN ('unlabeled','auto')");
    u.Bind(1, e.item_id);
    if (u.Step() != SQLITE_DONE) return Error("mark queued");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

namespace {

// Closing a queue: its untouched open entries close (entries someone holds or has partly answered
// stay, gold questions stay), then its items left queued without an open entry are unlabeled
// again. `scope` selects the entries (its parameters first, then one for now); `item_scope` the
// items (the same parameters).
std::string CloseUntouchedSql(const std::string& scope) {
  return "UPDATE queue SET open=0 WHERE " + scope +
         " AND open=1 AND done=0 AND pool!='_gold' AND NOT EXISTS"
         " (SELECT 1 FROM leases l WHERE l.queue_id=queue.id AND l.state='active' AND l.expires_at>?)";
}
std::string UnqueueItemsSql(const std::string& item_scope) {
  return "UPDATE items SET state='unlabeled' WHERE " + item_scope +
         " AND state='queued' AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.item_id=items.id AND q.open=1)";
}

}  // namespace

Status SqliteStore::ClearQueue(int64_t project_id, const std::string& kind) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, CloseUntouchedSql("project_id=? AND kind=?"));
    s.Bind(1, project_id).Bind(2, kind).Bind(3, Now());
    if (s.Step() != SQLITE_DONE) return Error("clear queue");
    PREPARE(u, UnqueueItemsSql("project_id=?"));
    u.Bind(1, project_id);
    if (u.Step() != SQLITE_DONE) return Error("clear queue states");
    return Status::Ok();
  });
}

Status SqliteStore::CloseItemEntries(int64_t item_id) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, CloseUntouchedSql("item_id=? AND kind IN ('review','audit')"));
    s.Bind(1, item_id).Bind(2, Now());
    if (s.Step() != SQLITE_DONE) return Error("close item entries");
    PREPARE(u, UnqueueItemsSql("id=?"));
    u.Bind(1, item_id);
    if (u.Step() != SQLITE_DONE) return Error("close item entries: state");
    return Status::Ok();
  });
}

Result<std::optional<ClaimResult>> SqliteStore::Claim(const ClaimRequest& in) {
  // A gold question or a rework is a claim of its reserved pool (store/backend_rules.h); a gold
  // question is leased as kind "gold" in the asked pool.
  ClaimRequest rewritten;
  ASSIGN_OR_RETURN(const ClaimRequest* resolved, ResolveClaimRequest(in, &rewritten));
  const ClaimRequest& req = *resolved;
  if (req.pools.empty()) return std::optional<ClaimResult>();
  std::string sql =
      "SELECT q.id, q.item_id, q.pool, q.kind, q.priority, q.overlap, q.done, q.reason FROM queue q"
      " WHERE q.project_id=?1 AND q.open=1 AND q.pool IN (";
  for (size_t i = 0; i < req.pools.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(4 + i);
  sql += ")";
  size_t next = 4 + req.pools.size();
  if (!req.kinds.empty()) {
    sql += " AND q.kind IN (";
    for (size_t i = 0; i < req.kinds.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(next + i);
    sql += ")";
    next += req.kinds.size();
  }
  const size_t exclude_at = next;
  if (!req.exclude_kinds.empty()) {
    sql += " AND q.kind NOT IN (";
    for (size_t i = 0; i < req.exclude_kinds.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(next + i);
    sql += ")";
  }
  // The busy_until test is answered from the index (queue_claim covers it), before the lease
  // subqueries (SQLite codes terms with subqueries last): held entries cost no lease lookups.
  sql +=
      " AND q.busy_until<=?2"
      " AND q.done + (SELECT COUNT(*) FROM leases l WHERE l.queue_id=q.id AND l.state='active'"
      "   AND l.expires_at>?2) < q.overlap"
      " AND NOT EXISTS (SELECT 1 FROM leases m WHERE m.queue_id=q.id AND m.annotator=?3 AND"
      "   (m.state IN ('submitted','skipped') OR (m.state='active' AND m.expires_at>?2)))"
      // An item can have two open entries (a review and an audit the cycle drew while the
      // review was out): the overlap is per item, so an item held under one entry is not handed
      // out under another until that lease ends.
      " AND NOT EXISTS (SELECT 1 FROM queue o JOIN leases h ON h.queue_id=o.id"
      "   WHERE o.item_id=q.item_id AND o.id!=q.id AND o.open=1"
      "   AND h.state='active' AND h.expires_at>?2)"
      // An adjudication is never given to one of the people whose answers it settles.
      " AND NOT (q.kind='adjudicate' AND EXISTS (SELECT 1 FROM queue r JOIN leases d ON d.queue_id=r.id"
      "   WHERE r.item_id=q.item_id AND r.id!=q.id AND d.annotator=?3 AND d.state='submitted'))"
      " ORDER BY q.priority DESC, q.id LIMIT 1";
  std::optional<ClaimResult> out;
  Status st = AutoTxn([&]() -> Status {
    QueueEntry e;
    {
      PREPARE(s, sql);
      s.Bind(1, req.project_id).Bind(2, req.now).Bind(3, req.annotator);
      for (size_t i = 0; i < req.pools.size(); ++i) s.Bind(static_cast<int>(4 + i), req.pools[i]);
      for (size_t i = 0; i < req.kinds.size(); ++i) s.Bind(static_cast<int>(4 + req.pools.size() + i), req.kinds[i]);
      for (size_t i = 0; i < req.exclude_kinds.size(); ++i) {
        s.Bind(static_cast<int>(exclude_at + i), req.exclude_kinds[i]);
      }
      int rc = s.Step();
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return Error("claim");
      e.id = s.Int(0);
      e.project_id = req.project_id;
      e.item_id = s.Int(1);
      e.pool = s.Text(2);
      e.kind = s.Text(3);
      e.priority = s.Double(4);
      e.overlap = static_cast<int>(s.Int(5));
      e.done = static_cast<int>(s.Int(6));
      e.reason = s.Text(7);
    }
    Lease l;
    l.id = req.lease_id.empty() ? TimeOrderedId(req.now) : req.lease_id;
    l.item_id = e.item_id;
    l.project_id = req.project_id;
    l.annotator = req.annotator;
    l.pool = req.gold_for_pool.empty() ? e.pool : req.gold_for_pool;
    ASSIGN_OR_RETURN(l.kind, ClaimedLeaseKind(req, e));
    l.created_at = req.now;
    l.expires_at = req.now + req.ttl_ms;
    PREPARE(ins,
            "INSERT INTO leases(id, queue_id, item_id, project_id, annotator, pool, kind, created_at,"
            " expires_at, state) VALUES(?,?,?,?,?,?,?,?,?,'active')");
    ins.Bind(1, l.id).Bind(2, e.id).Bind(3, l.item_id).Bind(4, l.project_id).Bind(5, l.annotator);
    ins.Bind(6, l.pool)
        .BindStatic(7, LeaseKindName(l.kind))
        .Bind(8, l.created_at)
        .Bind(9, l.expires_at);
    if (ins.Step() != SQLITE_DONE) return Error("insert lease");
    {
      // This lease may have filled the entry's last slot: then nobody can claim it before the
      // first of its unexpired leases expires (or one ends early, which resets the hint).
      PREPARE(busy,
              "UPDATE queue SET busy_until=(SELECT MIN(expires_at) FROM leases l WHERE l.queue_id=?1"
              " AND l.state='active' AND l.expires_at>?2) WHERE id=?1 AND done+(SELECT COUNT(*) FROM"
              " leases l WHERE l.queue_id=?1 AND l.state='active' AND l.expires_at>?2)>=overlap");
      busy.Bind(1, e.id).Bind(2, req.now);
      if (busy.Step() != SQLITE_DONE) return Error("mark queue entry busy");
    }
    out = ClaimResult{std::move(l), std::move(e)};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Lease> SqliteStore::GetLease(const std::string& lease_id) {
  PREPARE(s,
          "SELECT id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state"
          " FROM leases WHERE id=?");
  s.Bind(1, lease_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("lease not found");
  if (rc != SQLITE_ROW) return Error("read lease");
  return LeaseFromRow(s);
}

Status SqliteStore::FinishLease(const std::string& lease_id, const std::string& annotator,
                                LeaseState new_state, int64_t now) {
  if (new_state == LeaseState::kActive) return InvalidArgument("lease state: active");
  return AutoTxn([&]() -> Status {
    int64_t queue_id = 0;
    {
      PREPARE(s, "SELECT queue_id, annotator, state, expires_at FROM leases WHERE id=?");
      s.Bind(1, lease_id);
      int rc = s.Step();
      if (rc == SQLITE_DONE) return NotFound("lease not found");
      if (rc != SQLITE_ROW) return Error("read lease");
      if (s.Text(1) != annotator) return Conflict("lease is held by someone else");
      if (s.Text(2) != "active") return Conflict("lease is " + s.Text(2));
      if (s.Int(3) <= now) return Conflict("lease expired");
      queue_id = s.Int(0);
    }
    {
      PREPARE(u, "UPDATE leases SET state=?, finished_at=? WHERE id=? AND state='active'");
      u.BindStatic(1, LeaseStateName(new_state)).Bind(2, now).Bind(3, lease_id);
      if (u.Step() != SQLITE_DONE) return Error("finish lease");
      if (sqlite3_changes(db_) != 1) return Conflict("lease changed concurrently");
    }
    // A lease that ends early frees its slot (or, submitted, turns it into a done one): the
    // entry's busy hint is reset, and the next claim counts its leases.
    if (new_state == LeaseState::kSubmitted) {
      PREPARE(q, "UPDATE queue SET done=done+1, open=CASE WHEN done+1>=overlap THEN 0 ELSE open END,"
                 " busy_until=0 WHERE id=?");
      q.Bind(1, queue_id);
      if (q.Step() != SQLITE_DONE) return Error("update queue");
    } else {
      PREPARE(q, "UPDATE queue SET busy_until=0 WHERE id=? AND busy_until!=0");
      q.Bind(1, queue_id);
      if (q.Step() != SQLITE_DONE) return Error("update queue");
    }
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- gold questions

Result<int64_t> SqliteStore::EnsureGoldQueue(int64_t project_id) {
  int64_t opened = 0;
  Status st = AutoTxn([&]() -> Status {
    // Priority: a fixed hash of the item id in [0, 1) (Knuth's multiplicative hash).
    PREPARE(s,
            "INSERT INTO queue(project_id, item_id, pool, kind, priority, overlap, done, open, created_at, reason)"
            " SELECT i.project_id, i.id, '_gold', 'review', ((i.id * 2654435761) % 1000003) / 1000003.0, ?2, 0, 1,"
            " ?3, 'gold' FROM items i WHERE i.project_id=?1 AND i.split='gold' AND i.labels IS NOT NULL"
            " AND i.hold IS NULL AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.item_id=i.id AND q.kind='review'"
            " AND q.open=1)");
    s.Bind(1, project_id).Bind(2, static_cast<int64_t>(kGoldOverlap)).Bind(3, Now());
    if (s.Step() != SQLITE_DONE) return Error("enqueue gold questions");
    opened = sqlite3_changes(db_);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return opened;
}

Status SqliteStore::PutGoldAnswer(int64_t project_id, int64_t item_id, const std::string& annotator,
                                  bool correct, int64_t now) {
  return AutoTxn([&]() -> Status {
    PREPARE(s,
            "INSERT INTO gold_answers(project_id, annotator, item_id, correct, counted, answered_at)"
            " VALUES(?,?,?,?,1,?) ON CONFLICT(project_id, annotator, item_id) DO UPDATE SET"
            " correct=excluded.correct, counted=1, answered_at=excluded.answered_at");
    s.Bind(1, project_id).Bind(2, annotator).Bind(3, item_id).Bind(4, static_cast<int64_t>(correct ? 1 : 0));
    s.Bind(5, now);
    if (s.Step() != SQLITE_DONE) return Error("record gold answer");
    return Status::Ok();
  });
}

Result<std::vector<GoldScore>> SqliteStore::GoldScores(int64_t project_id, const std::string& annotator) {
  std::vector<GoldScore> out;
  PREPARE(s,
          "SELECT annotator, COUNT(*), SUM(correct) FROM gold_answers WHERE project_id=?1 AND counted=1"
          " AND (?2='' OR annotator=?2) GROUP BY annotator ORDER BY annotator");
  s.Bind(1, project_id).Bind(2, annotator);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Text(0), s.Int(1), s.Int(2)});
  if (rc != SQLITE_DONE) return Error("read gold scores");
  return out;
}

Result<int64_t> SqliteStore::ClearGoldScores(int64_t project_id, const std::string& annotator) {
  int64_t cleared = 0;
  Status st = AutoTxn([&]() -> Status {
    PREPARE(s, "UPDATE gold_answers SET counted=0 WHERE project_id=? AND annotator=? AND counted=1");
    s.Bind(1, project_id).Bind(2, annotator);
    if (s.Step() != SQLITE_DONE) return Error("clear gold scores");
    cleared = sqlite3_changes(db_);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return cleared;
}

// ---------------------------------------------------------------- status

Result<ProjectStatus> SqliteStore::GetStatus(int64_t project_id) {
  ProjectStatus out;
  {
    PREPARE(s,
            "SELECT state, label_source, split, COUNT(*), hold FROM items WHERE project_id=?"
            " GROUP BY state, label_source, split, hold");
    s.Bind(1, project_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      int64_t n = s.Int(3);
      if (!s.IsNull(4)) {
        (s.Text(4) == "deleted" ? out.deleted : out.quarantined) += n;
        continue;
      }
      out.items += n;
      out.by_state[s.Text(0)] += n;
      if (!s.IsNull(1)) out.by_label_source[s.Text(1)] += n;
      out.by_split[s.Text(2)] += n;
    }
    if (rc != SQLITE_DONE) return Error("status");
  }
  {
    PREPARE(s,
            "SELECT labels, COUNT(*) FROM items WHERE project_id=? AND labels IS NOT NULL AND hold IS NULL"
            " GROUP BY labels");
    s.Bind(1, project_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      for (const auto& l : LabelsFromJson(s.Text(0))) out.by_label[l] += s.Int(1);
    }
    if (rc != SQLITE_DONE) return Error("status labels");
  }
  {
    PREPARE(s, "SELECT COUNT(*) FROM annotations WHERE project_id=?");
    s.Bind(1, project_id);
    if (s.Step() != SQLITE_ROW) return Error("status annotations");
    out.annotations = s.Int(0);
  }
  {
    PREPARE(s,
            "SELECT COUNT(DISTINCT item_id) FROM visible_predictions WHERE project_id=?");
    s.Bind(1, project_id);
    if (s.Step() != SQLITE_ROW) return Error("status predictions");
    out.predictions = s.Int(0);
  }
  {
    // Migration 6. Gold questions (kGoldPool) are not work waiting for people.
    PREPARE(s, "SELECT COALESCE(SUM(n), 0) FROM queue_open_counts WHERE project_id=? AND pool!='_gold'");
    s.Bind(1, project_id);
    if (s.Step() != SQLITE_ROW) return Error("status queue");
    out.queued = s.Int(0);
  }
  {
    PREPARE(s, "SELECT COUNT(*) FROM leases WHERE project_id=? AND state='active' AND expires_at>?");
    s.Bind(1, project_id).Bind(2, Now());
    if (s.Step() != SQLITE_ROW) return Error("status leases");
    out.active_leases = s.Int(0);
  }
  return out;
}

Result<Lease> LeaseFromRow(const Stmt& s) {
  Lease l;
  l.id = s.Text(0);
  l.item_id = s.Int(1);
  l.project_id = s.Int(2);
  l.annotator = s.Text(3);
  l.pool = s.Text(4);
  l.created_at = s.Int(6);
  l.expires_at = s.Int(7);
  RETURN_IF_ERROR(ReadLeaseKindAndState(s.Text(5), s.Text(8), &l));
  return l;
}

}  // namespace hitloop::sqlite
