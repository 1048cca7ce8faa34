// The data browser's query text, shared by the SQLite and PostgreSQL backends (item_query.h).
#include "store/item_query.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#ifdef HITLOOP_HAVE_POSTGRES
#include "store/postgres/pg_store.h"
#endif

#include "schema/names.h"

namespace hitloop {

Result<std::pair<ItemSort, bool>> ParseItemSort(const std::string& s) {
  const bool desc = !s.empty() && s[0] == '-';
  const std::string name = desc ? s.substr(1) : s;
  if (name.empty() || name == "id") return std::make_pair(ItemSort::kId, desc);
  if (name == "confidence") return std::make_pair(ItemSort::kConfidence, desc);
  if (name == "changed") return std::make_pair(ItemSort::kChanged, desc);
  return InvalidArgument("sort: expected id|confidence|changed (a leading '-' for descending), got '" + s + "'");
}

namespace {

// Numbered placeholders (?N on SQLite, $N on PostgreSQL) so a value can be referenced twice.
class Params {
 public:
  explicit Params(SqlDialect d) : d_(d) {}
  std::string Add(SqlParam v) {
    values_.push_back(std::move(v));
    return (d_ == SqlDialect::kSqlite ? "?" : "$") + std::to_string(values_.size());
  }
  std::vector<SqlParam> Take() { return std::move(values_); }

