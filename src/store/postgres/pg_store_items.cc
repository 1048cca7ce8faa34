// PgStore: items, annotations and predictions. See the matching sections of store/store.h.
// Scans read in pages of kScanPage rows by key (id > last; PgStore::ScanPages), so a callback may
// use the store, and a million-item scan never holds more than one page in memory.
#include <cstdint>
#include <cstring>
#include <map>
#include <set>

#include "store/postgres/pg_clock.h"
#include "store/postgres/pg_labels.h"
#include "store/postgres/pg_store.h"

namespace hitloop::pg {

namespace {

constexpr const char* kItemColumns =
    "id, project_id, external_id, text, vector, meta, content_hash, split, state, labels,"
    " label_source, label_annotator, label_confidence, hold";

Item ReadItem(const PgRows& r, int i, bool with_vectors) {
  Item it;
  it.id = r.Int(i, 0);
  it.project_id = r.Int(i, 1);
  it.external_id = r.Text(i, 2);
  it.text = r.Text(i, 3);
  if (with_vectors && !r.IsNull(i, 4)) {
    const std::string bytes = r.Bytes(i, 4);
    it.vector.resize(bytes.size() / sizeof(float));
    if (!it.vector.empty()) std::memcpy(it.vector.data(), bytes.data(), it.vector.size() * sizeof(float));
  }
  it.meta_json = r.Text(i, 5);
  it.content_hash = r.Text(i, 6);
  it.split = r.Text(i, 7) == "gold" ? Split::kGold : Split::kPool;
  auto st = ParseItemState(r.Text(i, 8));
  it.state = st.ok() ? *st : ItemState::kUnlabeled;
  if (!r.IsNull(i, 9)) it.labels = LabelsFromJson(r.Text(i, 9));
  if (!r.IsNull(i, 10)) {
    auto src = ParseLabelSource(r.Text(i, 10));
    if (src.ok()) it.label_source = *src;
  }
  it.label_annotator = r.Text(i, 11);
  if (!r.IsNull(i, 12)) it.label_confidence = r.Double(i, 12);
  if (!r.IsNull(i, 13)) it.hold = r.Text(i, 13);
  return it;
}

constexpr const char* kAnnotationColumns =
    "id, item_id, labels, source, annotator, confidence, time_spent_ms, kind, created_at";

Annotation ReadAnnotation(const PgRows& r, int i) {
  Annotation a;
  a.id = r.Int(i, 0);
  a.item_id = r.Int(i, 1);
  a.labels = LabelsFromJson(r.Text(i, 2));
  auto src = ParseLabelSource(r.Text(i, 3));
  a.source = src.ok() ? *src : LabelSource::kHuman;
  a.annotator = r.Text(i, 4);
  if (!r.IsNull(i, 5)) a.confidence = r.Double(i, 5);
  a.time_spent_ms = r.Int(i, 6);
  a.kind = r.Text(i, 7);
  a.created_at = r.Int(i, 8);
  return a;
}

constexpr const char* kPredictionColumns =
    "item_id, model_version, label, confidence, distribution, created_at";

Prediction ReadPrediction(const PgRows& r, int i) {
  Prediction p;
  p.item_id = r.Int(i, 0);
  p.model_version = r.Text(i, 1);
  p.label = r.Text(i, 2);
  p.confidence = r.Double(i, 3);
  if (!r.IsNull(i, 4)) {
    const std::string bytes = r.Bytes(i, 4);
    p.distribution.resize(bytes.size() / sizeof(double));
    if (!p.distribution.empty()) {
      std::memcpy(p.distribution.data(), bytes.data(), p.distribution.size() * sizeof(double));
    }
  }
  p.created_at = r.Int(i, 5);
  return p;
}

}  // namespace

// ---------------------------------------------------------------- items

namespace {

// What PgStore::PutItem refuses before it writes: a NUL in a text.
Status CheckItemTexts(const Item& item, const std::string& import_tag) {
  RETURN_IF_ERROR(CheckText("external id", item.external_id));
  RETURN_IF_ERROR(CheckText("text", item.text));
  RETURN_IF_ERROR(CheckText("meta", item.meta_json));
  RETURN_IF_ERROR(CheckText("content hash", item.content_hash));
  RETURN_IF_ERROR(CheckText("import tag", import_tag));
  RETURN_IF_ERROR(CheckText("label annotator", item.label_annotator));
  for (const auto& l : item.labels) RETURN_IF_ERROR(CheckText("label", l));
  return Status::Ok();
}

constexpr size_t kInsertChunk = 1000;  // rows per INSERT: 14 parameters each, under libpq's 65,535

}  // namespace

// The length of the project's stored vectors (0: none yet), cached per connection.
Result<int64_t> PgStore::ProjectVectorLength(int64_t project_id) {
  if (auto it = vector_dims_.find(project_id); it != vector_dims_.end()) return it->second;
  PgParams p;
  p.Add(project_id);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT octet_length(vector) / 4 FROM items WHERE project_id=$1 AND"
                        " vector IS NOT NULL AND hold IS NULL LIMIT 1", p, &r,
                        "read the project's vector size"));
  const int64_t want = r.rows() > 0 ? r.Int(0, 0) : 0;
  if (want > 0) vector_dims_[project_id] = want;
  return want;
}

