// SqliteStore: the loop's cycle records (migration 3) and the queue/label helpers the live cycle
// needs (loop/cycle.h). See the "cycles and loop support" section of store/store.h.
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/prepare.h"

namespace hitloop::sqlite {

namespace {
constexpr const char* kQueueColumns = "id, project_id, item_id, pool, kind, priority, overlap, done";

QueueEntry ReadEntry(Stmt& s) {
  QueueEntry e;
  e.id = s.Int(0);
  e.project_id = s.Int(1);
  e.item_id = s.Int(2);
  e.pool = s.Text(3);
  e.kind = s.Text(4);
  e.priority = s.Double(5);
  e.overlap = static_cast<int>(s.Int(6));
  e.done = static_cast<int>(s.Int(7));
  return e;
}
}  // namespace

Result<int64_t> SqliteStore::AppendCycle(int64_t project_id, int64_t created_at,
                                         const std::string& record_json) {
  int64_t number = 0;
  Status st = AutoTxn([&]() -> Status {
    {
      PREPARE(p, "SELECT 1 FROM projects WHERE id=?");
      p.Bind(1, project_id);
      const int rc = p.Step();
      if (rc == SQLITE_DONE) return NotFound("project " + std::to_string(project_id));
      if (rc != SQLITE_ROW) return Error("find project");
    }
    {
      PREPARE(s, "SELECT COALESCE(MAX(cycle), 0) + 1 FROM cycles WHERE project_id=?");
      s.Bind(1, project_id);
      if (s.Step() != SQLITE_ROW) return Error("next cycle number");
      number = s.Int(0);
    }
    PREPARE(s, "INSERT INTO cycles(project_id, cycle, created_at, record) VALUES(?,?,?,?)");
    s.Bind(1, project_id).Bind(2, number).Bind(3, created_at).Bind(4, record_json);
    if (s.Step() != SQLITE_DONE) return Error("insert cycle");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return number;
}

Result<std::vector<CycleRow>> SqliteStore::ListCycles(int64_t project_id) {
  PREPARE(s, "SELECT cycle, created_at, record FROM cycles WHERE project_id=? ORDER BY cycle");
  s.Bind(1, project_id);
  std::vector<CycleRow> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    CycleRow r;
    r.project_id = project_id;
    r.cycle = s.Int(0);
    r.created_at = s.Int(1);
    r.record_json = s.Text(2);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return Error("list cycles");
  return out;
}

Status SqliteStore::ScanOpenQueue(int64_t project_id,
                                  const std::function<bool(const QueueEntry&)>& fn) {
  PREPARE(s, std::string("SELECT ") + kQueueColumns +
                        " FROM queue WHERE project_id=? AND open=1 ORDER BY id");
  s.Bind(1, project_id);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (!fn(ReadEntry(s))) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return Error("scan queue");
  return Status::Ok();
}

Result<std::optional<QueueEntry>> SqliteStore::LatestQueueEntry(int64_t item_id,
                                                                const std::string& kind) {
  PREPARE(s, std::string("SELECT ") + kQueueColumns +
                        " FROM queue WHERE item_id=? AND kind=? ORDER BY id DESC LIMIT 1");
  s.Bind(1, item_id).Bind(2, kind);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<QueueEntry>();
  if (rc != SQLITE_ROW) return Error("latest queue entry");
  return std::optional<QueueEntry>(ReadEntry(s));
}

Status SqliteStore::WithdrawAutoLabel(int64_t item_id) {
  return AutoTxn([&]() -> Status {
    PREPARE(s,
                   "UPDATE items SET labels=NULL, label_source=NULL, label_annotator=NULL,"
                   " label_confidence=NULL, state=CASE WHEN state='queued' THEN 'queued' ELSE"
                   " 'unlabeled' END WHERE id=? AND label_source IN ('model','rule')");
    s.Bind(1, item_id);
    if (s.Step() != SQLITE_DONE) return Error("withdraw auto label");
    return Status::Ok();
  });
}


}  // namespace hitloop::sqlite
