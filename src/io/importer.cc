#include "io/importer.h"
#include "io/preference_jsonl.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ids.h"
#include "io/csv.h"
#include "io/line_reader.h"

namespace hitloop::io {

using nlohmann::json;

Result<Format> ParseFormat(const std::string& name) {
  if (name == "jsonl" || name == "ndjson") return Format::kJsonl;
  if (name == "csv") return Format::kCsv;
  if (name == "label-studio" || name == "labelstudio") return Format::kLabelStudio;
  return InvalidArgument("--format: unknown format '" + name + "' (expected jsonl, csv or label-studio)");
}

Result<Format> FormatFromPath(const std::string& path) {
  auto ends = [&](const char* ext) {
    std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".jsonl") || ends(".ndjson")) return Format::kJsonl;
  if (ends(".csv")) return Format::kCsv;
  if (ends(".json")) return Format::kLabelStudio;
  return InvalidArgument(path + ": cannot tell the format from the extension; pass --format jsonl|csv|label-studio");
}

const char* FormatName(Format f) {
  switch (f) {
    case Format::kJsonl: return "jsonl";
    case Format::kCsv: return "csv";
    case Format::kLabelStudio: return "label-studio";
  }
  return "jsonl";
}

namespace {

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

}  // namespace

Status StoreRecord(Store& store, const Project& project, const Record& rec,
                   const std::string& import_tag, ImportStats* stats,
                   const std::string& split_override) {
  if (project.type == TaskType::kSingleLabel && rec.labels.size() > 1) {
    return InvalidArgument("labels: single-label project takes one label, got " + std::to_string(rec.labels.size()));
  }
  std::set<std::string> seen;
  for (const auto& l : rec.labels) {
    if (project.LabelIndex(l) < 0) return InvalidArgument("label: unknown label '" + l + "'");
    if (!seen.insert(l).second) return InvalidArgument("labels: '" + l + "' given twice");
  }
  if (rec.prediction_label && project.LabelIndex(*rec.prediction_label) < 0) {
    return InvalidArgument("prediction.label: unknown label '" + *rec.prediction_label + "'");
  }
  if (!rec.prediction_distribution.empty() && rec.prediction_distribution.size() != project.labels.size()) {
    return InvalidArgument("prediction.distribution: has " + std::to_string(rec.prediction_distribution.size()) +
                           " entries, the project has " + std::to_string(project.labels.size()) + " labels");
  }
  Item item;
  item.project_id = project.id;
  item.external_id = rec.id;
  item.text = rec.text;
  item.vector = rec.vector;
  item.meta_json = rec.meta_json;
  item.content_hash = ContentHashOf(rec);
  const std::string& split = split_override.empty() ? rec.split : split_override;
  item.split = split == "gold" ? Split::kGold : Split::kPool;
  int64_t id = 0;
  ASSIGN_OR_RETURN(PutItemResult put, store.PutItem(item, import_tag, &id));
  if (put == PutItemResult::kDuplicateInImport) {
    return InvalidArgument("id: duplicate id '" + rec.id + "' (already earlier in this file)");
  }
  if (put == PutItemResult::kExisting) {
    ++stats->existing;
    return Status::Ok();
  }
  ++stats->inserted;
  if (!rec.labels.empty()) {
    Annotation a;
    a.item_id = id;
    a.labels = rec.labels;
    if (!rec.label_source.empty()) {
      ASSIGN_OR_RETURN(a.source, ParseLabelSource(rec.label_source));
    }
    a.annotator = rec.annotator.empty() ? "import" : rec.annotator;
    a.confidence = rec.confidence;
    a.kind = "import";
    RETURN_IF_ERROR(store.AppendAnnotation(a).status());
    ++stats->labels;
  }
  if (rec.prediction_label) {
    Prediction p;
    p.item_id = id;
    p.model_version = rec.prediction_model.empty() ? "import" : rec.prediction_model;
    p.label = *rec.prediction_label;
    p.confidence = rec.prediction_score.value_or(0.0);
    p.distribution = rec.prediction_distribution;
    RETURN_IF_ERROR(store.PutPrediction(p));
    ++stats->predictions;
  }
  return Status::Ok();
}