Result<PutItemResult> PgStore::PutItem(const Item& item, const std::string& import_tag, int64_t* id) {
  RETURN_IF_ERROR(CheckItemTexts(item, import_tag));
  // Every vector of a project has the same length (see SqliteStore::PutItem).
  if (!item.vector.empty()) {
    ASSIGN_OR_RETURN(int64_t want, ProjectVectorLength(item.project_id));
    if (want > 0 && want != static_cast<int64_t>(item.vector.size())) {
      return InvalidArgument("vector: has " + std::to_string(item.vector.size()) +
                             " dimensions, the project's vectors have " + std::to_string(want));
    }
  }
  PutItemResult result = PutItemResult::kInserted;
  Status st = AutoTxnOneStatement([&]() -> Status {
    PgParams p;
    p.Add(item.project_id).Add(item.external_id).Add(item.text);
    if (item.vector.empty()) p.AddNull();
    else p.AddBytes(item.vector.data(), item.vector.size() * sizeof(float));
    p.Add(item.meta_json).Add(item.content_hash).Add(SplitName(item.split)).Add(ItemStateName(item.state));
    if (item.labels.empty()) p.AddNull();
    else p.Add(LabelsToJson(item.labels));
    if (item.label_source) p.Add(LabelSourceName(*item.label_source)).Add(item.label_annotator);
    else p.AddNull().AddNull();
    p.AddOpt(item.label_confidence).Add(import_tag).Add(Now());
    PgRows r;
    RETURN_IF_ERROR(Query(
        "INSERT INTO items(project_id, external_id, text, vector, meta, content_hash, split, state,"
        " labels, label_source, label_annotator, label_confidence, import_tag, created_at)"
        " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"
        " ON CONFLICT(project_id, external_id) DO NOTHING RETURNING id",
        p, &r, "insert item"));
    if (r.rows() == 1) {
      *id = r.Int(0, 0);
      if (!item.vector.empty()) vector_dims_[item.project_id] = static_cast<int64_t>(item.vector.size());
      return Status::Ok();
    }
    PgParams q;
    q.Add(item.project_id).Add(item.external_id);
    PgRows found;
    RETURN_IF_ERROR(Query("SELECT id, import_tag FROM items WHERE project_id=$1 AND external_id=$2", q,
                          &found, "find item"));
    if (found.rows() == 0) return IoError(where() + ": item " + item.external_id + " vanished");
    *id = found.Int(0, 0);
    result = (!import_tag.empty() && found.Text(0, 1) == import_tag) ? PutItemResult::kDuplicateInImport
                                                                      : PutItemResult::kExisting;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return result;
}


// One multi-row INSERT per chunk (and one SELECT for the ids already present) instead of a round
// trip per item: importing 20k items spent ~0.6 s of hitloop CPU and 18 s waiting on the
// per-item round trips on a loaded 2-core machine.
Result<std::vector<PutItemOutcome>> PgStore::PutItems(std::span<const Item> items,
                                                      const std::string& import_tag) {
  std::vector<PutItemOutcome> out(items.size());
  if (items.empty()) return out;
  RETURN_IF_ERROR(CheckText("import tag", import_tag));
  // Refusals first, exactly as PutItem would give them, in order (vector length against the
  // project's, or against the first vector this batch writes).
  std::vector<size_t> to_write;  // items to write, in order; later copies of an id are left out
  std::map<std::string, size_t> first_of;  // external id -> first index written in this batch
  std::vector<size_t> copy_of(items.size(), SIZE_MAX);
  const int64_t project_id = items[0].project_id;
  int64_t want = -1;  // the project's vector length: -1 not read yet, 0 none stored
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    if (item.project_id != project_id) return InvalidArgument("PutItems: items of several projects");
    out[i].status = CheckItemTexts(item, import_tag);
    if (!out[i].status.ok()) continue;
    if (!item.vector.empty()) {
      if (want < 0) {
        ASSIGN_OR_RETURN(want, ProjectVectorLength(project_id));
      }
      // None stored yet: the first vector of the batch sets the length for the rest of it.
      if (want == 0) want = static_cast<int64_t>(item.vector.size());
      if (want != static_cast<int64_t>(item.vector.size())) {
        out[i].status = InvalidArgument("vector: has " + std::to_string(item.vector.size()) +
                                        " dimensions, the project's vectors have " + std::to_string(want));
        continue;
      }
    }
    auto [it, fresh] = first_of.emplace(item.external_id, i);
    if (!fresh) {
      copy_of[i] = it->second;
      continue;
    }
    to_write.push_back(i);
  }
  Status st = AutoTxnOneStatement([&]() -> Status {
    const int64_t now = Now();
    for (size_t from = 0; from < to_write.size(); from += kInsertChunk) {
      const size_t to = std::min(to_write.size(), from + kInsertChunk);
      PgParams p;
      std::string sql =
          "INSERT INTO items(project_id, external_id, text, vector, meta, content_hash, split, state,"
          " labels, label_source, label_annotator, label_confidence, import_tag, created_at) VALUES";
      for (size_t j = from; j < to; ++j) {
        const Item& item = items[to_write[j]];
        const int b = p.size();
        sql += j == from ? "(" : ",(";
        for (int c = 1; c <= 14; ++c) sql += (c > 1 ? ",$" : "$") + std::to_string(b + c);
        sql += ")";
        p.Add(item.project_id).Add(item.external_id).Add(item.text);
        if (item.vector.empty()) p.AddNull();
        else p.AddBytes(item.vector.data(), item.vector.size() * sizeof(float));
        p.Add(item.meta_json).Add(item.content_hash).Add(SplitName(item.split)).Add(ItemStateName(item.state));
        if (item.labels.empty()) p.AddNull();
        else p.Add(LabelsToJson(item.labels));
        if (item.label_source) p.Add(LabelSourceName(*item.label_source)).Add(item.label_annotator);
        else p.AddNull().AddNull();
        p.AddOpt(item.label_confidence).Add(import_tag).Add(now);
      }
      sql += " ON CONFLICT(project_id, external_id) DO NOTHING RETURNING id, external_id";
      PgRows r;
      RETURN_IF_ERROR(Query(sql, p, &r, "insert items"));
      std::map<std::string, int64_t> inserted;
      for (int row = 0; row < r.rows(); ++row) inserted.emplace(r.Text(row, 1), r.Int(row, 0));
      std::vector<std::string> present;  // ids already in the project before this chunk
      for (size_t j = from; j < to; ++j) {
        const size_t i = to_write[j];
        if (auto it = inserted.find(items[i].external_id); it != inserted.end()) {
          out[i].result = PutItemResult::kInserted;
          out[i].id = it->second;
          if (!items[i].vector.empty()) vector_dims_[project_id] = static_cast<int64_t>(items[i].vector.size());
        } else {
          present.push_back(items[i].external_id);
        }
      }
      if (present.empty()) continue;
      PgParams q;
      q.Add(project_id).AddTextArray(present);
      PgRows found;
      RETURN_IF_ERROR(Query("SELECT id, external_id, import_tag FROM items WHERE project_id=$1 AND"
                            " external_id = ANY($2::text[])", q, &found, "find items"));
      std::map<std::string, std::pair<int64_t, std::string>> by_id;
      for (int row = 0; row < found.rows(); ++row) {
        by_id[found.Text(row, 1)] = {found.Int(row, 0), found.Text(row, 2)};
      }
      for (size_t j = from; j < to; ++j) {
        const size_t i = to_write[j];
        if (inserted.count(items[i].external_id)) continue;
        auto it = by_id.find(items[i].external_id);
        if (it == by_id.end()) return IoError(where() + ": item " + items[i].external_id + " vanished");
        out[i].id = it->second.first;
        out[i].result = it->second.second == import_tag ? PutItemResult::kDuplicateInImport
                                                        : PutItemResult::kExisting;
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // Later copies of an id in this batch: what PutItem would have said for the second call.
  for (size_t i = 0; i < items.size(); ++i) {
    if (copy_of[i] == SIZE_MAX) continue;
    const PutItemOutcome& first = out[copy_of[i]];
    out[i].id = first.id;
    out[i].result = first.result == PutItemResult::kExisting ? PutItemResult::kExisting
                                                              : PutItemResult::kDuplicateInImport;
  }
  return out;
}

Result<Item> PgStore::GetItem(int64_t item_id) {
  PgParams p;
  p.Add(item_id);
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kItemColumns + " FROM items WHERE id=$1", p, &r, "read item"));
  if (r.rows() == 0) return NotFound("item " + std::to_string(item_id) + " not found");
  return ReadItem(r, 0, true);
}

Result<std::optional<Item>> PgStore::FindItem(int64_t project_id, const std::string& external_id) {
  if (!CheckText("external id", external_id).ok()) return std::optional<Item>();
  PgParams p;
  p.Add(project_id).Add(external_id);
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kItemColumns +
                            " FROM items WHERE project_id=$1 AND external_id=$2", p, &r, "read item"));
  if (r.rows() == 0) return std::optional<Item>();
  return std::optional<Item>(ReadItem(r, 0, true));
}

Status PgStore::ScanItems(int64_t project_id, const std::function<bool(const Item&)>& fn,
                          bool with_vectors, bool with_quarantined) {
  const std::string sql =
      std::string("SELECT ") + kItemColumns + " FROM items WHERE project_id=$1 AND id>$2 AND " +
      (with_quarantined ? "(hold IS NULL OR hold='quarantined')" : "hold IS NULL") +
      " ORDER BY id LIMIT " + std::to_string(kScanPage);
  return ScanPages<Item>(
      sql, project_id, 0, "scan items", [&](const PgRows& r, int i) { return ReadItem(r, i, with_vectors); },
      [](const Item& it) { return it.id; }, fn);
}

Status PgStore::SetItemState(int64_t item_id, ItemState state) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(ItemStateName(state)).Add(item_id);
    PgRows r;
    RETURN_IF_ERROR(Query("UPDATE items SET state=$1 WHERE id=$2", p, &r, "update item state"));
    if (r.affected() == 0) return NotFound("item " + std::to_string(item_id));
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- annotations

Result<int64_t> PgStore::AppendAnnotation(const Annotation& a) {
  RETURN_IF_ERROR(CheckText("annotator", a.annotator));
  RETURN_IF_ERROR(CheckText("kind", a.kind));
  for (const auto& l : a.labels) RETURN_IF_ERROR(CheckText("label", l));
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(a.item_id);
    PgRows item;
    // The item's row lock orders concurrent annotations of one item (read state, then write).
    RETURN_IF_ERROR(Query("SELECT project_id, state, hold, split FROM items WHERE id=$1 FOR UPDATE", p, &item,
                          "read item"));
    if (item.rows() == 0) return NotFound("item " + std::to_string(a.item_id) + " not found");
    if (!item.IsNull(0, 2)) {
      return Conflict("item " + std::to_string(a.item_id) + " is " + item.Text(0, 2) +
                      ": it takes no annotations");
    }
    const int64_t project_id = item.Int(0, 0);
    const std::string state = item.Text(0, 1);
    const std::string labels_json = LabelsToJson(a.labels);
    PgParams ins;
    ins.Add(project_id).Add(a.item_id).Add(labels_json).Add(LabelSourceName(a.source)).Add(a.annotator);
    ins.AddOpt(a.confidence).Add(a.time_spent_ms).Add(a.kind).Add(a.created_at ? a.created_at : Now());
    PgRows r;
    RETURN_IF_ERROR(Query("INSERT INTO annotations(project_id, item_id, labels, source, annotator,"
                          " confidence, time_spent_ms, kind, created_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)"
                          " RETURNING id", ins, &r, "insert annotation"));
    id = r.Int(0, 0);
    const bool people = a.source == LabelSource::kHuman || a.source == LabelSource::kAudit;
    if (!people && state == "labeled") return Status::Ok();  // a machine never overwrites a person
    // A gold item's known answer comes from imports; people's answers to it are history only.
    if (item.Text(0, 3) == "gold" && a.kind != "import" && a.kind != "label") return Status::Ok();
    PgParams u;
    u.Add(labels_json).Add(LabelSourceName(a.source)).Add(a.annotator).AddOpt(a.confidence);
    u.Add(people ? "labeled" : "auto").Add(a.item_id);
    return Query("UPDATE items SET labels=$1, label_source=$2, label_annotator=$3, label_confidence=$4,"
                 " state=$5 WHERE id=$6", u, "update item label");
  });
  if (!st.ok()) return st;
  return id;
}

