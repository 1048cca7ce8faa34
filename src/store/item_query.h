#pragma once
// The data browser over a Store: a page of items (QueryItems) with filters, a text search, a sort
// and a keyset cursor; an item's history beyond its annotations (GetItemHistory); moving an item
// to or from the gold split (SetItemSplit). Like store/operations.h these take an open Store and
// call its backend (SQLite: sqlite_store_browse.cc, PostgreSQL: pg_store_browse.cc), which run the
// one SQL text built here (BuildItemQuerySql) in their own dialect; neither adds a method to the
// Store interface every module includes. Each borrows `store` for the call; not thread-safe per
// Store, like the Store.
//
// Paging is by keyset, never OFFSET: a page ends with a cursor (the sort key and the id of its
// last row) and the next page starts strictly after it, so page N costs what page 1 costs.
// Every value of the query is a bound parameter; the SQL text depends only on which filters are
// set (BuildItemQuerySql), never on their values.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop {

enum class ItemSort {
  kId,          // item id (import order)
  kConfidence,  // the newest prediction's confidence (items without one: -1)
  kChanged,     // the newest annotation's time (none: the item's import time)
};
// "id" | "confidence" | "changed", with a leading '-' for descending ("-changed").
Result<std::pair<ItemSort, bool>> ParseItemSort(const std::string& s);

// Every field empty / unset = no filter. Strings compare exactly.
struct ItemQuery {
  int64_t project_id = 0;
  // unlabeled | queued | auto | labeled (items in the project) | quarantined | deleted;
  // "" = every item not deleted.
  std::string state;
  std::string label;       // one of the item's current labels (people's, resolved or auto)
  std::string prelabel;    // the newest prediction's label
  std::string source;      // the current label's source: human | model | rule | audit
  std::string split;       // pool | gold
  std::string pool;        // has an open queue entry in this pool
  std::string annotator;   // this person (or model version, rule) has an annotation on it
  std::optional<double> min_confidence;  // the newest prediction's confidence >= this
  std::optional<double> max_confidence;  // ... <= this
  std::string detector;        // has an answer of this detector ("language", "duplicate", ...)
  std::string detector_value;  // ... equal to this ("" = any value)
  bool disagreement = false;   // people's answers to it (review, audit, adjudicate) differ
  std::string text;            // substring of the text or the external id (ASCII case-folded)
  ItemSort sort = ItemSort::kId;
  bool descending = false;
  // Keyset cursor: rows strictly after (after_key, after_id) in the sort order.
  bool has_after = false;
  double after_key = 0;
  int64_t after_id = 0;
  int limit = 50;  // 1-500
};

// One row of a page: the item (no vector), its newest prediction, how many people's answers it
// has, and when it last changed.
struct ItemRow {
  Item item;
  std::optional<Prediction> prediction;  // distribution left empty
  int64_t answers = 0;     // annotations of kind review | audit | adjudicate
  int64_t changed_at = 0;  // newest annotation's created_at (0: none)
  double sort_key = 0;     // the value the page is sorted by (for the cursor)
};

struct ItemPage {
  std::vector<ItemRow> rows;
  bool more = false;  // a next page exists (its cursor: the last row's sort_key and id)
};

// One queue entry of an item, open or closed.
struct QueueHistoryRow {
  QueueEntry entry;
  bool open = false;
  int64_t created_at = 0;
};

// Everything that happened to an item besides its annotations (Store::ListAnnotations) and
// detector answers (Store::ItemDetections): every prediction (oldest first), every queue entry
// and every lease (oldest first).
struct ItemHistory {
  std::vector<Prediction> predictions;
  std::vector<QueueHistoryRow> queue;
  std::vector<Lease> leases;
};

// One page of the project's items matching `q`, in its sort order, after its cursor. Reads only
// (one read snapshot); InvalidArgument for a bad query.
Result<ItemPage> QueryItems(Store& store, const ItemQuery& q);
// NotFound for an unknown item.
Result<ItemHistory> GetItemHistory(Store& store, int64_t item_id);
// Moves an item to the gold split (its current label becomes its known answer: gold questions,
// loop/gold.h) or back to the pool. NotFound for an unknown item, Conflict for a held one. A write:
// all or nothing, inside an enclosing transaction too.
Status SetItemSplit(Store& store, int64_t item_id, Split split);

// ---- for store/ backends only ----
enum class SqlDialect { kSqlite, kPostgres };
using SqlParam = std::variant<int64_t, double, std::string>;
struct ItemQuerySql {
  std::string sql;  // SELECT id, sort_key FROM ... LIMIT limit+1
  std::vector<SqlParam> params;
};
// InvalidArgument for a bad limit or state.
Result<ItemQuerySql> BuildItemQuerySql(const ItemQuery& q, SqlDialect dialect);
// The page's rows from the ids and sort keys a backend's query found (at most limit + 1; the
// extra one only says there is a next page), read with the Store's own methods.
Result<ItemPage> FillItemPage(Store& store, const std::vector<std::pair<int64_t, double>>& keys, int limit);
// The kinds of annotation that are people's answers (the "answers" count, disagreement).
inline constexpr char kAnswerKindsSql[] = "('review','audit','adjudicate')";

}  // namespace hitloop