namespace {

// Thrown inside the Label Studio SAX callback to stop the parse; never leaves this file.
struct StopParse {
  Status status;
};

// Converts one Label Studio task to our record shape (as JSON, then validated like JSONL).
Result<json> TaskToRecordJson(const json& task) {
  if (!task.is_object()) return InvalidArgument("task: must be a JSON object");
  json rec = json::object();
  auto data = task.find("data");
  if (data == task.end() || !data->is_object()) return InvalidArgument("data: missing or not an object");
  if (auto ext = data->find("external_id"); ext != data->end() && !ext->is_null()) rec["id"] = *ext;
  else if (auto id = task.find("id"); id != task.end()) rec["id"] = *id;
  if (auto t = data->find("text"); t != data->end()) {
    rec["text"] = *t;
  } else {
    for (auto& [k, v] : data->items()) {
      if (v.is_string() && k != "external_id") { rec["text"] = v; break; }
    }
  }
  if (auto v = data->find("vector"); v != data->end()) rec["vector"] = *v;
  if (auto m = data->find("meta"); m != data->end()) rec["meta"] = *m;
  else if (auto m2 = task.find("meta"); m2 != task.end() && m2->is_object() && !m2->empty()) rec["meta"] = *m2;
  if (auto s = data->find("split"); s != data->end()) rec["split"] = *s;

  auto choices_of = [](const json& result) -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    if (!result.is_array()) return InvalidArgument("result: must be an array");
    for (const auto& r : result) {
      if (!r.is_object()) continue;
      auto v = r.find("value");
      if (v == r.end() || !v->is_object()) continue;
      auto c = v->find("choices");
      if (c == v->end()) continue;
      if (!c->is_array()) return InvalidArgument("result.value.choices: must be an array");
      for (const auto& x : *c) {
        if (!x.is_string()) return InvalidArgument("result.value.choices: must hold strings");
        out.push_back(x.get<std::string>());
      }
    }
    return out;
  };
  if (auto anns = task.find("annotations"); anns != task.end() && anns->is_array()) {
    // The newest annotation that was not cancelled carries the label.
    for (auto it = anns->rbegin(); it != anns->rend(); ++it) {
      if (!it->is_object()) return InvalidArgument("annotations: must hold objects");
      if (it->value("was_cancelled", false)) continue;
      auto res = it->find("result");
      if (res == it->end()) continue;
      ASSIGN_OR_RETURN(auto labels, choices_of(*res));
      if (labels.empty()) continue;
      rec["labels"] = labels;
      if (auto h = it->find("hitloop"); h != it->end() && h->is_object()) {
        for (const char* k : {"label_source", "annotator", "confidence"}) {
          if (h->contains(k)) rec[k] = (*h)[k];
        }
      } else if (auto cb = it->find("completed_by"); cb != it->end()) {
        if (cb->is_string()) rec["annotator"] = *cb;
        else if (cb->is_number_integer()) rec["annotator"] = "ls-user-" + std::to_string(cb->get<int64_t>());
        else if (cb->is_object() && cb->contains("email") && (*cb)["email"].is_string()) rec["annotator"] = (*cb)["email"];
      }
      break;
    }
  }
  if (auto preds = task.find("predictions"); preds != task.end() && preds->is_array() && !preds->empty()) {
    const json& p = preds->back();
    if (!p.is_object()) return InvalidArgument("predictions: must hold objects");
    if (auto res = p.find("result"); res != p.end()) {
      ASSIGN_OR_RETURN(auto labels, choices_of(*res));
      if (!labels.empty()) {
        json pred = {{"label", labels[0]}};
        if (auto sc = p.find("score"); sc != p.end() && sc->is_number()) pred["score"] = *sc;
        if (auto mv = p.find("model_version"); mv != p.end() && mv->is_string()) pred["model"] = *mv;
        if (auto d = p.find("hitloop_distribution"); d != p.end()) pred["distribution"] = *d;
        rec["prediction"] = pred;
      }
    }
  }
  return rec;
}

// One parsed JSONL line: its record or why it is bad (raw kept only for bad lines).
struct ParsedLine {
  int64_t line = 0;
  Status status;
  Record record;
  std::string raw;
};

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

}  // namespace

