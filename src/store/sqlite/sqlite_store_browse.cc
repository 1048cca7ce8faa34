// SqliteStore: the data browser (store/item_query.h): the item query, an item's history beside
// its annotations, and moving an item to or from the gold split.
#include "schema/names.h"
#include "store/sqlite/prepare.h"
#include "store/sqlite/sqlite_store.h"

namespace hitloop::sqlite {

Result<ItemPage> SqliteStore::QueryItems(const ItemQuery& q) {
  ASSIGN_OR_RETURN(ItemQuerySql built, BuildItemQuerySql(q, SqlDialect::kSqlite));
  ReadSnapshot snapshot(*this);  // the ids and their rows from one state of the database
  std::vector<std::pair<int64_t, double>> keys;
  {
    PREPARE(s, built.sql);
    for (size_t i = 0; i < built.params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      const SqlParam& v = built.params[i];
      if (auto* n = std::get_if<int64_t>(&v)) s.Bind(at, *n);
      else if (auto* d = std::get_if<double>(&v)) s.Bind(at, *d);
      else s.Bind(at, std::get<std::string>(v));
    }
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) keys.emplace_back(s.Int(0), s.Double(1));
    if (rc != SQLITE_DONE) return Error("query items");
  }
  return FillItemPage(*this, keys, q.limit);
}

Result<ItemHistory> SqliteStore::GetItemHistory(int64_t item_id) {
  ItemHistory h;
  {
    PREPARE(s, "SELECT 1 FROM items WHERE id=?");
    s.Bind(1, item_id);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return NotFound("item " + std::to_string(item_id) + " not found");
    if (rc != SQLITE_ROW) return Error("read item");
  }
  {
    PREPARE(s,
            "SELECT item_id, model_version, label, confidence, distribution, created_at FROM visible_predictions"
            " WHERE item_id=? ORDER BY created_at, model_version");
    s.Bind(1, item_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) h.predictions.push_back(PredictionFromRow(s));
    if (rc != SQLITE_DONE) return Error("list predictions");
  }
  {
    PREPARE(s,
            "SELECT id, project_id, item_id, pool, kind, priority, overlap, done, reason, open, created_at"
            " FROM queue WHERE item_id=? ORDER BY id");
    s.Bind(1, item_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      QueueHistoryRow r;
      r.entry.id = s.Int(0);
      r.entry.project_id = s.Int(1);
      r.entry.item_id = s.Int(2);
      r.entry.pool = s.Text(3);
      r.entry.kind = s.Text(4);
      r.entry.priority = s.Double(5);
      r.entry.overlap = static_cast<int>(s.Int(6));
      r.entry.done = static_cast<int>(s.Int(7));
      r.entry.reason = s.Text(8);
      r.open = s.Int(9) != 0;
      r.created_at = s.Int(10);
      h.queue.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return Error("list queue entries");
  }
  {
    PREPARE(s,
            "SELECT id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state FROM leases"
            " WHERE queue_id IN (SELECT id FROM queue WHERE item_id=?) ORDER BY created_at, id");
    s.Bind(1, item_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      ASSIGN_OR_RETURN(Lease l, LeaseFromRow(s));
      h.leases.push_back(std::move(l));
    }
    if (rc != SQLITE_DONE) return Error("list leases");
  }
  return h;
}

Status SqliteStore::SetItemSplit(int64_t item_id, Split split) {
  return AutoTxnOneStatement([&]() -> Status {
    {
      PREPARE(s, "SELECT hold FROM items WHERE id=?");
      s.Bind(1, item_id);
      const int rc = s.Step();
      if (rc == SQLITE_DONE) return NotFound("item " + std::to_string(item_id) + " not found");
      if (rc != SQLITE_ROW) return Error("read item");
      if (!s.IsNull(0)) return Conflict("item " + std::to_string(item_id) + " is " + s.Text(0));
    }
    PREPARE(s, "UPDATE items SET split=? WHERE id=?");
    s.BindStatic(1, SplitName(split)).Bind(2, item_id);
    if (s.Step() != SQLITE_DONE) return Error("set the item's split");
    return Status::Ok();
  });
}

}  // namespace hitloop::sqlite
