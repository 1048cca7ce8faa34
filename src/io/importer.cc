#include "io/importer.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ids.h"
#include "io/preference_jsonl.h"

namespace hitloop::io {

using nlohmann::json;

Result<Format> ParseFormat(const std::string& name) {
  if (name == "auto" || name.empty()) return static_cast<Format>(nullptr);
  return FindFormat(name);
}

namespace {

// A prediction's label: one of the project's labels, or, in a multi-label project, a predicted set
// written as its labels joined by "," (what the loop stores and the exports write, loop/multilabel.h).
bool PredictionLabelKnown(const Project& project, const std::string& label) {
  if (project.LabelIndex(label) >= 0) return true;
  if (project.type != TaskType::kMultiLabel || label.empty()) return false;
  size_t start = 0;
  for (;;) {
    const size_t comma = label.find(',', start);
    const std::string part = label.substr(start, comma == std::string::npos ? comma : comma - start);
    if (project.LabelIndex(part) < 0) return false;
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

std::string ContentHashOf(const Record& rec) {
  std::string bytes = rec.text;
  if (!rec.vector.empty()) {
    bytes.push_back('\0');
    bytes.append(reinterpret_cast<const char*>(rec.vector.data()), rec.vector.size() * sizeof(float));
  }
  return ContentHash(bytes);
}

// Writes rejected records; owns the file.
class RejectWriter {
 public:
  Status Open(const std::string& path) {
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) return IoError(path + ": cannot open reject file for writing");
    path_ = path;
    return Status::Ok();
  }
  Status Write(const std::string& file, int64_t line, const std::string& error, std::string_view raw) {
    json j = {{"file", file}, {"line", line}, {"error", error},
              {"raw", IsValidUtf8(raw) ? std::string(raw) : std::string("<invalid UTF-8>")}};
    out_ << j.dump() << '\n';
    if (!out_) return IoError(path_ + ": write failed");
    return Status::Ok();
  }
  Status Close() {
    out_.close();
    if (out_.fail()) return IoError(path_ + ": write failed");
    return Status::Ok();
  }

 private:
  std::ofstream out_;
  std::string path_;
};

Status CheckLabels(const Project& project, const std::vector<std::string>& labels) {
  if (project.type == TaskType::kSingleLabel && labels.size() > 1) {
    return InvalidArgument("labels: single-label project takes one label, got " + std::to_string(labels.size()));
  }
  std::set<std::string> seen;
  for (const auto& l : labels) {
    if (project.LabelIndex(l) < 0) return InvalidArgument("label: unknown label '" + l + "'");
    if (!seen.insert(l).second) return InvalidArgument("labels: '" + l + "' given twice");
  }
  return Status::Ok();
}

Status CheckAnswer(const RecordAnswer& a) {
  if (!a.source.empty() && a.source != "human" && a.source != "model" && a.source != "rule" && a.source != "audit") {
    return InvalidArgument("label_source: must be human, model, rule or audit");
  }
  if (a.confidence && !(*a.confidence >= 0.0 && *a.confidence <= 1.0)) {
    return InvalidArgument("confidence: must be in [0, 1]");
  }
  return Status::Ok();
}

// `earlier`: one of several answers that is not the item's label — a person's answer (kind
// "answer", like --format answers) unless a model or rule gave it; the item's label is kind
// "import" (on a gold item: the known answer).
Status StoreAnswer(Store& store, int64_t item_id, const RecordAnswer& ans, ImportStats* stats,
                   bool earlier = false) {
  Annotation a;
  a.item_id = item_id;
  a.labels = ans.labels;
  if (!ans.source.empty()) {
    ASSIGN_OR_RETURN(a.source, ParseLabelSource(ans.source));
  }
  a.annotator = ans.annotator.empty() ? "import" : ans.annotator;
  a.confidence = ans.confidence;
  a.time_spent_ms = ans.time_ms;
  a.kind = earlier && (a.source == LabelSource::kHuman || a.source == LabelSource::kAudit) ? "answer" : "import";
  RETURN_IF_ERROR(store.AppendAnnotation(a).status());
  ++stats->labels;
  return Status::Ok();
}

// One person's answer from a record's "annotations" list (several people per item).
Status StorePersonAnswer(Store& store, int64_t item_id, const RecordAnswer& ans, ImportStats* stats) {
  Annotation a;
  a.item_id = item_id;
  a.labels = ans.labels;
  a.source = ans.source == "audit" ? LabelSource::kAudit : LabelSource::kHuman;
  a.annotator = ans.annotator;
  a.time_spent_ms = ans.time_ms;
  a.kind = "answer";
  RETURN_IF_ERROR(store.AppendAnnotation(a).status());
  ++stats->answers;
  return Status::Ok();
}

Status StorePrediction(Store& store, int64_t item_id, const RecordPrediction& rp, ImportStats* stats) {
  Prediction p;
  p.item_id = item_id;
  p.model_version = rp.model.empty() ? "import" : rp.model;
  p.label = rp.label;
  p.confidence = rp.score.value_or(0.0);  // the item's meta records that it had none
  p.distribution = rp.distribution;
  RETURN_IF_ERROR(store.PutPrediction(p));
  ++stats->predictions;
  return Status::Ok();
}

}  // namespace

Result<PreparedRecord> PrepareRecord(const Project& project, const Record& rec,
                                     const std::string& split_override) {
  // Every answer and prediction is checked before anything is written. A preference project's
  // answers are encoded judgements (preference/answer.h), checked against the item and the
  // criteria by the reader (io/preference_jsonl.h), not labels.
  const bool is_preference = IsPreferenceType(project.type);
  RecordAnswer current{rec.labels, rec.label_source, rec.annotator, rec.confidence, rec.label_time_ms};
  if (!is_preference) RETURN_IF_ERROR(CheckLabels(project, rec.labels));
  for (const auto& a : rec.earlier_answers) {
    if (!is_preference) RETURN_IF_ERROR(CheckLabels(project, a.labels));
    RETURN_IF_ERROR(CheckAnswer(a));
  }
  for (const auto& a : rec.answers) {
    if (project.type != TaskType::kSingleLabel) return InvalidArgument("annotations: only single-label projects take answers");
    if (a.labels.size() != 1 || project.LabelIndex(a.labels[0]) < 0) {
      return InvalidArgument("annotations: unknown label '" + (a.labels.empty() ? std::string() : a.labels[0]) + "'");
    }
  }
  std::vector<RecordPrediction> preds = rec.earlier_predictions;
  if (rec.prediction_label) {
    preds.push_back({*rec.prediction_label, rec.prediction_score, rec.prediction_model, rec.prediction_distribution});
  }
  for (const auto& p : preds) {
    if (!PredictionLabelKnown(project, p.label)) {
      return InvalidArgument("prediction.label: unknown label '" + p.label + "'");
    }
    if (!p.distribution.empty() && p.distribution.size() != project.labels.size()) {
      return InvalidArgument("prediction.distribution: has " + std::to_string(p.distribution.size()) +
                             " entries, the project has " + std::to_string(project.labels.size()) + " labels");
    }
  }
  Item item;
  item.project_id = project.id;
  item.external_id = rec.id;
  item.text = rec.text;
  item.vector = rec.vector;
  item.meta_json = rec.meta_json;
  // Predictions without a score: the store keeps a number, the meta remembers there was none so
  // the exports write none.
  std::vector<std::string> unscored;
  for (const auto& p : preds) {
    if (!p.score) unscored.push_back(p.model.empty() ? "import" : p.model);
  }
  if (!unscored.empty()) {
    json meta = json::parse(rec.meta_json, nullptr, false);  // depth-checked on the way in
    if (!meta.is_object()) meta = json::object();
    if (!meta["hitloop"].is_object()) meta["hitloop"] = json::object();  // "hitloop" is reserved
    json& u = meta["hitloop"]["unscored"];
    if (!u.is_array()) u = json::array();
    for (const auto& m : unscored) {
      if (std::find(u.begin(), u.end(), m) == u.end()) u.push_back(m);
    }
    item.meta_json = meta.dump();
  }
  // A preference item's content is its prompt and responses (all in the meta).
  item.content_hash = is_preference ? ContentHash(item.meta_json) : ContentHashOf(rec);
  const std::string& split = split_override.empty() ? rec.split : split_override;
  item.split = split == "gold" ? Split::kGold : Split::kPool;
  PreparedRecord out;
  out.split_asked = !split.empty();
  out.item = std::move(item);
  out.preds = std::move(preds);
  out.current = std::move(current);
  return out;
}

Status FinishRecord(Store& store, const Record& rec, const PreparedRecord& prep, PutItemResult put,
                    int64_t id, ImportStats* stats) {
  const Item& item = prep.item;
  const RecordAnswer& current = prep.current;
  const std::vector<RecordPrediction>& preds = prep.preds;
  if (put == PutItemResult::kDuplicateInImport) {
    if (!rec.merge_repeats) {
      return InvalidArgument("id: duplicate id '" + rec.id + "' (already earlier in this file)");
    }
    // Another person's answer to an item earlier in this file.
    for (const auto& a : rec.answers) RETURN_IF_ERROR(StorePersonAnswer(store, id, a, stats));
    for (const auto& a : rec.earlier_answers) RETURN_IF_ERROR(StoreAnswer(store, id, a, stats, true));
    if (!rec.labels.empty()) RETURN_IF_ERROR(StoreAnswer(store, id, current, stats));
    return Status::Ok();
  }
  if (put == PutItemResult::kExisting) {
    ++stats->existing;
    if (prep.split_asked) {  // a re-import does not move items: say so when it was asked to
      ASSIGN_OR_RETURN(Item old, store.GetItem(id));
      if (old.split != item.split) ++stats->existing_other_split;
    }
    return Status::Ok();
  }
  ++stats->inserted;
  if (rec.id_generated) ++stats->ids_generated;
  for (const auto& a : rec.answers) RETURN_IF_ERROR(StorePersonAnswer(store, id, a, stats));
  // With answers, the record's label is their resolved label: stored only when it is a machine's.
  // (On a gold item the label is the known answer and is stored.)
  const bool label_is_resolved = !rec.answers.empty() && item.split != Split::kGold &&
                                 rec.label_source != "model" && rec.label_source != "rule";
  // Oldest first: the last answer stored is the item's label.
  for (const auto& a : rec.earlier_answers) RETURN_IF_ERROR(StoreAnswer(store, id, a, stats, true));
  if (!rec.labels.empty() && !label_is_resolved) RETURN_IF_ERROR(StoreAnswer(store, id, current, stats));
  for (const auto& p : preds) RETURN_IF_ERROR(StorePrediction(store, id, p, stats));
  return Status::Ok();
}

Status StoreRecord(Store& store, const Project& project, const Record& rec,
                   const std::string& import_tag, ImportStats* stats,
                   const std::string& split_override) {
  ASSIGN_OR_RETURN(PreparedRecord prep, PrepareRecord(project, rec, split_override));
  int64_t id = 0;
  ASSIGN_OR_RETURN(PutItemResult put, store.PutItem(prep.item, import_tag, &id));
  return FinishRecord(store, rec, prep, put, id, stats);
}

// Records stored per Store::PutItems call.
constexpr size_t kImportBatch = 1000;

Result<ImportStats> ImportFile(Store& store, const Project& project, const std::string& path,
                               Format format, const ImportOptions& options) {
  ImportStats stats;
  if (!options.split.empty() && options.split != "gold" && options.split != "pool") {
    return InvalidArgument("--split: must be gold or pool");
  }
  if (format == nullptr) {
    ASSIGN_OR_RETURN(format, SniffFormat(path, &stats.format_reason));
  } else {
    RETURN_IF_ERROR(CheckFormatMatches(*format, path));
  }
  stats.format = format->name;
  if (format->read == nullptr) return InvalidArgument("--format " + stats.format + ": export only");
  // Preference projects read preference records only (io/preference_jsonl.h).
  if (IsPreferenceType(project.type) && !HandlesPreferences(*format)) {
    return InvalidArgument(path + ": a " + std::string(TaskTypeName(project.type)) +
                           " project imports jsonl, trl or hh (hitloop, TRL or HH-RLHF records), not " + stats.format);
  }
  const std::string tag = RandomId();
  RejectWriter rejects;
  const bool skip_bad = !options.reject_path.empty();
  if (skip_bad) RETURN_IF_ERROR(rejects.Open(options.reject_path));

  IoSettings settings = LoadIoSettings(project);
  const IoSettings before = settings;
  if (!options.text_field.empty()) settings.text_field = options.text_field;
  LossNotes notes;

  bool any_gold = false;  // a gold record was stored
  ReadContext ctx;
  ctx.path = path;
  ctx.project = &project;
  ctx.options = &options;
  ctx.settings = &settings;
  ctx.notes = &notes;
  ctx.progress = options.progress;
  // A record that cannot be stored: abort (all-or-nothing) or write it to the rejects.
  auto refuse = [&](int64_t line, const std::string& where, const Status& rs,
                    std::string_view raw) -> Status {
    const std::string at = ":" + std::to_string(line) + ": " + (where.empty() ? "" : where + ": ");
    if (rs.code() != StatusCode::kInvalidArgument || !skip_bad) {
      return Status(rs.code(), path + at + rs.message());
    }
    ++stats.rejected;
    return rejects.Write(path, line, (where.empty() ? "" : where + ": ") + rs.message(), raw);
  };
  // Checked records wait here and are stored kImportBatch at a time (Store::PutItems: one
  // round trip per batch on PostgreSQL), then their answers and pre-labels, in file order.
  struct Pending {
    int64_t line;
    std::string where;
    Record rec;
    PreparedRecord prep;
    std::string raw;  // kept for the rejects file only
  };
  std::vector<Pending> pending;
  auto flush = [&]() -> Status {
    if (pending.empty()) return Status::Ok();
    std::vector<Item> items;
    items.reserve(pending.size());
    for (auto& p : pending) items.push_back(std::move(p.prep.item));
    ASSIGN_OR_RETURN(std::vector<PutItemOutcome> put, store.PutItems(items, tag));
    for (size_t i = 0; i < pending.size(); ++i) {
      Pending& p = pending[i];
      p.prep.item = std::move(items[i]);
      Status rs = put[i].status;
      if (rs.ok()) rs = FinishRecord(store, p.rec, p.prep, put[i].result, put[i].id, &stats);
      if (rs.ok()) {
        any_gold |= p.prep.item.split == Split::kGold;
        continue;
      }
      RETURN_IF_ERROR(refuse(p.line, p.where, rs, p.raw));
    }
    pending.clear();
    return Status::Ok();
  };
  ctx.emit = [&](int64_t line, const std::string& where, const Status& st, Record& rec,
                 std::string_view raw) -> Status {
    ++stats.records;
    Status rs = st;
    if (rs.ok()) {
      Result<PreparedRecord> prep = PrepareRecord(project, rec, options.split);
      if (prep.ok()) {
        pending.push_back({line, where, rec, std::move(*prep), skip_bad ? std::string(raw) : std::string()});
        return pending.size() >= kImportBatch ? flush() : Status::Ok();
      }
      rs = prep.status();
    }
    RETURN_IF_ERROR(flush());  // an earlier record's refusal is reported first
    return refuse(line, where, rs, raw);
  };

  Status st = store.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(format->read(ctx));
    RETURN_IF_ERROR(flush());
    // Gold items with a known answer become gold questions (loop/gold.h) at once.
    if (any_gold) RETURN_IF_ERROR(store.EnsureGoldQueue(project.id).status());
    if (settings.text_field != before.text_field || settings.ls_from_name != before.ls_from_name ||
        settings.ls_to_name != before.ls_to_name) {
      // Re-read: a cycle may have changed the config since `project` was loaded.
      ASSIGN_OR_RETURN(Project now, store.GetProjectById(project.id));
      RETURN_IF_ERROR(store.SetProjectConfig(project.id, WithIoSettings(now.config_json, settings)));
    }
    return Status::Ok();
  });
  if (skip_bad) {
    Status cs = rejects.Close();
    if (st.ok()) st = cs;
  }
  if (!st.ok()) return st;
  stats.notes = notes.Lines();
  if (stats.existing_other_split > 0) {
    const bool gold = options.split == "gold";
    stats.notes.push_back(std::to_string(stats.existing_other_split) + " records were already in the project " +
                          (options.split.empty() ? "in the other split" : std::string("in ") + (gold ? "pool" : "gold")) +
                          " and stay there (a split applies to new items; move items with POST "
                          "/api/v1/projects/NAME/items/gold or /items/pool)");
  }
  if (stats.ids_generated > 0) {
    stats.notes.insert(stats.notes.begin(), std::to_string(stats.ids_generated) +
                                                " records had no id: given a content-hash id (re-import finds them)");
  }
  return stats;
}

}  // namespace hitloop::io