Result<ImportStats> ImportFile(Store& store, const Project& project, const std::string& path,
                               Format format, const ImportOptions& options) {
  // Preference projects read their own record shapes (io/preference_jsonl.h).
  if (IsPreferenceProject(project)) {
    if (format != Format::kJsonl) {
      return InvalidArgument(path + ": a " + std::string(TaskTypeName(project.type)) +
                             " project imports JSONL (hitloop, TRL or HH-RLHF records)");
    }
    return ImportPreferenceFile(store, project, path, options);
  }
  ImportStats stats;
  if (!options.split.empty() && options.split != "gold" && options.split != "pool") {
    return InvalidArgument("--split: must be gold or pool");
  }
  const std::string tag = RandomId();
  RejectWriter rejects;
  const bool skip_bad = !options.reject_path.empty();
  if (skip_bad) RETURN_IF_ERROR(rejects.Open(options.reject_path));

  // A bad record: abort (all-or-nothing) or write it to the rejects.
  // `line` is a line number, or a task's position for Label Studio JSON (which has no useful
  // line numbers); `where` renders it in the error ("FILE:12: " or "FILE: task 12: ").
  auto bad_at = [&](const std::string& where, int64_t line, const Status& st,
                    std::string_view raw) -> Status {
    if (st.code() != StatusCode::kInvalidArgument || !skip_bad) {
      return Status(st.code(), path + where + st.message());
    }
    ++stats.rejected;
    return rejects.Write(path, line, st.message(), raw);
  };
  auto bad = [&](int64_t line, const Status& st, std::string_view raw) -> Status {
    return bad_at(":" + std::to_string(line) + ": ", line, st, raw);
  };

  Status st = store.InTransaction([&]() -> Status {
    if (format == Format::kJsonl) {
      // Parsing runs on a second thread, a bounded queue ahead of the writer (this thread), so
      // JSON parsing and SQLite inserts overlap on two cores. Memory: at most kMaxBatches
      // batches of kBatch records in flight.
      JsonlParser parser(path, options.limits, skip_bad);
      RETURN_IF_ERROR(parser.Start());
      Status result;
      for (;;) {
        std::vector<ParsedLine> batch;
        if (!parser.Pop(&batch)) break;
        for (ParsedLine& pl : batch) {
          ++stats.records;
          Status rs = pl.status;
          if (rs.ok()) rs = StoreRecord(store, project, pl.record, tag, &stats, options.split);
          if (!rs.ok()) {
            result = bad(pl.line, rs, pl.raw);
            if (!result.ok()) break;
          }
        }
        if (!result.ok()) break;
        if (options.progress) options.progress(parser.bytes_read(), parser.total_bytes());
      }
      parser.Stop();
      RETURN_IF_ERROR(result);
      return parser.status();
    }
    if (format == Format::kCsv) {
      CsvReader reader;
      RETURN_IF_ERROR(reader.Open(path, options.limits.max_line_bytes));
      std::vector<std::string> header, fields;
      {
        auto first = reader.Next(&header);
        if (!first.ok()) return Status(first.status().code(), path + ":" + std::to_string(reader.record_line()) + ": " + first.status().message());
        if (!*first) return Status::Ok();  // empty file
      }
      std::map<std::string, size_t> col;
      for (size_t i = 0; i < header.size(); ++i) {
        if (i == 0 && header[i].rfind("\xEF\xBB\xBF", 0) == 0) header[i] = header[i].substr(3);  // BOM
        if (!col.emplace(header[i], i).second) {
          return InvalidArgument(path + ":1: header: column '" + header[i] + "' appears twice");
        }
      }
      if (!col.count("id")) return InvalidArgument(path + ":1: header: missing column 'id'");
      if (!col.count("text") && !col.count("vector")) return InvalidArgument(path + ":1: header: missing column 'text'");
      Record rec;
      for (;;) {
        auto more = reader.Next(&fields);
        const int64_t line = reader.record_line();
        if (!more.ok()) {
          ++stats.records;
          RETURN_IF_ERROR(bad(line, more.status(), "<unparsable>"));
          continue;
        }
        if (!*more) break;
        ++stats.records;
        if (options.progress && (stats.records & 0x3fff) == 0) {
          options.progress(reader.lines().bytes_read(), reader.lines().total_bytes());
        }
        std::string raw;
        for (size_t i = 0; i < fields.size(); ++i) { if (i) raw += ','; raw += fields[i]; }
        if (fields.size() != header.size()) {
          RETURN_IF_ERROR(bad(line, InvalidArgument("record: has " + std::to_string(fields.size()) +
                                                    " columns, the header has " + std::to_string(header.size())), raw));
          continue;
        }
        // Build the record as JSON so CSV gets exactly the JSONL validation.
        json j = json::object();
        json meta = json::object();
        for (const auto& [name, i] : col) {
          const std::string& v = fields[i];
          if (!IsValidUtf8(v)) { j = nullptr; break; }
          if (v.empty()) continue;
          if (name == "id" || name == "text" || name == "label" || name == "label_source" ||
              name == "annotator" || name == "split") {
            j[name] = v;
          } else if (name == "labels") {
            json arr = json::array();
            std::string cur;
            for (char c : v + "|") { if (c == '|') { if (!cur.empty()) arr.push_back(cur); cur.clear(); } else cur += c; }
            j["labels"] = arr;
          } else if (name == "confidence" || name == "prediction_score") {
            char* end = nullptr;
            double d = std::strtod(v.c_str(), &end);
            if (end == v.c_str() || *end != '\0') { j = json{{"__bad", name}}; break; }
            if (name == "confidence") j["confidence"] = d; else j["prediction"]["score"] = d;
          } else if (name == "prediction") {
            j["prediction"]["label"] = v;
          } else if (name == "vector") {
            json arr = json::parse(v, nullptr, false);
            j["vector"] = arr.is_discarded() ? json(v) : arr;
          } else if (name == "meta") {
            json m = json::parse(v, nullptr, false);
            if (!m.is_object()) { j = json{{"__bad", "meta"}}; break; }
            for (auto& [k, mv] : m.items()) meta[k] = mv;
          } else if (name.rfind("meta.", 0) == 0) {
            meta[name.substr(5)] = v;
          } else {
            meta[name] = v;  // unknown columns are kept as metadata
          }
        }
        Status rs;
        if (j.is_null()) rs = InvalidArgument("record: invalid UTF-8");
        else if (j.contains("__bad")) rs = InvalidArgument(j["__bad"].get<std::string>() + ": not a valid value");
        else {
          if (!meta.empty()) j["meta"] = meta;
          if (j.contains("prediction") && !j["prediction"].contains("label")) rs = InvalidArgument("prediction: prediction_score without prediction");
          if (rs.ok()) rs = RecordFromJson(j, options.limits, &rec);
          if (rs.ok()) rs = StoreRecord(store, project, rec, tag, &stats, options.split);
        }
        if (!rs.ok()) RETURN_IF_ERROR(bad(line, rs, raw));
      }
      return Status::Ok();
    }
    // Label Studio: a JSON array of tasks, parsed as a stream one task at a time.
    std::ifstream in(path, std::ios::binary);
    if (!in) return IoError(path + ": cannot open");
    in.seekg(0, std::ios::end);
    const auto total = static_cast<uint64_t>(in.tellg());
    in.seekg(0);
    if (total == 0) return Status::Ok();
    int64_t task_no = 0;
    bool top_is_array = false;
    Record rec;
    auto on_task = [&](const json& task) -> Status {
      ++task_no;
      ++stats.records;
      if (options.progress && (task_no & 0x3ff) == 0) options.progress(static_cast<uint64_t>(in.tellg()), total);
      auto rj = TaskToRecordJson(task);
      Status rs = rj.status();
      if (rs.ok()) rs = RecordFromJson(*rj, options.limits, &rec);
      if (rs.ok()) rs = StoreRecord(store, project, rec, tag, &stats, options.split);
      if (!rs.ok()) {
        std::string raw = task.dump(-1, ' ', false, json::error_handler_t::replace);
        if (raw.size() > 4096) raw.resize(4096);
        return bad_at(": task " + std::to_string(task_no) + ": ", task_no, rs, raw);
      }
      return Status::Ok();
    };
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) -> bool {
      if (depth == 0 && event == json::parse_event_t::array_start) top_is_array = true;
      if (top_is_array && depth == 1 && event == json::parse_event_t::object_end) {
        Status s = on_task(parsed);
        if (!s.ok()) throw StopParse{s};
        return false;  // discard: constant memory
      }
      return true;
    };
    try {
      json top = json::parse(in, cb, /*allow_exceptions=*/true);
      if (!top_is_array) {
        if (top.is_object()) RETURN_IF_ERROR(on_task(top));
        else return InvalidArgument(path + ": expected a JSON array of Label Studio tasks");
      }
    } catch (const StopParse& stop) {
      return stop.status;
    } catch (const json::exception& e) {
      return InvalidArgument(path + ": task " + std::to_string(task_no + 1) + ": record: malformed JSON (" + e.what() + ")");
    }
    return Status::Ok();
  });
  if (skip_bad) {
    Status cs = rejects.Close();
    if (st.ok()) st = cs;
  }
  if (!st.ok()) return st;
  return stats;
}

}  // namespace hitloop::io