Result<std::vector<Annotation>> PgStore::ListAnnotations(int64_t item_id) {
  PgParams p;
  p.Add(item_id);
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kAnnotationColumns +
                            " FROM annotations WHERE item_id=$1 ORDER BY id", p, &r, "list annotations"));
  std::vector<Annotation> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(ReadAnnotation(r, i));
  return out;
}

Status PgStore::ScanAnnotations(int64_t project_id, const std::function<bool(const Annotation&)>& fn,
                                int64_t after_id) {
  const std::string sql = std::string("SELECT ") + kAnnotationColumns +
                          " FROM annotations WHERE project_id=$1 AND id>$2 ORDER BY id LIMIT " +
                          std::to_string(kScanPage);
  return ScanPages<Annotation>(
      sql, project_id, after_id, "scan annotations", [](const PgRows& r, int i) { return ReadAnnotation(r, i); },
      [](const Annotation& a) { return a.id; }, fn);
}

// ---------------------------------------------------------------- predictions

Status PgStore::PutPrediction(const Prediction& p) {
  RETURN_IF_ERROR(CheckText("model version", p.model_version));
  RETURN_IF_ERROR(CheckText("label", p.label));
  return AutoTxnOneStatement([&]() -> Status {
    PgParams params;
    params.Add(p.item_id).Add(p.model_version).Add(p.label).Add(p.confidence);
    if (p.distribution.empty()) params.AddNull();
    else params.AddBytes(p.distribution.data(), p.distribution.size() * sizeof(double));
    params.Add(p.created_at ? p.created_at : Now());
    PgRows r;
    RETURN_IF_ERROR(Query("INSERT INTO predictions(item_id, model_version, label, confidence, distribution,"
                 " created_at, project_id) SELECT $1, $2, $3, $4, $5, $6, project_id FROM items WHERE id=$1"
                 " ON CONFLICT(project_id, item_id, model_version) DO UPDATE SET label=excluded.label,"
                 " confidence=excluded.confidence, distribution=excluded.distribution,"
                 " created_at=excluded.created_at", params, &r, "insert prediction"));
    if (r.affected() == 0) return NotFound("item " + std::to_string(p.item_id) + " not found");
    return Status::Ok();
  });
}

