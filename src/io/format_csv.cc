// hitloop's CSV (--format csv): a header row with `id` and `text` (or `vector`), the optional
// columns of docs/FORMATS.md; any other column is kept as metadata. RFC 4180 quoting (see
// io/csv.h). Each row is built as a JSON record so it gets exactly the JSONL validation.
#include <map>
#include <nlohmann/json.hpp>

#include "io/csv.h"
#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "io/json_limits.h"
#include "io/json_write.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_csv {
namespace {

using nlohmann::json;

int Sniff(const SniffSample& s) {
  if (s.shape != SniffSample::kDelimited) return 0;
  if (s.HasColumn("annotation_id") && s.HasColumn("annotator")) return 0;  // Label Studio's converter
  return s.HasColumn("id") && (s.HasColumn("text") || s.HasColumn("vector")) ? 80 : 0;
}

// One row (fields named by `col`) to a record, or why it is bad.
Status RowToRecord(const std::map<std::string, size_t>& col, const std::vector<std::string>& fields,
                   const RecordLimits& limits, Record* rec) {
  json j = json::object();
  json meta = json::object();
  for (const auto& [name, i] : col) {
    // Undo the export's formula guard (ids never carry it).
    const std::string v = name == "id" ? fields[i] : UnescapeCsvFormula(fields[i]);
    if (!IsValidUtf8(v)) return InvalidArgument("record: invalid UTF-8");
    if (v.empty()) continue;
    if (name == "id" || name == "text" || name == "label" || name == "label_source" || name == "annotator" ||
        name == "split") {
      j[name] = v;
    } else if (name == "labels") {
      json arr = json::array();
      std::string cur;
      for (char c : v + "|") {
        if (c == '|') {
          if (!cur.empty()) arr.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      j["labels"] = arr;
    } else if (name == "confidence" || name == "prediction_score") {
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0') return InvalidArgument(name + ": not a valid value");
      if (name == "confidence") j["confidence"] = d;
      else j["prediction"]["score"] = d;
    } else if (name == "prediction") {
      j["prediction"]["label"] = v;
    } else if (name == "vector" || name == "meta") {
      // Checked before any parse or copy of the cell.
      if (Status d = CheckJsonDepth(v, kMaxJsonDepth, name); !d.ok()) return d;
      json parsed = json::parse(v, nullptr, false);
      if (name == "vector") {
        j["vector"] = parsed.is_discarded() ? json(v) : parsed;
      } else {
        if (!parsed.is_object()) return InvalidArgument("meta: not a valid value");
        for (auto& [k, mv] : parsed.items()) meta[k] = mv;
      }
    } else if (name.rfind("meta.", 0) == 0) {
      meta[name.substr(5)] = v;
    } else {
      meta[name] = v;  // unknown columns are kept as metadata
    }
  }
  if (!meta.empty()) j["meta"] = meta;
  if (j.contains("prediction") && !j["prediction"].contains("label")) {
    return InvalidArgument("prediction: prediction_score without prediction");
  }
  return RecordFromJson(j, limits, rec);
}

Status Read(ReadContext& ctx) {
  const std::string& path = ctx.path;
  CsvReader reader;
  RETURN_IF_ERROR(reader.Open(path, ctx.options->limits.max_line_bytes));
  std::vector<std::string> header, fields;
  {
    auto first = reader.Next(&header);
    if (!first.ok()) {
      return Status(first.status().code(), path + ":" + std::to_string(reader.record_line()) + ": " + first.status().message());
    }
    if (!*first) return Status::Ok();  // empty file
  }
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) {
    if (i == 0 && header[i].rfind("\xEF\xBB\xBF", 0) == 0) header[i] = header[i].substr(3);  // BOM
    // Column names become JSON keys (meta): a name that is not UTF-8 would make every record unwritable.
    if (!IsValidUtf8(header[i])) {
      return InvalidArgument(path + ":1: header: column " + std::to_string(i + 1) + " is not valid UTF-8");
    }
    if (!col.emplace(header[i], i).second) {
      return InvalidArgument(path + ":1: header: column '" + header[i] + "' appears twice");
    }
  }
  if (!col.count("id")) return InvalidArgument(path + ":1: header: missing column 'id'");
  if (!col.count("text") && !col.count("vector")) return InvalidArgument(path + ":1: header: missing column 'text'");
  Record rec;
  int64_t n = 0;
  for (;;) {
    auto more = reader.Next(&fields);
    const int64_t line = reader.record_line();
    if (!more.ok()) {
      RETURN_IF_ERROR(ctx.emit(line, "", more.status(), rec, "<unparsable>"));
      continue;
    }
    if (!*more) break;
    if (ctx.progress && (++n & 0x3fff) == 0) ctx.progress(reader.lines().bytes_read(), reader.lines().total_bytes());
    std::string raw;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) raw += ',';
      raw += fields[i];
    }
    Status rs = fields.size() != header.size()
                    ? InvalidArgument("record: has " + std::to_string(fields.size()) + " columns, the header has " +
                                      std::to_string(header.size()))
                    : RowToRecord(col, fields, ctx.options->limits, &rec);
    RETURN_IF_ERROR(ctx.emit(line, "", rs, rec, raw));
  }
  return Status::Ok();
}

