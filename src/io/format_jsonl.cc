// hitloop's own JSONL (--format jsonl): one record per line, the fields of docs/FORMATS.md; for a
// pairwise or ranking project, preference records (io/preference_jsonl.h, io/preference_export.h).
// Reader: parsing runs on a second thread, a bounded queue ahead of the importer's writer, so JSON
// parsing and SQLite inserts overlap on two cores (at most kMaxBatches batches of kBatch records
// in flight). Writer: each line written directly, keys sorted — the bytes nlohmann's dump of the
// same object gives (the round-trip tests compare exports byte for byte).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "io/json_write.h"
#include "io/line_reader.h"
#include "io/preference_export.h"
#include "io/preference_jsonl.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_jsonl {
namespace {

using nlohmann::json;
constexpr auto kReplace = json::error_handler_t::replace;

int Sniff(const SniffSample& s) {
  if (s.shape == SniffSample::kJsonLines || (s.shape == SniffSample::kJsonObject && s.HasKey("id"))) {
    if (s.HasKey("data") || s.HasKey("annotations")) return 0;
    if (s.first != nullptr && s.first->contains("label") && (*s.first)["label"].is_array()) return 0;  // doccano
    return s.HasKey("id") && (s.HasKey("text") || s.HasKey("vector")) ? 70 : 40;
  }
  return 0;
}

// One parsed JSONL line: its record or why it is bad (raw kept only for bad lines).
struct ParsedLine {
  int64_t line = 0;
  Status status;
  Record record;
  std::string raw;
};

// Reads and parses a JSONL file on its own thread, handing batches to the consumer.
// Reads and parses a JSONL file on its own thread, handing batches to the consumer.
class JsonlParser {
 public:
  static constexpr size_t kBatch = 512;
  static constexpr size_t kMaxBatches = 8;

  JsonlParser(std::string path, RecordLimits limits, bool keep_raw)
      : path_(std::move(path)), limits_(limits), keep_raw_(keep_raw) {}
  ~JsonlParser() { Stop(); }
  JsonlParser(const JsonlParser&) = delete;
  JsonlParser& operator=(const JsonlParser&) = delete;

  Status Start() {
    RETURN_IF_ERROR(reader_.Open(path_, limits_.max_line_bytes));
    total_ = reader_.total_bytes();
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }
  // Blocks for the next batch; false when the file is done (or the parser failed: see status()).
  bool Pop(std::vector<ParsedLine>* out) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (queue_.empty()) return false;
    *out = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return true;
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }
  Status status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }
  uint64_t bytes_read() const { return bytes_.load(); }
  uint64_t total_bytes() const { return total_; }

 private:
  void Push(std::vector<ParsedLine>* batch) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < kMaxBatches || stop_; });
    if (!stop_) queue_.push_back(std::move(*batch));
    batch->clear();
    cv_.notify_all();
  }
  void Run() {
    std::vector<ParsedLine> batch;
    batch.reserve(kBatch);
    std::string_view line;
    bool too_long = false;
    Status st;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) break;
      }
      auto more = reader_.Next(&line, &too_long);
      if (!more.ok()) {
        st = Status(more.status().code(), path_ + ":" + std::to_string(reader_.line_number()) + ": " +
                                              more.status().message());
        break;
      }
      if (!*more) break;
      if (!too_long && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      ParsedLine& pl = batch.emplace_back();
      pl.line = reader_.line_number();
      if (too_long) {
        pl.status = InvalidArgument("record: longer than the limit of " +
                                    std::to_string(limits_.max_line_bytes) + " bytes");
        pl.raw = "<too long>";
      } else {
        pl.status = ParseJsonRecord(line, limits_, &pl.record);
        if (!pl.status.ok()) pl.raw = keep_raw_ ? std::string(line) : std::string();
      }
      if (batch.size() >= kBatch) {
        bytes_ = reader_.bytes_read();
        Push(&batch);
      }
    }
    if (!batch.empty()) Push(&batch);
    bytes_ = reader_.bytes_read();
    std::lock_guard<std::mutex> lock(mu_);
    status_ = st;
    done_ = true;
    cv_.notify_all();
  }

  std::string path_;
  RecordLimits limits_;
  bool keep_raw_;
  LineReader reader_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<ParsedLine>> queue_;
  bool done_ = false;
  bool stop_ = false;
  Status status_;
  std::atomic<uint64_t> bytes_{0};
  uint64_t total_ = 0;
};