Status PgStore::PutPredictions(std::span<const Prediction> ps) {
  constexpr size_t kChunk = 1000;  // 6 parameters a row
  for (size_t from = 0; from < ps.size(); from += kChunk) {
    const size_t to = std::min(ps.size(), from + kChunk);
    // One statement may not upsert the same row twice: such a chunk goes row by row.
    std::set<std::pair<int64_t, std::string_view>> seen;
    bool repeated = false;
    for (size_t i = from; i < to && !repeated; ++i) {
      RETURN_IF_ERROR(CheckText("model version", ps[i].model_version));
      RETURN_IF_ERROR(CheckText("label", ps[i].label));
      repeated = !seen.emplace(ps[i].item_id, ps[i].model_version).second;
    }
    if (repeated) {
      for (size_t i = from; i < to; ++i) RETURN_IF_ERROR(PutPrediction(ps[i]));
      continue;
    }
    RETURN_IF_ERROR(AutoTxnOneStatement([&]() -> Status {
      const int64_t now = Now();
      PgParams params;
      std::string sql =
          "INSERT INTO predictions(item_id, model_version, label, confidence, distribution, created_at,"
          " project_id) SELECT v.item_id, v.model_version, v.label, v.confidence, v.distribution,"
          " v.created_at, i.project_id FROM (VALUES";
      for (size_t i = from; i < to; ++i) {
        const Prediction& p = ps[i];
        const int b = params.size();
        sql += i == from ? "(" : ",(";
        sql += "$" + std::to_string(b + 1) + "::bigint,$" + std::to_string(b + 2) + "::text,$" +
               std::to_string(b + 3) + "::text,$" + std::to_string(b + 4) + "::float8,$" +
               std::to_string(b + 5) + "::bytea,$" + std::to_string(b + 6) + "::bigint)";
        params.Add(p.item_id).Add(p.model_version).Add(p.label).Add(p.confidence);
        if (p.distribution.empty()) params.AddNull();
        else params.AddBytes(p.distribution.data(), p.distribution.size() * sizeof(double));
        params.Add(p.created_at ? p.created_at : now);
      }
      sql += ") AS v(item_id, model_version, label, confidence, distribution, created_at)"
             " JOIN items i ON i.id = v.item_id"
             " ON CONFLICT(project_id, item_id, model_version) DO UPDATE SET label=excluded.label,"
             " confidence=excluded.confidence, distribution=excluded.distribution,"
             " created_at=excluded.created_at";
      PgRows r;
      RETURN_IF_ERROR(Query(sql, params, &r, "insert predictions"));
      if (r.affected() != static_cast<int64_t>(to - from)) {
        for (size_t i = from; i < to; ++i) {  // name the missing item as PutPrediction would
          PgParams q;
          q.Add(ps[i].item_id);
          PgRows found;
          RETURN_IF_ERROR(Query("SELECT 1 FROM items WHERE id=$1", q, &found, "find item"));
          if (found.rows() == 0) return NotFound("item " + std::to_string(ps[i].item_id) + " not found");
        }
        return Internal("insert predictions: " + std::to_string(r.affected()) + " of " +
                        std::to_string(to - from) + " rows written");
      }
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

Status PgStore::StagePredictions(int64_t project_id, const std::string& model_version, int64_t now) {
  RETURN_IF_ERROR(CheckText("model version", model_version));
  return AutoTxnOneStatement([&]() -> Status {
    PgParams p;
    p.Add(project_id).Add(model_version).Add(now ? now : Now());
    PgRows r;
    RETURN_IF_ERROR(Query("INSERT INTO staged_predictions(project_id, model_version, created_at)"
                          " VALUES($1, $2, $3) ON CONFLICT DO NOTHING", p, &r, "stage predictions"));
    if (r.affected() == 0) return AlreadyExists("model version " + model_version + " is staged already");
    return Status::Ok();
  });
}

Status PgStore::PublishPredictions(int64_t project_id, const std::string& model_version) {
  return AutoTxnOneStatement([&]() -> Status {
    PgParams p;
    p.Add(project_id).Add(model_version);
    PgRows r;
    RETURN_IF_ERROR(Query("DELETE FROM staged_predictions WHERE project_id=$1 AND model_version=$2", p,
                          &r, "publish predictions"));
    if (r.affected() == 0) {
      return FailedPrecondition("the predictions of model version " + model_version +
                                " are not staged (another cycle dropped them?)");
    }
    return Status::Ok();
  });
}

Result<int64_t> PgStore::DropStagedPredictions(int64_t project_id, int64_t chunk) {
  if (chunk < 1) chunk = 1;
  std::vector<std::string> versions;
  {
    PgParams p;
    p.Add(project_id);
    PgRows r;
    RETURN_IF_ERROR(Query("SELECT model_version FROM staged_predictions WHERE project_id=$1", p, &r,
                          "list staged predictions"));
    for (int i = 0; i < r.rows(); ++i) versions.push_back(r.Text(i, 0));
  }
  if (versions.empty()) return int64_t{0};
  int64_t lo = 0, hi = -1;
  {
    PgParams p;
    p.Add(project_id);
    PgRows r;
    RETURN_IF_ERROR(Query("SELECT min(item_id), max(item_id) FROM predictions WHERE project_id=$1", p,
                          &r, "staged predictions' items"));
    if (r.rows() > 0 && !r.IsNull(0, 0)) {
      lo = r.Int(0, 0);
      hi = r.Int(0, 1);
    }
  }
  int64_t deleted = 0;
  for (const std::string& v : versions) {
    // One short transaction per range of item ids (the primary key is project, item, version).
    for (int64_t from = lo; from <= hi; from += chunk) {
      RETURN_IF_ERROR(InTransaction([&]() -> Status {
        PgParams p;
        p.Add(project_id).Add(from).Add(from + chunk).Add(v);
        PgRows r;
        RETURN_IF_ERROR(Query("DELETE FROM predictions WHERE project_id=$1 AND item_id>=$2 AND"
                              " item_id<$3 AND model_version=$4", p, &r, "drop staged predictions"));
        deleted += r.affected();
        return Status::Ok();
      }));
    }
    PgParams p;
    p.Add(project_id).Add(v);
    PgRows r;
    RETURN_IF_ERROR(AutoTxnOneStatement([&]() -> Status {
      return Query("DELETE FROM staged_predictions WHERE project_id=$1 AND model_version=$2", p, &r,
                   "drop staged predictions");
    }));
  }
  return deleted;
}

Result<std::optional<Prediction>> PgStore::LatestPrediction(int64_t item_id) {
  PgParams p;
  p.Add(item_id);
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kPredictionColumns +
                            " FROM visible_predictions WHERE item_id=$1 ORDER BY created_at DESC,"
                            " model_version COLLATE \"C\" DESC LIMIT 1", p, &r, "read prediction"));
  if (r.rows() == 0) return std::optional<Prediction>();
  return std::optional<Prediction>(ReadPrediction(r, 0));
}

Status PgStore::ScanLatestPredictions(int64_t project_id, int64_t after_item_id,
                                      const std::function<bool(const Prediction&)>& fn) {
  // The newest per item; on a tie of created_at the greatest model version (as SQLite's scan).
  const std::string sql = std::string("SELECT DISTINCT ON (item_id) ") + kPredictionColumns +
                          " FROM visible_predictions WHERE project_id=$1 AND item_id>$2 ORDER BY item_id,"
                          " created_at DESC, model_version COLLATE \"C\" DESC LIMIT " + std::to_string(kScanPage);
  return ScanPages<Prediction>(
      sql, project_id, after_item_id, "scan predictions",
      [](const PgRows& r, int i) { return ReadPrediction(r, i); },
      [](const Prediction& pr) { return pr.item_id; }, fn);
}

}  // namespace hitloop::pg
