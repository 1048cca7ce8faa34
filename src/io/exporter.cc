#include "io/exporter.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "io/csv.h"

namespace hitloop::io {

using nlohmann::json;

namespace {

// Walks items and their newest predictions together. Both are in item id order; predictions
// are read ahead in bounded chunks so memory stays constant.
Status ForEachItem(Store& store, const Project& project,
                   const std::function<Status(const Item&, const Prediction*)>& fn) {
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
  Status inner;
  Status st = store.ScanItems(project.id, [&](const Item& item) {
    for (;;) {
      while (pos < chunk.size() && chunk[pos].item_id < item.id) ++pos;
      if (pos < chunk.size() || exhausted) break;
      inner = refill();
      if (!inner.ok()) return false;
    }
    const Prediction* p = (pos < chunk.size() && chunk[pos].item_id == item.id) ? &chunk[pos] : nullptr;
    inner = fn(item, p);
    return inner.ok();
  });
  RETURN_IF_ERROR(st);
  return inner;
}

json MetaOf(const Item& item) {
  json m = json::parse(item.meta_json, nullptr, false);
  return m.is_object() ? m : json::object();
}

constexpr auto kReplace = json::error_handler_t::replace;

// JSON string literal exactly as nlohmann::json::dump writes it (no ASCII escaping). Stored text
// is valid UTF-8 (checked on import), so bytes >= 0x80 pass through.
void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// Numbers go through nlohmann's own formatter so the bytes match what it would write.
void AppendJsonNumber(std::string* out, double d) { out->append(json(d).dump()); }

// One JSONL export line, written directly (no json object per record: it was half the export's
// CPU). Keys in sorted order, the bytes nlohmann's dump of the same object gives — the round-trip
// tests compare exports byte for byte.
// With `ans` (several people answered): "aggregate" (the method), "annotations" (every answer),
// and the resolved label with its confidence instead of the item's current label.
void AppendJsonlRecord(std::string* out, const Item& item, const Prediction* pred, bool multi,
                       const ItemAnswers* ans = nullptr) {
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
  const bool labelled = ans != nullptr || !item.labels.empty();
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
      out->append(",\"source\":");
      AppendJsonString(out, a.source);
      if (a.time_ms > 0) {
        out->append(",\"time_ms\":");
        out->append(std::to_string(a.time_ms));
      }
      out->push_back('}');
    }
    out->push_back(']');
    key("confidence");
    AppendJsonNumber(out, ans->confidence);
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
    out->append(",\"score\":");
    AppendJsonNumber(out, pred->confidence);
    out->push_back('}');
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

}  // namespace

Result<ExportStats> ExportProject(Store& store, const Project& project, Format format,
                                  std::ostream& out, const ExportOptions& options) {
  ExportStats stats;
  ASSIGN_OR_RETURN(ProjectStatus status, store.GetStatus(project.id));
  const uint64_t total = static_cast<uint64_t>(status.items);
  const bool multi = project.type == TaskType::kMultiLabel;
  std::string buf;
  buf.reserve(1 << 16);

  if (format == Format::kCsv) {
    out << "id,text,label,label_source,annotator,confidence,prediction,prediction_score,split,meta\n";
  } else if (format == Format::kLabelStudio) {
    out << "[\n";
  }
  bool first = true;
  Status st = ForEachItem(store, project, [&](const Item& item, const Prediction* pred) -> Status {
    buf.clear();
    const ItemAnswers* ans = nullptr;
    if (options.answers != nullptr) {
      auto it = options.answers->find(item.id);
      if (it != options.answers->end()) ans = &it->second;
    }
    if (format == Format::kJsonl) {
      AppendJsonlRecord(&buf, item, pred, multi, ans);
    } else if (format == Format::kLabelStudio) {
      json j;
      {
        json data = {{"text", item.text}, {"external_id", item.external_id}};
        json meta = MetaOf(item);
        if (!meta.empty()) data["meta"] = meta;
        if (!item.vector.empty()) data["vector"] = item.vector;
        if (item.split == Split::kGold) data["split"] = "gold";
        j = {{"id", item.id}, {"data", data}, {"annotations", json::array()}, {"predictions", json::array()}};
        auto result_of = [](const std::vector<std::string>& labels) {
          return json::array({{{"from_name", "label"}, {"to_name", "text"}, {"type", "choices"},
                               {"value", {{"choices", labels}}}}});
        };
        if (ans != nullptr && !multi) {
          // One annotation per person; the resolved label rides along on the task.
          for (const PersonAnswer& a : ans->answers) {
            json h = {{"annotator", a.annotator}, {"source", a.source}, {"answer", true}};
            if (a.time_ms > 0) h["time_ms"] = a.time_ms;
            json one = {{"result", result_of({a.label})},
                        {"completed_by", a.annotator},
                        {"was_cancelled", false},
                        {"hitloop", h}};
            if (a.time_ms > 0) one["lead_time"] = static_cast<double>(a.time_ms) / 1000.0;
            j["annotations"].push_back(std::move(one));
          }
          j["hitloop_resolved"] = {{"label", ans->resolved},
                                   {"method", ans->method},
                                   {"confidence", ans->confidence},
                                   {"label_source", "human"}};
        } else if (!item.labels.empty()) {
          json h = {{"label_source", item.label_source ? LabelSourceName(*item.label_source) : "human"},
                    {"annotator", item.label_annotator}};
          if (item.label_confidence) h["confidence"] = *item.label_confidence;
          j["annotations"].push_back({{"result", result_of(item.labels)},
                                      {"completed_by", item.label_annotator},
                                      {"was_cancelled", false},
                                      {"hitloop", h}});
        }
        if (pred != nullptr) {
          json p = {{"model_version", pred->model_version}, {"score", pred->confidence},
                    {"result", result_of({pred->label})}};
          if (!pred->distribution.empty()) p["hitloop_distribution"] = pred->distribution;
          j["predictions"].push_back(p);
        }
        if (!first) buf += ",\n";
      }
      buf += j.dump(-1, ' ', false, kReplace);
    } else {
      AppendCsvCell(&buf, item.external_id, true);
      buf += ',';
      AppendCsvCell(&buf, item.text, true);
      buf += ',';
      std::string joined;
      for (size_t i = 0; i < item.labels.size(); ++i) { if (i) joined += '|'; joined += item.labels[i]; }
      if (ans != nullptr && !multi) joined = ans->resolved;
      AppendCsvCell(&buf, joined, true);
      buf += ',';
      const bool resolved = ans != nullptr && !multi;
      if (resolved) buf += "human";
      else if (!item.labels.empty()) buf += item.label_source ? LabelSourceName(*item.label_source) : "human";
      buf += ',';
      AppendCsvCell(&buf, resolved ? "aggregate:" + ans->method : item.labels.empty() ? "" : item.label_annotator, true);
      buf += ',';
      if (resolved) buf += std::to_string(ans->confidence);
      else if (item.label_confidence) buf += std::to_string(*item.label_confidence);
      buf += ',';
      if (pred) AppendCsvCell(&buf, pred->label, true);
      buf += ',';
      if (pred) buf += std::to_string(pred->confidence);
      buf += ',';
      buf += SplitName(item.split);
      buf += ',';
      AppendCsvCell(&buf, item.meta_json == "{}" ? "" : item.meta_json, true);
      buf += '\n';
    }
    first = false;
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (!out) return IoError("export: write failed");
    ++stats.items;
    if (!item.labels.empty() || ans != nullptr) ++stats.labels;
    if (options.progress && (stats.items & 0x3fff) == 0) options.progress(stats.items, total);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  if (format == Format::kLabelStudio) out << "\n]\n";
  out.flush();
  if (!out) return IoError("export: write failed");
  return stats;
}

}  // namespace hitloop::io
