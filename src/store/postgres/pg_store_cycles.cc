// PgStore: the loop's cycle records and queue/label helpers, detector answers, and taking an
// item out of its project (holds). See the matching sections of store/store.h.
#include "core/clock.h"
#include "store/postgres/pg_store.h"

namespace hitloop::pg {

namespace {
constexpr const char* kQueueColumns = "id, project_id, item_id, pool, kind, priority, overlap, done";

QueueEntry ReadEntry(const PgRows& r, int i) {
  QueueEntry e;
  e.id = r.Int(i, 0);
  e.project_id = r.Int(i, 1);
  e.item_id = r.Int(i, 2);
  e.pool = r.Text(i, 3);
  e.kind = r.Text(i, 4);
  e.priority = r.Double(i, 5);
  e.overlap = static_cast<int>(r.Int(i, 6));
  e.done = static_cast<int>(r.Int(i, 7));
  return e;
}

Detection ReadDetection(const PgRows& r, int i) {
  Detection d;
  d.item_id = r.Int(i, 0);
  d.detector = r.Text(i, 1);
  d.value = r.Text(i, 2);
  d.confidence = r.Double(i, 3);
  if (!r.IsNull(i, 4)) d.detail_json = r.Text(i, 4);
  return d;
}

}  // namespace

Result<int64_t> PgStore::AppendCycle(int64_t project_id, int64_t created_at, const std::string& record_json) {
  RETURN_IF_ERROR(CheckText("cycle record", record_json));
  int64_t number = 0;
  Status st = AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(project_id);
    PgRows r;
    // The project's row lock numbers concurrent appends one after the other.
    RETURN_IF_ERROR(Query("SELECT id FROM projects WHERE id=$1 FOR UPDATE", p, &r, "find project"));
    if (r.rows() == 0) return NotFound("project " + std::to_string(project_id));
    p.Add(created_at).Add(record_json);
    RETURN_IF_ERROR(Query("INSERT INTO cycles(project_id, cycle, created_at, record) SELECT $1,"
                          " COALESCE(MAX(cycle), 0) + 1, $2, $3 FROM cycles WHERE project_id=$1 RETURNING cycle",
                          p, &r, "insert cycle"));
    number = r.Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return number;
}

Result<std::vector<CycleRow>> PgStore::ListCycles(int64_t project_id) {
  PgParams p;
  p.Add(project_id);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT cycle, created_at, record FROM cycles WHERE project_id=$1 ORDER BY cycle", p, &r,
                        "list cycles"));
  std::vector<CycleRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    CycleRow c;
    c.project_id = project_id;
    c.cycle = r.Int(i, 0);
    c.created_at = r.Int(i, 1);
    c.record_json = r.Text(i, 2);
    out.push_back(std::move(c));
  }
  return out;
}

Status PgStore::ScanOpenQueue(int64_t project_id, const std::function<bool(const QueueEntry&)>& fn) {
  const std::string sql = std::string("SELECT ") + kQueueColumns +
                          " FROM queue WHERE project_id=$1 AND open AND id>$2 ORDER BY id LIMIT " +
                          std::to_string(kScanPage);
  return ScanPages<QueueEntry>(
      sql, project_id, 0, "scan queue", [](const PgRows& r, int i) { return ReadEntry(r, i); },
      [](const QueueEntry& e) { return e.id; }, fn);
}

Result<std::optional<QueueEntry>> PgStore::LatestQueueEntry(int64_t item_id, const std::string& kind) {
  if (!CheckText("kind", kind).ok()) return std::optional<QueueEntry>();
  PgParams p;
  p.Add(item_id).Add(kind);
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kQueueColumns +
                            " FROM queue WHERE item_id=$1 AND kind=$2 ORDER BY id DESC LIMIT 1", p, &r,
                        "latest queue entry"));
  if (r.rows() == 0) return std::optional<QueueEntry>();
  return std::optional<QueueEntry>(ReadEntry(r, 0));
}

Status PgStore::WithdrawAutoLabel(int64_t item_id) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(item_id);
    return Query("UPDATE items SET labels=NULL, label_source=NULL, label_annotator=NULL, label_confidence=NULL,"
                 " state=CASE WHEN state='queued' THEN 'queued' ELSE 'unlabeled' END"
                 " WHERE id=$1 AND label_source IN ('model','rule')", p, "withdraw auto label");
  });
}

// ---------------------------------------------------------------- detections