Status Read(ReadContext& ctx) {
  // A pairwise/ranking project's own JSONL holds preference records (io/preference_jsonl.h).
  if (IsPreferenceType(ctx.project->type)) return ReadPreferenceRecords(ctx, PreferenceShapes::kAny, "jsonl");
  JsonlParser parser(ctx.path, ctx.options->limits, !ctx.options->reject_path.empty());
  RETURN_IF_ERROR(parser.Start());
  Status result;
  for (;;) {
    std::vector<ParsedLine> batch;
    if (!parser.Pop(&batch)) break;
    for (ParsedLine& pl : batch) {
      result = ctx.emit(pl.line, "", pl.status, pl.record, pl.raw);
      if (!result.ok()) break;
    }
    if (!result.ok()) break;
    if (ctx.progress) ctx.progress(parser.bytes_read(), parser.total_bytes());
  }
  parser.Stop();
  RETURN_IF_ERROR(result);
  return parser.status();
}

// One JSONL export line, written directly (no json object per record: it was half the export's
// CPU). Keys in sorted order, the bytes nlohmann's dump of the same object gives — the round-trip
// tests compare exports byte for byte.
// With `ans` (several people answered): "aggregate" (the method), "annotations" (every answer),
// and the resolved label with its confidence instead of the item's current label.
void AppendJsonlRecord(std::string* out, const Item& item, const Prediction* pred, bool unscored, bool multi,
                       const ItemAnswers* ans, const std::vector<ReviewedAnswer>& reviews) {
  out->push_back('{');
  bool first = true;
  auto key = [&](const char* k) {
    if (!first) out->push_back(',');
    first = false;
    out->push_back('"');
    out->append(k);
    out->append("\":");
  };
  if (multi) ans = nullptr;
  // An item whose every answer a reviewer rejected has no resolved label: written unlabelled.
  const bool labelled = ans != nullptr ? !ans->resolved.empty() : !item.labels.empty();
  if (ans != nullptr) {
    key("aggregate");
    AppendJsonString(out, ans->method);
    key("annotations");
    out->push_back('[');
    for (size_t i = 0; i < ans->answers.size(); ++i) {
      const PersonAnswer& a = ans->answers[i];
      if (i) out->push_back(',');
      out->append("{\"annotator\":");
      AppendJsonString(out, a.annotator);
      out->append(",\"label\":");
      AppendJsonString(out, a.label);
      if (!a.verdict.empty()) {  // the newest verdict (every one is in "reviews")
        out->append(",\"reviewer\":");
        AppendJsonString(out, a.reviewer);
      }
      out->append(",\"source\":");
      AppendJsonString(out, a.source);
      if (a.time_ms > 0) {
        out->append(",\"time_ms\":");
        out->append(std::to_string(a.time_ms));
      }
      if (!a.verdict.empty()) {
        out->append(",\"verdict\":");
        AppendJsonString(out, a.verdict);
      }
      out->push_back('}');
    }
    out->push_back(']');
    if (labelled) {
      key("confidence");
      AppendJsonNumber(out, ans->confidence);
    }
  } else if (labelled) {
    key("annotator");
    AppendJsonString(out, item.label_annotator);
    key("confidence");
    if (item.label_confidence) AppendJsonNumber(out, *item.label_confidence);
    else out->append("null");
  }
  key("id");
  AppendJsonString(out, item.external_id);
  if (labelled) {
    if (!multi) {
      key("label");
      AppendJsonString(out, ans != nullptr ? ans->resolved : item.labels[0]);
    }
    key("label_source");
    AppendJsonString(out, ans != nullptr || !item.label_source ? "human" : LabelSourceName(*item.label_source));
    if (multi) {
      key("labels");
      out->push_back('[');
      for (size_t i = 0; i < item.labels.size(); ++i) {
        if (i) out->push_back(',');
        AppendJsonString(out, item.labels[i]);
      }
      out->push_back(']');
    }
  }
  if (!item.meta_json.empty() && item.meta_json != "{}") {
    json meta = json::parse(item.meta_json, nullptr, false);
    if (meta.is_object() && !meta.empty()) {
      key("meta");
      out->append(meta.dump(-1, ' ', false, kReplace));
    }
  }
  if (pred != nullptr) {
    key("prediction");
    out->push_back('{');
    if (!pred->distribution.empty()) {
      out->append("\"distribution\":[");
      for (size_t i = 0; i < pred->distribution.size(); ++i) {
        if (i) out->push_back(',');
        AppendJsonNumber(out, pred->distribution[i]);
      }
      out->append("],");
    }
    out->append("\"label\":");
    AppendJsonString(out, pred->label);
    out->append(",\"model\":");
    AppendJsonString(out, pred->model_version);
    if (!unscored) {  // a prediction imported without a score is written without one
      out->append(",\"score\":");
      AppendJsonNumber(out, pred->confidence);
    }
    out->push_back('}');
  }
  if (!reviews.empty()) {
    // Reviewers' verdicts, each beside the answer it judged (loop/review.h).
    json rs = json::array();
    for (const ReviewedAnswer& r : reviews) {
      rs.push_back({{"answer", r.review.annotation_id}, {"annotator", r.review.annotator}, {"labels", r.labels},
                    {"kind", r.kind}, {"answered_at_ms", r.answered_at}, {"reviewer", r.review.reviewer},
                    {"verdict", r.review.verdict}, {"comment", r.review.comment},
                    {"reviewed_at_ms", r.review.created_at}});
    }
    key("reviews");
    out->append(rs.dump(-1, ' ', false, kReplace));
  }
  if (item.split == Split::kGold) {
    key("split");
    out->append("\"gold\"");
  }
  key("state");
  AppendJsonString(out, ItemStateName(item.state));
  if (!item.text.empty()) {
    key("text");
    AppendJsonString(out, item.text);
  }
  if (!item.vector.empty()) {
    key("vector");
    out->push_back('[');
    for (size_t i = 0; i < item.vector.size(); ++i) {
      if (i) out->push_back(',');
      AppendJsonNumber(out, static_cast<double>(item.vector[i]));
    }
    out->push_back(']');
  }
  out->append("}\n");
}

Status Write(WriteContext& ctx) {
  if (IsPreferenceType(ctx.project->type)) return WritePreferenceFormat(ctx, PreferenceFormat::kJsonl);
  const bool multi = ctx.project->type == TaskType::kMultiLabel;
  std::string buf;
  buf.reserve(1 << 16);
  return ForEachExportItem(*ctx.store, *ctx.project, /*with_answers=*/false, [&](const ExportItem& e) -> Status {
    buf.clear();
    const ItemAnswers* ans = nullptr;
    if (ctx.options->answers != nullptr) {
      auto it = ctx.options->answers->find(e.item->id);
      if (it != ctx.options->answers->end()) ans = &it->second;
    }
    AppendJsonlRecord(&buf, *e.item, e.prediction, e.prediction_unscored, multi, ans, e.reviews);
    return WriteOut(ctx, buf);
  }, ctx.stats, ctx.options);
}

}  // namespace
}  // namespace format_jsonl

extern const FormatSpec kJsonlFormat = {
    "jsonl", "hitloop JSONL: one record per line (id, text, label, prediction, meta, ...)", ".jsonl",
    "application/x-ndjson", format_jsonl::Sniff, format_jsonl::Read, format_jsonl::Write};

}  // namespace hitloop::io
