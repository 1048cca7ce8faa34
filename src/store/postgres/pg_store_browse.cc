// PgStore: the data browser (store/item_query.h): the item query, an item's history beside its
// annotations, and moving an item to or from the gold split.
#include <cstring>

#include "schema/names.h"
#include "store/backend_rules.h"
#include "store/postgres/pg_store.h"

namespace hitloop::pg {

Result<ItemPage> PgStore::QueryItems(const ItemQuery& q) {
  ASSIGN_OR_RETURN(ItemQuerySql built, BuildItemQuerySql(q, SqlDialect::kPostgres));
  PgParams p;
  for (const SqlParam& v : built.params) {
    if (auto* n = std::get_if<int64_t>(&v)) {
      p.Add(*n);
    } else if (auto* d = std::get_if<double>(&v)) {
      p.Add(*d);
    } else {
      // Text PostgreSQL cannot hold (a NUL byte, bad UTF-8) is in no item: refused, not run.
      RETURN_IF_ERROR(CheckText("query", std::get<std::string>(v)));
      p.Add(std::get<std::string>(v));
    }
  }
  PgRows r;
  std::vector<std::pair<int64_t, double>> keys;
  {
    ReadSnapshot snapshot(*this);
    RETURN_IF_ERROR(Query(built.sql, p, &r, "query items"));
    for (int i = 0; i < r.rows(); ++i) keys.emplace_back(r.Int(i, 0), r.Double(i, 1));
    return FillItemPage(*this, keys, q.limit);
  }
}

Result<ItemHistory> PgStore::GetItemHistory(int64_t item_id) {
  ItemHistory h;
  ReadSnapshot snapshot(*this);
  PgParams p;
  p.Add(item_id);
  PgRows exists;
  RETURN_IF_ERROR(Query("SELECT 1 FROM items WHERE id=$1", p, &exists, "read item"));
  if (exists.rows() == 0) return NotFound("item " + std::to_string(item_id) + " not found");
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT model_version, label, confidence, distribution, created_at FROM visible_predictions"
                        " WHERE item_id=$1 ORDER BY created_at, model_version COLLATE \"C\"",
                        p, &r, "list predictions"));
  for (int i = 0; i < r.rows(); ++i) {
    Prediction pr;
    pr.item_id = item_id;
    pr.model_version = r.Text(i, 0);
    pr.label = r.Text(i, 1);
    pr.confidence = r.Double(i, 2);
    if (!r.IsNull(i, 3)) {
      const std::string bytes = r.Bytes(i, 3);
      pr.distribution.resize(bytes.size() / sizeof(double));
      if (!pr.distribution.empty()) {
        std::memcpy(pr.distribution.data(), bytes.data(), pr.distribution.size() * sizeof(double));
      }
    }
    pr.created_at = r.Int(i, 4);
    h.predictions.push_back(std::move(pr));
  }
  RETURN_IF_ERROR(Query("SELECT id, project_id, pool, kind, priority, overlap, done, reason, open, created_at"
                        " FROM queue WHERE item_id=$1 ORDER BY id", p, &r, "list queue entries"));
  for (int i = 0; i < r.rows(); ++i) {
    QueueHistoryRow q;
    q.entry.id = r.Int(i, 0);
    q.entry.project_id = r.Int(i, 1);
    q.entry.item_id = item_id;
    q.entry.pool = r.Text(i, 2);
    q.entry.kind = r.Text(i, 3);
    q.entry.priority = r.Double(i, 4);
    q.entry.overlap = static_cast<int>(r.Int(i, 5));
    q.entry.done = static_cast<int>(r.Int(i, 6));
    q.entry.reason = r.Text(i, 7);
    q.open = r.Bool(i, 8);
    q.created_at = r.Int(i, 9);
    h.queue.push_back(std::move(q));
  }
  RETURN_IF_ERROR(Query("SELECT id, project_id, annotator, pool, kind, created_at, expires_at, state FROM leases"
                        " WHERE item_id=$1 ORDER BY created_at, id", p, &r, "list leases"));
  for (int i = 0; i < r.rows(); ++i) {
    Lease l;
    l.id = r.Text(i, 0);
    l.item_id = item_id;
    l.project_id = r.Int(i, 1);
    l.annotator = r.Text(i, 2);
    l.pool = r.Text(i, 3);
    l.created_at = r.Int(i, 5);
    l.expires_at = r.Int(i, 6);
    RETURN_IF_ERROR(ReadLeaseKindAndState(r.Text(i, 4), r.Text(i, 7), &l));
    h.leases.push_back(std::move(l));
  }
  return h;
}

Status PgStore::SetItemSplit(int64_t item_id, Split split) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(item_id);
    PgRows r;
    RETURN_IF_ERROR(Query("SELECT hold FROM items WHERE id=$1 FOR UPDATE", p, &r, "read item"));
    if (r.rows() == 0) return NotFound("item " + std::to_string(item_id) + " not found");
    if (!r.IsNull(0, 0)) return Conflict("item " + std::to_string(item_id) + " is " + r.Text(0, 0));
    PgParams u;
    u.Add(SplitName(split)).Add(item_id);
    return Query("UPDATE items SET split=$1 WHERE id=$2", u, "set the item's split");
  });
}

}  // namespace hitloop::pg