Status PgStore::PutDetections(std::span<const Detection> detections) {
  if (detections.empty()) return Status::Ok();
  for (const Detection& d : detections) {
    RETURN_IF_ERROR(CheckText("detector", d.detector));
    RETURN_IF_ERROR(CheckText("detection", d.value));
    RETURN_IF_ERROR(CheckText("detection detail", d.detail_json));
  }
  return AutoTxn([&]() -> Status {
    for (const Detection& d : detections) {
      PgParams p;
      p.Add(d.item_id).Add(d.detector).Add(d.value).Add(d.confidence);
      if (d.detail_json.empty()) p.AddNull();
      else p.Add(d.detail_json);
      PgRows r;
      // project_id comes from the item: a detection is never filed under another project.
      RETURN_IF_ERROR(Query("INSERT INTO detections(item_id, detector, project_id, value, confidence, detail)"
                            " SELECT id, $2, project_id, $3, $4, $5 FROM items WHERE id=$1"
                            " ON CONFLICT(item_id, detector) DO UPDATE SET value=excluded.value,"
                            " confidence=excluded.confidence, detail=excluded.detail", p, &r,
                            "insert detection"));
      if (r.affected() == 0) return NotFound("item " + std::to_string(d.item_id));
    }
    return Status::Ok();
  });
}

Status PgStore::ScanDetections(int64_t project_id, const std::function<bool(const Detection&)>& fn) {
  // Paged by item: every detection of an item comes in the same page.
  const std::string sql =
      "SELECT item_id, detector, value, confidence, detail FROM detections WHERE project_id=$1 AND item_id IN"
      " (SELECT DISTINCT item_id FROM detections WHERE project_id=$1 AND item_id>$2 ORDER BY item_id LIMIT " +
      std::to_string(kScanPage) + ") ORDER BY item_id, detector COLLATE \"C\"";
  int64_t after = 0;
  for (;;) {
    PgParams p;
    p.Add(project_id).Add(after);
    PgRows r;
    RETURN_IF_ERROR(Query(sql, p, &r, "scan detections"));
    for (int i = 0; i < r.rows(); ++i) {
      Detection d = ReadDetection(r, i);
      after = d.item_id;
      if (!fn(d)) return Status::Ok();
    }
    if (r.rows() == 0) return Status::Ok();
  }
}

Result<std::vector<Detection>> PgStore::ItemDetections(int64_t item_id) {
  PgParams p;
  p.Add(item_id);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT item_id, detector, value, confidence, detail FROM detections WHERE item_id=$1"
                        " ORDER BY detector COLLATE \"C\"", p, &r, "item detections"));
  std::vector<Detection> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(ReadDetection(r, i));
  return out;
}

// ---------------------------------------------------------------- holds

Status PgStore::SetItemHold(int64_t project_id, const std::string& external_id, ItemHold hold) {
  if (!CheckText("external id", external_id).ok()) {
    return NotFound("item " + external_id + ": no such item in the project");
  }
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(project_id).Add(external_id);
    PgRows r;
    // The item's claim row first (the lock order of pg_store_queue.cc), then the item's row.
    RETURN_IF_ERROR(Query("UPDATE claim_locks SET seq=seq+1 WHERE item_id=(SELECT id FROM items WHERE"
                          " project_id=$1 AND external_id=$2)", p, "lock item"));
    RETURN_IF_ERROR(Query("SELECT id, hold FROM items WHERE project_id=$1 AND external_id=$2 FOR UPDATE", p, &r,
                          "read item"));
    if (r.rows() == 0) return NotFound("item " + external_id + ": no such item in the project");
    const int64_t item_id = r.Int(0, 0);
    const std::string current = r.IsNull(0, 1) ? "" : r.Text(0, 1);
    const char* want = hold == ItemHold::kQuarantined ? "quarantined" : hold == ItemHold::kDeleted ? "deleted" : "";
    if (current == want) return Status::Ok();
    if (current == "deleted") return Conflict("item " + external_id + " is deleted: its content is gone");
    PgParams id;
    id.Add(item_id);
    if (hold == ItemHold::kNone) {
      return Query("UPDATE items SET hold=NULL, state=CASE WHEN state='queued' THEN 'unlabeled' ELSE state END"
                   " WHERE id=$1", id, "restore item");
    }
    // Out of every queue, its leases ended.
    RETURN_IF_ERROR(Query("UPDATE queue SET open=FALSE, busy_until=0 WHERE item_id=$1 AND open", id,
                          "close the item's queue entries"));
    PgParams rel;
    rel.Add(Now()).Add(item_id);
    RETURN_IF_ERROR(Query("UPDATE leases SET state='released', finished_at=$1 WHERE item_id=$2 AND state='active'",
                          rel, "release the item's leases"));
    if (hold == ItemHold::kQuarantined) {
      return Query("UPDATE items SET hold='quarantined', state=CASE WHEN state='queued' THEN 'unlabeled'"
                   " ELSE state END WHERE id=$1", id, "quarantine item");
    }
    RETURN_IF_ERROR(Query("DELETE FROM predictions WHERE item_id=$1", id, "delete the item's predictions"));
    RETURN_IF_ERROR(Query("DELETE FROM detections WHERE item_id=$1", id, "delete the item's detections"));
    return Query("UPDATE items SET hold='deleted', text='', vector=NULL, meta='{}',"
                 " state=CASE WHEN state='queued' THEN 'unlabeled' ELSE state END WHERE id=$1", id, "delete item");
  });
}

}  // namespace hitloop::pg
