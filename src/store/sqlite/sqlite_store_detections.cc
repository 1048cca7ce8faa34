// SqliteStore: detector answers per item (migration 5). See the "detections" section of
// store/store.h.
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/prepare.h"

namespace hitloop::sqlite {

namespace {
// Columns: item_id, detector, value, confidence, detail.
Detection ReadDetection(Stmt& s) {
  Detection d;
  d.item_id = s.Int(0);
  d.detector = s.Text(1);
  d.value = s.Text(2);
  d.confidence = s.Double(3);
  if (!s.IsNull(4)) d.detail_json = s.Text(4);
  return d;
}
}  // namespace

Status SqliteStore::PutDetections(std::span<const Detection> detections) {
  if (detections.empty()) return Status::Ok();
  return AutoTxn([&]() -> Status {
    // project_id comes from the item, so a detection can never be filed under another project.
    for (const Detection& d : detections) {
      PREPARE(s,
                     "INSERT INTO detections(item_id, detector, project_id, value, confidence, detail)"
                     " SELECT id, ?2, project_id, ?3, ?4, ?5 FROM items WHERE id=?1"
                     " ON CONFLICT(item_id, detector) DO UPDATE SET value=excluded.value,"
                     " confidence=excluded.confidence, detail=excluded.detail");
      s.Bind(1, d.item_id).BindStatic(2, d.detector).BindStatic(3, d.value).Bind(4, d.confidence);
      if (d.detail_json.empty()) s.BindNull(5);
      else s.BindStatic(5, d.detail_json);
      if (s.Step() != SQLITE_DONE) return Error("insert detection");
      if (sqlite3_changes(db()) == 0) return NotFound("item " + std::to_string(d.item_id));
    }
    return Status::Ok();
  });
}

Status SqliteStore::ScanDetections(int64_t project_id,
                                   const std::function<bool(const Detection&)>& fn) {
  PREPARE(s,
                 "SELECT item_id, detector, value, confidence, detail FROM detections"
                 " WHERE project_id=? ORDER BY item_id, detector");
  s.Bind(1, project_id);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (!fn(ReadDetection(s))) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return Error("scan detections");
  return Status::Ok();
}

Result<std::vector<Detection>> SqliteStore::ItemDetections(int64_t item_id) {
  PREPARE(s,
                 "SELECT item_id, detector, value, confidence, detail FROM detections"
                 " WHERE item_id=? ORDER BY detector");
  s.Bind(1, item_id);
  std::vector<Detection> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(ReadDetection(s));
  }
  if (rc != SQLITE_DONE) return Error("item detections");
  return out;
}

}  // namespace hitloop::sqlite