 private:
  SqlDialect d_;
  std::vector<SqlParam> values_;
};

// A LIKE pattern matching `s` anywhere, with the pattern characters escaped by '\'.
std::string ContainsPattern(const std::string& s) {
  std::string out = "%";
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "%";
}

std::string LatestPredictionColumn(SqlDialect d, const char* column) {
  return std::string("(SELECT p.") + column +
         " FROM visible_predictions p WHERE p.item_id=i.id ORDER BY p.created_at DESC, p.model_version" +
         (d == SqlDialect::kPostgres ? " COLLATE \"C\"" : "") + " DESC LIMIT 1)";
}

Status AddStateFilter(const ItemQuery& q, Params& p, std::string& where) {
  if (q.state.empty()) {
    where += " AND (i.hold IS NULL OR i.hold <> 'deleted')";
  } else if (q.state == "quarantined" || q.state == "deleted") {
    where += " AND i.hold = " + p.Add(q.state);
  } else {
    if (!ParseItemState(q.state).ok()) {
      return InvalidArgument("state: expected unlabeled|queued|auto|labeled|quarantined|deleted, got '" +
                             q.state + "'");
    }
    where += " AND i.state = " + p.Add(q.state) + " AND i.hold IS NULL";
  }
  return Status::Ok();
}

// The filters other than state, as " AND ..." terms.
std::string OtherFilters(const ItemQuery& q, SqlDialect d, Params& p) {
  std::string w;
  const bool pg = d == SqlDialect::kPostgres;
  const char* strpos = pg ? "strpos" : "instr";
  if (!q.label.empty()) {
    // Labels are stored as a JSON array of strings: the label is its first element or a later one.
    const std::string quoted = nlohmann::json(q.label).dump();
    w += std::string(" AND (") + strpos + "(i.labels, " + p.Add("[" + quoted) + ") = 1 OR " + strpos +
         "(i.labels, " + p.Add("," + quoted) + ") > 0)";
  }
  if (!q.source.empty()) w += " AND i.label_source = " + p.Add(q.source);
  if (!q.split.empty()) w += " AND i.split = " + p.Add(q.split);
  if (!q.prelabel.empty()) w += " AND " + LatestPredictionColumn(d, "label") + " = " + p.Add(q.prelabel);
  if (q.min_confidence) w += " AND " + LatestPredictionColumn(d, "confidence") + " >= " + p.Add(*q.min_confidence);
  if (q.max_confidence) w += " AND " + LatestPredictionColumn(d, "confidence") + " <= " + p.Add(*q.max_confidence);
  if (!q.pool.empty()) {
    w += std::string(" AND EXISTS (SELECT 1 FROM queue q WHERE q.item_id=i.id AND ") +
         (pg ? "q.open" : "q.open=1") + " AND q.pool = " + p.Add(q.pool) + ")";
  }
  if (!q.annotator.empty()) {
    w += " AND EXISTS (SELECT 1 FROM annotations a WHERE a.item_id=i.id AND a.annotator = " +
         p.Add(q.annotator) + ")";
  }
  if (!q.detector.empty()) {
    w += " AND EXISTS (SELECT 1 FROM detections d WHERE d.item_id=i.id AND d.detector = " + p.Add(q.detector);
    if (!q.detector_value.empty()) w += " AND d.value = " + p.Add(q.detector_value);
    w += ")";
  }
  if (q.disagreement) {
    w += std::string(" AND (SELECT COUNT(DISTINCT a.labels) FROM annotations a WHERE a.item_id=i.id AND a.kind IN ") +
         kAnswerKindsSql + ") > 1";
  }
  if (!q.text.empty()) {
    const std::string like = pg ? " ILIKE " : " LIKE ";
    const std::string pat = p.Add(ContainsPattern(q.text));
    w += " AND (i.text" + like + pat + " ESCAPE '\\' OR i.external_id" + like + pat + " ESCAPE '\\')";
  }
  return w;
}

}  // namespace

Result<ItemQuerySql> BuildItemQuerySql(const ItemQuery& q, SqlDialect d) {
  if (q.limit < 1 || q.limit > 500) return InvalidArgument("limit: expected 1-500");
  Params p(d);
  std::string where = "i.project_id = " + p.Add(q.project_id);
  // SQLite's planner has no statistics and would take any index on project_id, then sort the
  // whole project for one page: a state filter reads its index (migration 11) in rowid order,
  // everything else the table in rowid order.
  const bool state_index = !q.state.empty() && q.state != "quarantined" && q.state != "deleted";
  const std::string from = d == SqlDialect::kPostgres ? "items i"
                           : state_index              ? "items i INDEXED BY items_by_project_state"
                                                      : "items i NOT INDEXED";
  RETURN_IF_ERROR(AddStateFilter(q, p, where));
  where += OtherFilters(q, d, p);
  const char* cmp = q.descending ? "<" : ">";
  const char* dir = q.descending ? " DESC" : "";
  const std::string limit = std::to_string(q.limit + 1);  // one more: is there a next page?
  ItemQuerySql out;
  if (q.sort == ItemSort::kId) {
    // The rowid (primary key) order: a page reads `limit` matching rows, never the whole project.
    if (q.has_after) where += std::string(" AND i.id ") + cmp + " " + p.Add(q.after_id);
    out.sql = "SELECT i.id, i.id FROM " + from + " WHERE " + where + " ORDER BY i.id" + dir + " LIMIT " + limit;
  } else {
    const std::string real = d == SqlDialect::kPostgres ? "double precision" : "REAL";
    const std::string key =
        q.sort == ItemSort::kConfidence
            ? "COALESCE(" + LatestPredictionColumn(d, "confidence") + ", -1)"
            : "COALESCE((SELECT MAX(a.created_at) FROM annotations a WHERE a.item_id=i.id), i.created_at)";
    out.sql = "SELECT t.id, t.k FROM (SELECT i.id AS id, CAST(" + key + " AS " + real + ") AS k FROM " + from + " WHERE " +
              where + ") t";
    if (q.has_after) {
      const std::string k = p.Add(q.after_key);
      out.sql += std::string(" WHERE (t.k ") + cmp + " " + k + " OR (t.k = " + k + " AND t.id " + cmp + " " +
                 p.Add(q.after_id) + "))";
    }
    out.sql += std::string(" ORDER BY t.k") + dir + ", t.id" + dir + " LIMIT " + limit;
  }
  out.params = p.Take();
  return out;
}

// ---- dispatch to the backend (as store/operations.cc does) ----

Result<ItemPage> QueryItems(Store& store, const ItemQuery& q) {
#ifdef HITLOOP_HAVE_POSTGRES
  if (auto* pg = dynamic_cast<pg::PgStore*>(&store)) return pg->QueryItems(q);
#endif
  if (auto* lite = dynamic_cast<sqlite::SqliteStore*>(&store)) return lite->QueryItems(q);
  return Internal("QueryItems: unknown store backend");
}

Result<ItemHistory> GetItemHistory(Store& store, int64_t item_id) {
#ifdef HITLOOP_HAVE_POSTGRES
  if (auto* pg = dynamic_cast<pg::PgStore*>(&store)) return pg->GetItemHistory(item_id);
#endif
  if (auto* lite = dynamic_cast<sqlite::SqliteStore*>(&store)) return lite->GetItemHistory(item_id);
  return Internal("GetItemHistory: unknown store backend");
}

Status SetItemSplit(Store& store, int64_t item_id, Split split) {
#ifdef HITLOOP_HAVE_POSTGRES
  if (auto* pg = dynamic_cast<pg::PgStore*>(&store)) return pg->SetItemSplit(item_id, split);
#endif
  if (auto* lite = dynamic_cast<sqlite::SqliteStore*>(&store)) return lite->SetItemSplit(item_id, split);
  return Internal("SetItemSplit: unknown store backend");
}


Result<ItemPage> FillItemPage(Store& store, const std::vector<std::pair<int64_t, double>>& keys, int limit) {
  ItemPage page;
  page.more = static_cast<int>(keys.size()) > limit;
  const size_t n = std::min(keys.size(), static_cast<size_t>(limit));
  page.rows.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    ItemRow row;
    ASSIGN_OR_RETURN(row.item, store.GetItem(keys[i].first));
    row.item.vector.clear();
    row.sort_key = keys[i].second;
    ASSIGN_OR_RETURN(row.prediction, store.LatestPrediction(row.item.id));
    if (row.prediction) row.prediction->distribution.clear();
    ASSIGN_OR_RETURN(auto annotations, store.ListAnnotations(row.item.id));
    row.changed_at = 0;
    for (const auto& a : annotations) {
      if (a.kind == "review" || a.kind == "audit" || a.kind == "adjudicate") ++row.answers;
      row.changed_at = std::max(row.changed_at, a.created_at);
    }
    page.rows.push_back(std::move(row));
  }
  return page;
}

}  // namespace hitloop