Status Write(WriteContext& ctx) {
  const bool multi = ctx.project->type == TaskType::kMultiLabel;
  std::ostream& out = *ctx.out;
  // Multi-label projects name the column `labels` (|-separated) so the file re-imports.
  out << (multi ? "id,text,labels," : "id,text,label,")
      << "label_source,annotator,confidence,prediction,prediction_score,split,meta\n";
  std::string buf;
  buf.reserve(1 << 16);
  return ForEachExportItem(*ctx.store, *ctx.project, /*with_answers=*/false, [&](const ExportItem& e) -> Status {
    const Item& item = *e.item;
    const Prediction* pred = e.prediction;
    buf.clear();
    // Ids are written as they are (other tools match them); every other text cell is guarded.
    AppendCsvCell(&buf, item.external_id, false);
    buf += ',';
    AppendCsvCell(&buf, item.text, true);
    buf += ',';
    // Several people answered (export --aggregate): the resolved label, "aggregate:METHOD" as the
    // annotator and its confidence; every answer is in `--format answers`.
    const ItemAnswers* ans = nullptr;
    if (!multi && ctx.options->answers != nullptr) {
      auto it = ctx.options->answers->find(item.id);
      if (it != ctx.options->answers->end()) ans = &it->second;
    }
    std::string joined;
    for (size_t i = 0; i < item.labels.size(); ++i) {
      if (i) joined += '|';
      joined += item.labels[i];
    }
    if (ans != nullptr) joined = ans->resolved;  // "" when every answer was rejected
    AppendCsvCell(&buf, joined, true);
    buf += ',';
    if (ans != nullptr) buf += ans->resolved.empty() ? "" : "human";
    else if (!item.labels.empty()) buf += item.label_source ? LabelSourceName(*item.label_source) : "human";
    buf += ',';
    AppendCsvCell(&buf, ans != nullptr ? "aggregate:" + ans->method : item.labels.empty() ? "" : item.label_annotator, true);
    buf += ',';
    if (ans != nullptr) {
      if (!ans->resolved.empty()) AppendJsonNumber(&buf, ans->confidence);
    }
    else if (item.label_confidence) AppendJsonNumber(&buf, *item.label_confidence);  // full precision
    buf += ',';
    if (pred) AppendCsvCell(&buf, pred->label, true);
    buf += ',';
    if (pred && !e.prediction_unscored) AppendJsonNumber(&buf, pred->confidence);
    buf += ',';
    buf += SplitName(item.split);
    buf += ',';
    AppendCsvCell(&buf, item.meta_json == "{}" ? "" : item.meta_json, true);
    buf += '\n';
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    return out ? Status::Ok() : IoError("export: write failed");
  }, ctx.stats, ctx.options);
}

}  // namespace
}  // namespace format_csv

extern const FormatSpec kCsvFormat = {
    "csv", "hitloop CSV: a header with id and text; label or labels, prediction, meta, ...", ".csv",
    "text/csv; charset=utf-8", format_csv::Sniff, format_csv::Read, format_csv::Write};

}  // namespace hitloop::io
