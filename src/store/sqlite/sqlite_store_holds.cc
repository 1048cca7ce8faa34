// SqliteStore: taking an item out of its project (quarantine, delete) and back (migration 9).
// See SetItemHold in store/store.h.
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/prepare.h"

namespace hitloop::sqlite {

Status SqliteStore::SetItemHold(int64_t project_id, const std::string& external_id, ItemHold hold) {
  return AutoTxn([&]() -> Status {
    int64_t item_id = 0;
    std::string current;
    {
      PREPARE(s, "SELECT id, hold FROM items WHERE project_id=? AND external_id=?");
      s.Bind(1, project_id).BindStatic(2, external_id);
      const int rc = s.Step();
      if (rc == SQLITE_DONE) return NotFound("item " + external_id + ": no such item in the project");
      if (rc != SQLITE_ROW) return Error("read item");
      item_id = s.Int(0);
      if (!s.IsNull(1)) current = s.Text(1);
    }
    const char* want = hold == ItemHold::kQuarantined ? "quarantined"
                       : hold == ItemHold::kDeleted   ? "deleted"
                                                      : "";
    if (current == want) return Status::Ok();
    if (current == "deleted") {
      return Conflict("item " + external_id + " is deleted: its content is gone");
    }
    // One statement whose only parameter is the item's id.
    auto on_item = [&](const char* sql, const char* what) -> Status {
      PREPARE(s, sql);
      s.Bind(1, item_id);
      if (s.Step() != SQLITE_DONE) return Error(what);
      return Status::Ok();
    };
    if (hold == ItemHold::kNone) {
      // Back in the project: the next cycle decides whether people see it again.
      return on_item(
          "UPDATE items SET hold=NULL,"
          " state=CASE WHEN state='queued' THEN 'unlabeled' ELSE state END WHERE id=?",
          "restore item");
    }
    // Out of every queue: open entries close (the open-count triggers follow), and leases still
    // held on them end, so nobody submits an answer the store would refuse.
    RETURN_IF_ERROR(on_item("UPDATE queue SET open=0, busy_until=0 WHERE item_id=? AND open=1",
                            "close the item's queue entries"));
    {
      PREPARE(s, "UPDATE leases SET state='released', finished_at=? WHERE item_id=? AND state='active'");
      s.Bind(1, Now()).Bind(2, item_id);
      if (s.Step() != SQLITE_DONE) return Error("release the item's leases");
    }
    if (hold == ItemHold::kQuarantined) {
      return on_item(
          "UPDATE items SET hold='quarantined',"
          " state=CASE WHEN state='queued' THEN 'unlabeled' ELSE state END WHERE id=?",
          "quarantine item");
    }
    // Deleted: the content goes; the annotation history is append-only and stays.
    RETURN_IF_ERROR(on_item("DELETE FROM predictions WHERE item_id=?", "delete the item's predictions"));
    RETURN_IF_ERROR(on_item("DELETE FROM detections WHERE item_id=?", "delete the item's detections"));
    return on_item(
        "UPDATE items SET hold='deleted', text='', vector=NULL, meta='{}',"
        " state=CASE WHEN state='queued' THEN 'unlabeled' ELSE state END WHERE id=?",
        "delete item");
  });
}

}  // namespace hitloop::sqlite
