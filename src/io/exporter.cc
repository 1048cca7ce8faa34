#include "io/exporter.h"

#include <map>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "io/preference_jsonl.h"

namespace hitloop::io {

using nlohmann::json;

namespace {

// True when the item's meta says its prediction of `model` came without a score.
bool Unscored(const Item& item, const std::string& model) {
  if (item.meta_json.find("\"unscored\"") == std::string::npos) return false;  // the common case: no parse
  json meta = json::parse(item.meta_json, nullptr, false);
  if (!meta.is_object()) return false;
  auto h = meta.find("hitloop");
  if (h == meta.end() || !h->is_object()) return false;
  auto u = h->find("unscored");
  if (u == h->end() || !u->is_array()) return false;
  for (const auto& m : *u) {
    if (m == model) return true;
  }
  return false;
}

}  // namespace

const Item& ItemAsResolved(const ExportItem& e, const ExportOptions& options, const Project& project, Item* scratch) {
  if (options.answers == nullptr || project.type != TaskType::kSingleLabel) return *e.item;
  auto it = options.answers->find(e.item->id);
  if (it == options.answers->end()) return *e.item;
  *scratch = *e.item;
  scratch->labels.clear();
  scratch->label_source.reset();
  scratch->label_annotator.clear();
  scratch->label_confidence.reset();
  if (!it->second.resolved.empty()) {
    scratch->labels = {it->second.resolved};
    scratch->label_source = LabelSource::kHuman;
    scratch->label_annotator = "aggregate:" + it->second.method;
    scratch->label_confidence = it->second.confidence;
  }
  return *scratch;
}

Status ForEachExportItem(Store& store, const Project& project, bool with_answers,
                         const std::function<Status(const ExportItem&)>& fn, ExportStats* stats,
                         const ExportOptions* options) {
  uint64_t total = 0;
  if (options != nullptr && options->progress) {
    ASSIGN_OR_RETURN(ProjectStatus status, store.GetStatus(project.id));
    total = static_cast<uint64_t>(status.items);
  }
  constexpr size_t kChunk = 65536;
  std::vector<Prediction> chunk;
  size_t pos = 0;
  int64_t after = -1;
  bool exhausted = false;
  auto refill = [&]() -> Status {
    chunk.clear();
    pos = 0;
    Status st = store.ScanLatestPredictions(project.id, after, [&](const Prediction& p) {
      chunk.push_back(p);
      return chunk.size() < kChunk;
    });
    if (chunk.size() < kChunk) exhausted = true;
    if (!chunk.empty()) after = chunk.back().item_id;
    return st;
  };
  RETURN_IF_ERROR(refill());
  // The project's verdicts (few beside the items), by item.
  std::unordered_map<int64_t, std::vector<Review>> reviews;
  {
    ASSIGN_OR_RETURN(auto all, store.ListReviews(project.id, 0));
    for (Review& r : all) reviews[r.item_id].push_back(std::move(r));
  }
  Status inner;
  ExportItem e;
  Status st = store.ScanItems(project.id, [&](const Item& item) {
    for (;;) {
      while (pos < chunk.size() && chunk[pos].item_id < item.id) ++pos;
      if (pos < chunk.size() || exhausted) break;
      inner = refill();
      if (!inner.ok()) return false;
    }
    e.item = &item;
    e.prediction = (pos < chunk.size() && chunk[pos].item_id == item.id) ? &chunk[pos] : nullptr;
    e.prediction_unscored = e.prediction != nullptr && Unscored(item, e.prediction->model_version);
    e.answers.clear();
    e.reviews.clear();
    if (auto rv = reviews.find(item.id); rv != reviews.end()) {
      auto history = store.ListAnnotations(item.id);
      if (!history.ok()) {
        inner = history.status();
        return false;
      }
      for (const Review& r : rv->second) {
        ReviewedAnswer ra;
        ra.review = r;
        for (const Annotation& a : *history) {
          if (a.id != r.annotation_id) continue;
          ra.labels = a.labels;
          ra.kind = a.kind;
          ra.answered_at = a.created_at;
        }
        e.reviews.push_back(std::move(ra));
      }
    }
    if (with_answers && !item.labels.empty()) {
      auto all = store.ListAnnotations(item.id);
      if (!all.ok()) {
        inner = all.status();
        return false;
      }
      // Every answer, except those an amendment replaced: of the answers one person gave through
      // the server in one role (kind), the newest. Imported answers are all kept (a file may
      // hold one person's two answers to an item; kind "answer" is a file's several people).
      auto from_file = [](const Annotation& a) { return a.kind == "import" || a.kind == "answer"; };
      std::map<std::pair<std::string, std::string>, size_t> newest;
      for (size_t i = 0; i < all->size(); ++i) {
        if (!from_file((*all)[i])) newest[{(*all)[i].annotator, (*all)[i].kind}] = i;
      }
      for (size_t i = 0; i < all->size(); ++i) {
        const Annotation& a = (*all)[i];
        if (from_file(a) || newest[{a.annotator, a.kind}] == i) e.answers.push_back(std::move((*all)[i]));
      }
    }
    inner = fn(e);
    if (!inner.ok()) return false;
    if (stats != nullptr) {
      ++stats->items;
      if (!item.labels.empty()) ++stats->labels;
      if (options != nullptr && options->progress && (stats->items & 0x3fff) == 0) options->progress(stats->items, total);
    }
    return true;
  }, /*with_vectors=*/true, /*with_quarantined=*/true);
  RETURN_IF_ERROR(st);
  return inner;
}

Result<ExportStats> ExportProject(Store& store, const Project& project, Format format,
                                  std::ostream& out, const ExportOptions& options) {
  if (format == nullptr) return InvalidArgument("--format: export needs a format (" + FormatNames() + ")");
  if (format->write == nullptr) return InvalidArgument("--format " + std::string(format->name) + ": import only");
  if (IsPreferenceType(project.type) && !HandlesPreferences(*format) && format != &kLabelStudioFormat) {
    return InvalidArgument("--format " + std::string(format->name) + ": a " + TaskTypeName(project.type) +
                           " project exports jsonl, trl, trl-kto or label-studio");
  }
  ExportStats stats;
  WriteContext ctx;
  ctx.store = &store;
  ctx.project = &project;
  ctx.out = &out;
  ctx.options = &options;
  ctx.stats = &stats;
  ctx.settings = LoadIoSettings(project);
  RETURN_IF_ERROR(format->write(ctx));
  out.flush();
  if (!out) return IoError("export: write failed");
  return stats;
}

}  // namespace hitloop::io
