// SqliteStore: items, their annotations and the model's predictions. See the "items",
// "annotations" and "predictions" sections of store/store.h.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "store/sqlite/sqlite_store.h"
#include "schema/names.h"
#include "store/sqlite/prepare.h"
#include "store/sqlite/sqlite_store_internal.h"

namespace hitloop::sqlite {

// ---------------------------------------------------------------- items

Result<PutItemResult> SqliteStore::PutItem(const Item& item, const std::string& import_tag,
                                           int64_t* id) {
  PutItemResult result = PutItemResult::kInserted;
  // Every vector of a project has the same length (the featurizer's dense block): a record
  // whose vector disagrees is refused here, so the importer names its file and line, instead of
  // every later cycle failing on it.
  if (!item.vector.empty()) {
    int64_t want = 0;
    if (auto it = vector_dims_.find(item.project_id); it != vector_dims_.end()) {
      want = it->second;
    } else {
      PREPARE(q, "SELECT length(vector) / 4 FROM items WHERE project_id=? AND vector IS NOT NULL AND hold IS NULL LIMIT 1");
      q.Bind(1, item.project_id);
      const int rc = q.Step();
      if (rc == SQLITE_ROW) want = q.Int(0);
      else if (rc != SQLITE_DONE) return Error("read the project's vector size");
      if (want > 0) vector_dims_[item.project_id] = want;
    }
    if (want > 0 && want != static_cast<int64_t>(item.vector.size())) {
      return InvalidArgument("vector: has " + std::to_string(item.vector.size()) +
                             " dimensions, the project's vectors have " + std::to_string(want));
    }
  }
  Status st = AutoTxnOneStatement([&]() -> Status {
    PREPARE(s,
            "INSERT INTO items(project_id, external_id, text, vector, meta, content_hash, split, state,"
            " labels, label_source, label_annotator, label_confidence, import_tag, created_at)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(project_id, external_id) DO NOTHING");
    s.Bind(1, item.project_id).BindStatic(2, item.external_id).BindStatic(3, item.text);
    if (item.vector.empty()) s.BindNull(4);
    else s.BindBlob(4, item.vector.data(), item.vector.size() * sizeof(float));
    s.BindStatic(5, item.meta_json).BindStatic(6, item.content_hash);
    s.BindStatic(7, SplitName(item.split)).BindStatic(8, ItemStateName(item.state));
    std::string labels_json;
    if (item.labels.empty()) s.BindNull(9);
    else { labels_json = LabelsToJson(item.labels); s.BindStatic(9, labels_json); }
    if (item.label_source) s.BindStatic(10, LabelSourceName(*item.label_source)); else s.BindNull(10);
    if (item.label_source) s.BindStatic(11, item.label_annotator); else s.BindNull(11);
    if (item.label_confidence) s.Bind(12, *item.label_confidence); else s.BindNull(12);
    s.BindStatic(13, import_tag).Bind(14, Now());
    if (s.Step() != SQLITE_DONE) return Error("insert item " + item.external_id);
    if (sqlite3_changes(db_) == 1) {
      *id = sqlite3_last_insert_rowid(db_);
      result = PutItemResult::kInserted;
      if (!item.vector.empty()) vector_dims_[item.project_id] = static_cast<int64_t>(item.vector.size());
      return Status::Ok();
    }
    PREPARE(q, "SELECT id, import_tag FROM items WHERE project_id=? AND external_id=?");
    q.Bind(1, item.project_id).BindStatic(2, item.external_id);
    if (q.Step() != SQLITE_ROW) return Error("find item " + item.external_id);
    *id = q.Int(0);
    result = (!import_tag.empty() && q.Text(1) == import_tag) ? PutItemResult::kDuplicateInImport
                                                              : PutItemResult::kExisting;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return result;
}

static const char* kItemColumns =
    "id, project_id, external_id, text, vector, meta, content_hash, split, state, labels,"
    " label_source, label_annotator, label_confidence, hold";

Item SqliteStore::ReadItem(Stmt& s, bool with_vectors) const {
  Item it;
  it.id = s.Int(0);
  it.project_id = s.Int(1);
  it.external_id = s.Text(2);
  it.text = s.Text(3);
  if (with_vectors && !s.IsNull(4)) {
    int n = sqlite3_column_bytes(s.get(), 4);
    const void* p = sqlite3_column_blob(s.get(), 4);
    it.vector.resize(static_cast<size_t>(n) / sizeof(float));
    if (n > 0) std::memcpy(it.vector.data(), p, it.vector.size() * sizeof(float));
  }
  it.meta_json = s.Text(5);
  it.content_hash = s.Text(6);
  it.split = s.Text(7) == "gold" ? Split::kGold : Split::kPool;
  auto st = ParseItemState(s.Text(8));
  it.state = st.ok() ? *st : ItemState::kUnlabeled;
  if (!s.IsNull(9)) it.labels = LabelsFromJson(s.Text(9));
  if (!s.IsNull(10)) {
    auto src = ParseLabelSource(s.Text(10));
    if (src.ok()) it.label_source = *src;
  }
  it.label_annotator = s.Text(11);
  if (!s.IsNull(12)) it.label_confidence = s.Double(12);
  if (!s.IsNull(13)) it.hold = s.Text(13);
  return it;
}

Result<Item> SqliteStore::GetItem(int64_t item_id) {
  PREPARE(s, std::string("SELECT ") + kItemColumns + " FROM items WHERE id=?");
  s.Bind(1, item_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("item " + std::to_string(item_id) + " not found");
  if (rc != SQLITE_ROW) return Error("read item");
  return ReadItem(s, true);
}

Result<std::optional<Item>> SqliteStore::FindItem(int64_t project_id, const std::string& external_id) {
  PREPARE(s, std::string("SELECT ") + kItemColumns + " FROM items WHERE project_id=? AND external_id=?");
  s.Bind(1, project_id).Bind(2, external_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Item>();
  if (rc != SQLITE_ROW) return Error("read item");
  return std::optional<Item>(ReadItem(s, true));
}

Status SqliteStore::ScanItems(int64_t project_id, const std::function<bool(const Item&)>& fn,
                              bool with_vectors, bool with_quarantined) {
  // Not cached: a scan may run while callbacks issue other queries on this connection.
  sqlite3_stmt* raw = nullptr;
  // NOT INDEXED: a rowid-order table scan beats an index walk plus a sort and row lookups.
  std::string sql =
      std::string("SELECT ") + kItemColumns + " FROM items NOT INDEXED WHERE project_id=? AND " +
      (with_quarantined ? "(hold IS NULL OR hold='quarantined')" : "hold IS NULL") + " ORDER BY id";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return Error("prepare scan");
  Stmt s(raw, /*owned=*/true);
  s.Bind(1, project_id);
  int rc;
  Status st;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (!fn(ReadItem(s, with_vectors))) break;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = Error("scan items");
  return st;
}

Status SqliteStore::SetItemState(int64_t item_id, ItemState state) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, "UPDATE items SET state=? WHERE id=?");
    s.BindStatic(1, ItemStateName(state)).Bind(2, item_id);
    if (s.Step() != SQLITE_DONE) return Error("update item state");
    if (sqlite3_changes(db_) == 0) return NotFound("item " + std::to_string(item_id));
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- annotations

Result<int64_t> SqliteStore::AppendAnnotation(const Annotation& a) {
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    int64_t project_id = 0;
    std::string state;
    bool gold = false;
    {
      PREPARE(s, "SELECT project_id, state, hold, split FROM items WHERE id=?");
      s.Bind(1, a.item_id);
      int rc = s.Step();
      if (rc == SQLITE_DONE) return NotFound("item " + std::to_string(a.item_id) + " not found");
      if (rc != SQLITE_ROW) return Error("read item");
      project_id = s.Int(0);
      state = s.Text(1);
      gold = s.Text(3) == "gold";
      if (!s.IsNull(2)) {
        return Conflict("item " + std::to_string(a.item_id) + " is " + s.Text(2) +
                                  ": it takes no annotations");
      }
    }
    const int64_t created = a.created_at ? a.created_at : Now();
    const std::string labels_json = LabelsToJson(a.labels);
    {
      PREPARE(s,
              "INSERT INTO annotations(project_id, item_id, labels, source, annotator, confidence,"
              " time_spent_ms, kind, created_at) VALUES(?,?,?,?,?,?,?,?,?)");
      s.Bind(1, project_id).Bind(2, a.item_id).BindStatic(3, labels_json);
      s.BindStatic(4, LabelSourceName(a.source)).BindStatic(5, a.annotator);
      if (a.confidence) s.Bind(6, *a.confidence); else s.BindNull(6);
      s.Bind(7, a.time_spent_ms).BindStatic(8, a.kind).Bind(9, created);
      if (s.Step() != SQLITE_DONE) return Error("insert annotation");
      id = sqlite3_last_insert_rowid(db_);
    }
    const bool people = a.source == LabelSource::kHuman || a.source == LabelSource::kAudit;
    // A machine label never overwrites a person's.
    if (!people && state == "labeled") return Status::Ok();
    // A gold item's known answer comes from imports; people's answers to it are history only.
    if (gold && a.kind != "import" && a.kind != "label") return Status::Ok();
    PREPARE(u,
            "UPDATE items SET labels=?, label_source=?, label_annotator=?, label_confidence=?, state=?"
            " WHERE id=?");
    u.BindStatic(1, labels_json).BindStatic(2, LabelSourceName(a.source)).BindStatic(3, a.annotator);
    if (a.confidence) u.Bind(4, *a.confidence); else u.BindNull(4);
    u.BindStatic(5, people ? "labeled" : "auto").Bind(6, a.item_id);
    if (u.Step() != SQLITE_DONE) return Error("update item label");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

namespace {
Annotation ReadAnnotation(Stmt& s) {
  Annotation a;
  a.id = s.Int(0);
  a.item_id = s.Int(1);
  a.labels = LabelsFromJson(s.Text(2));
  auto src = ParseLabelSource(s.Text(3));
  a.source = src.ok() ? *src : LabelSource::kHuman;
  a.annotator = s.Text(4);
  if (!s.IsNull(5)) a.confidence = s.Double(5);
  a.time_spent_ms = s.Int(6);
  a.kind = s.Text(7);
  a.created_at = s.Int(8);
  return a;
}
constexpr const char* kAnnotationColumns =
    "id, item_id, labels, source, annotator, confidence, time_spent_ms, kind, created_at";

std::string_view ColumnView(sqlite3_stmt* st, int c) {
  const unsigned char* p = sqlite3_column_text(st, c);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st, c))};
}

// ReadAnnotation's row into `a`, reusing its strings' storage: a scan of a million annotations
// spent much of its time allocating them (`hitloop quality` reads every answer).
void ReadAnnotationInto(sqlite3_stmt* st, Annotation* a) {
  a->id = sqlite3_column_int64(st, 0);
  a->item_id = sqlite3_column_int64(st, 1);
  const std::string_view labels = ColumnView(st, 2);
  // The store's own one-label array ["x"] (no escapes): in place; anything else as ReadAnnotation.
  if (labels.size() >= 4 && labels.front() == '[' && labels[1] == '"' && labels.substr(labels.size() - 2) == "\"]" &&
      labels.substr(2, labels.size() - 4).find_first_of("\"\\") == std::string_view::npos &&
      std::none_of(labels.begin(), labels.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) {
    a->labels.resize(1);
    a->labels[0].assign(labels.substr(2, labels.size() - 4));
  } else {
    a->labels = LabelsFromJson(std::string(labels));
  }
  const std::string_view source = ColumnView(st, 3);
  if (source == "human") {
    a->source = LabelSource::kHuman;
  } else {
    auto src = ParseLabelSource(std::string(source));
    a->source = src.ok() ? *src : LabelSource::kHuman;
  }
  a->annotator.assign(ColumnView(st, 4));
  if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
    a->confidence.reset();
  } else {
    a->confidence = sqlite3_column_double(st, 5);
  }
  a->time_spent_ms = sqlite3_column_int64(st, 6);
  a->kind.assign(ColumnView(st, 7));
  a->created_at = sqlite3_column_int64(st, 8);
}
}  // namespace

Result<std::vector<Annotation>> SqliteStore::ListAnnotations(int64_t item_id) {
  PREPARE(s, std::string("SELECT ") + kAnnotationColumns + " FROM annotations WHERE item_id=? ORDER BY id");
  s.Bind(1, item_id);
  std::vector<Annotation> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadAnnotation(s));
  if (rc != SQLITE_DONE) return Error("list annotations");
  return out;
}

Status SqliteStore::ScanAnnotations(int64_t project_id, const std::function<bool(const Annotation&)>& fn,
                                    int64_t after_id) {
  sqlite3_stmt* raw = nullptr;
  std::string sql = std::string("SELECT ") + kAnnotationColumns +
                    " FROM annotations WHERE project_id=? AND id>? ORDER BY id";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return Error("prepare scan");
  Stmt s(raw, /*owned=*/true);
  s.Bind(1, project_id).Bind(2, after_id);
  int rc;
  Status st;
  Annotation a;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ReadAnnotationInto(raw, &a);
    if (!fn(a)) break;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = Error("scan annotations");
  return st;
}

// ---------------------------------------------------------------- predictions

Status SqliteStore::PutPrediction(const Prediction& p) {
  return AutoTxnOneStatement([&]() -> Status {
    PREPARE(s,
            "INSERT INTO predictions(item_id, model_version, label, confidence, distribution, created_at,"
            " project_id) VALUES(?1,?2,?3,?4,?5,?6,(SELECT project_id FROM items WHERE id=?1))"
            " ON CONFLICT(project_id, item_id, model_version) DO UPDATE SET"
            " label=excluded.label, confidence=excluded.confidence,"
            " distribution=excluded.distribution, created_at=excluded.created_at");
    s.Bind(1, p.item_id).BindStatic(2, p.model_version).BindStatic(3, p.label).Bind(4, p.confidence);
    if (p.distribution.empty()) s.BindNull(5);
    else s.BindBlob(5, p.distribution.data(), p.distribution.size() * sizeof(double));
    s.Bind(6, p.created_at ? p.created_at : Now());
    if (s.Step() != SQLITE_DONE) return Error("insert prediction");
    return Status::Ok();
  });
}

Status SqliteStore::StagePredictions(int64_t project_id, const std::string& model_version,
                                     int64_t now) {
  return AutoTxnOneStatement([&]() -> Status {
    PREPARE(s, "INSERT INTO staged_predictions(project_id, model_version, created_at) VALUES(?,?,?)"
               " ON CONFLICT DO NOTHING");
    s.Bind(1, project_id).BindStatic(2, model_version).Bind(3, now ? now : Now());
    if (s.Step() != SQLITE_DONE) return Error("stage predictions");
    if (sqlite3_changes(db_) == 0) return AlreadyExists("model version " + model_version + " is staged already");
    return Status::Ok();
  });
}

Status SqliteStore::PublishPredictions(int64_t project_id, const std::string& model_version) {
  return AutoTxnOneStatement([&]() -> Status {
    PREPARE(s, "DELETE FROM staged_predictions WHERE project_id=? AND model_version=?");
    s.Bind(1, project_id).BindStatic(2, model_version);
    if (s.Step() != SQLITE_DONE) return Error("publish predictions");
    if (sqlite3_changes(db_) == 0) {
      return FailedPrecondition("the predictions of model version " + model_version +
                                " are not staged (another cycle dropped them?)");
    }
    return Status::Ok();
  });
}

Result<int64_t> SqliteStore::DropStagedPredictions(int64_t project_id, int64_t chunk) {
  if (chunk < 1) chunk = 1;
  std::vector<std::string> versions;
  {
    PREPARE(s, "SELECT model_version FROM staged_predictions WHERE project_id=?");
    s.Bind(1, project_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) versions.push_back(s.Text(0));
    if (rc != SQLITE_DONE) return Error("list staged predictions");
  }
  if (versions.empty()) return int64_t{0};
  int64_t lo = 0, hi = -1;
  {
    PREPARE(s, "SELECT MIN(item_id), MAX(item_id) FROM predictions WHERE project_id=?");
    s.Bind(1, project_id);
    if (s.Step() != SQLITE_ROW) return Error("staged predictions' items");
    if (!s.IsNull(0)) {
      lo = s.Int(0);
      hi = s.Int(1);
    }
  }
  int64_t deleted = 0;
  for (const std::string& v : versions) {
    // One short transaction per range of item ids (the primary key is project, item, version).
    for (int64_t from = lo; from <= hi; from += chunk) {
      RETURN_IF_ERROR(InTransaction([&]() -> Status {
        PREPARE(s, "DELETE FROM predictions WHERE project_id=? AND item_id>=? AND item_id<? AND model_version=?");
        s.Bind(1, project_id).Bind(2, from).Bind(3, from + chunk).BindStatic(4, v);
        if (s.Step() != SQLITE_DONE) return Error("drop staged predictions");
        deleted += sqlite3_changes(db_);
        return Status::Ok();
      }));
    }
    RETURN_IF_ERROR(AutoTxnOneStatement([&]() -> Status {
      PREPARE(s, "DELETE FROM staged_predictions WHERE project_id=? AND model_version=?");
      s.Bind(1, project_id).BindStatic(2, v);
      if (s.Step() != SQLITE_DONE) return Error("drop staged predictions");
      return Status::Ok();
    }));
  }
  return deleted;
}

Result<std::optional<Prediction>> SqliteStore::LatestPrediction(int64_t item_id) {
  PREPARE(s,
          "SELECT item_id, model_version, label, confidence, distribution, created_at FROM visible_predictions"
          " WHERE item_id=? ORDER BY created_at DESC, model_version DESC LIMIT 1");
  s.Bind(1, item_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Prediction>();
  if (rc != SQLITE_ROW) return Error("read prediction");
  Prediction p = PredictionFromRow(s);
  return std::optional<Prediction>(std::move(p));
}

Status SqliteStore::ScanLatestPredictions(int64_t project_id, int64_t after_item_id,
                                          const std::function<bool(const Prediction&)>& fn) {
  sqlite3_stmt* raw = nullptr;
  const char* sql =
      "SELECT item_id, model_version, label, confidence, distribution, created_at FROM visible_predictions"
      " WHERE project_id=? AND item_id>? ORDER BY item_id";
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) return Error("prepare scan");
  Stmt s(raw, /*owned=*/true);
  s.Bind(1, project_id).Bind(2, after_item_id);
  std::optional<Prediction> pending;
  int rc;
  bool stopped = false;
  while ((rc = s.Step()) == SQLITE_ROW) {
    Prediction p = PredictionFromRow(s);
    if (pending && pending->item_id != p.item_id) {
      if (!fn(*pending)) { stopped = true; pending.reset(); break; }
      pending.reset();
    }
    // Several model versions per item: keep the newest.
    if (!pending || p.created_at >= pending->created_at) pending = std::move(p);
  }
  Status st;
  if (!stopped && rc != SQLITE_DONE) st = Error("scan predictions");
  if (st.ok() && pending) fn(*pending);
  return st;
}

Prediction PredictionFromRow(const Stmt& s) {
  Prediction p;
  p.item_id = s.Int(0);
  p.model_version = s.Text(1);
  p.label = s.Text(2);
  p.confidence = s.Double(3);
  if (!s.IsNull(4)) {
    const int n = sqlite3_column_bytes(s.get(), 4);
    p.distribution.resize(static_cast<size_t>(n) / sizeof(double));
    if (n > 0) std::memcpy(p.distribution.data(), sqlite3_column_blob(s.get(), 4), p.distribution.size() * sizeof(double));
  }
  p.created_at = s.Int(5);
  return p;
}

}  // namespace hitloop::sqlite
