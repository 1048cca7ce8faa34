// doccano text classification (--format doccano): its JSONL, JSON and CSV exports and imports.
//
//   JSONL: {"id"?, "text", "label": ["positive"], ...}   (one object per line)
//   JSON:  [{"text", "label": [...]}, ...]
//   CSV:   text,label   (one label per row)
//
// Reader: `label` (or `labels`, older versions) as a list — one entry for a single-label project,
// any number for multi-label — or a single string; `id` when present, else a content hash; every
// other top-level key is kept as metadata (doccano writes its metadata there). Writer: JSONL in
// the same shape, provenance under `hitloop`.
#include <nlohmann/json.hpp>
#include <set>

#include "io/csv.h"
#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "io/json_array_reader.h"
#include "io/json_limits.h"
#include "io/line_reader.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_doccano {
namespace {

using nlohmann::json;

bool LabelIsList(const SniffSample& s) {
  if (s.first == nullptr) return false;
  auto it = s.first->find("label");
  if (it == s.first->end()) it = s.first->find("labels");
  return it != s.first->end() && it->is_array();
}

int Sniff(const SniffSample& s) {
  switch (s.shape) {
    case SniffSample::kJsonLines:
    case SniffSample::kJsonArray:
    case SniffSample::kJsonObject:
      if (s.HasKey("data") || s.HasKey("annotations") || s.HasKey("answer")) return 0;
      return s.HasKey("text") && LabelIsList(s) ? 80 : 0;
    case SniffSample::kDelimited:
      // doccano's CSV has text and label and no id column.
      return s.HasColumn("text") && s.HasColumn("label") && !s.HasColumn("id") ? 75 : 0;
    default:
      return 0;
  }
}

Status ObjectToRecord(const json& j, ReadContext& ctx, Record* rec) {
  *rec = Record();
  if (!j.is_object()) return InvalidArgument("record: must be a JSON object");
  auto t = j.find("text");
  if (t == j.end() || !t->is_string() || t->get_ref<const std::string&>().empty()) {
    return InvalidArgument("text: missing or not a string");
  }
  rec->text = t->get<std::string>();
  if (auto id = j.find("id"); id != j.end() && !id->is_null()) {
    rec->id = IdString(*id);
    if (rec->id.empty()) return InvalidArgument("id: must be a string or an integer");
  }
  json meta = json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "id" || k == "text" || k == "label" || k == "labels") continue;
    meta[k] = it.value();
  }
  json prov = meta.contains("hitloop") && meta["hitloop"].is_object() ? meta["hitloop"] : json::object();
  meta.erase("hitloop");
  if (auto pid = prov.find("id"); pid != prov.end() && !IdString(*pid).empty()) rec->id = IdString(*pid);
  if (auto s = prov.find("split"); s != prov.end() && *s == "gold") rec->split = "gold";
  if (rec->id.empty()) {
    rec->id = ContentId(rec->text);
    rec->id_generated = true;
  }
  if (!meta.empty()) rec->meta_json = meta.dump();
  auto l = j.find("label");
  if (l == j.end()) l = j.find("labels");
  if (l != j.end() && !l->is_null()) {
    if (l->is_string()) {
      rec->labels.push_back(l->get<std::string>());
    } else if (l->is_array()) {
      for (const auto& x : *l) {
        if (!x.is_string() || x.get_ref<const std::string&>().empty()) {
          if (x.is_array()) {
            ctx.notes->Add("records had span labels ([start, end, label]): not imported");
            rec->labels.clear();
            break;
          }
          return InvalidArgument("label: must be a list of label names");
        }
        rec->labels.push_back(x.get<std::string>());
      }
    } else {
      return InvalidArgument("label: must be a list of label names");
    }
  }
  if (!rec->labels.empty()) {
    if (auto a = prov.find("annotator"); a != prov.end() && a->is_string()) rec->annotator = a->get<std::string>();
    if (auto a = prov.find("source"); a != prov.end() && a->is_string()) rec->label_source = a->get<std::string>();
    if (auto c = prov.find("confidence"); c != prov.end() && c->is_number()) rec->confidence = c->get<double>();
  }
  return Status::Ok();
}

Status ReadJsonText(std::string_view text, ReadContext& ctx, Record* rec) {
  if (!IsValidUtf8(text)) return InvalidArgument("record: invalid UTF-8");
  RETURN_IF_ERROR(CheckJsonDepth(text));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("record: malformed JSON");
  return ObjectToRecord(j, ctx, rec);
}

Status Read(ReadContext& ctx) {
  const RecordLimits& limits = ctx.options->limits;
  std::string why;
  // Which of doccano's three shapes: by the first byte.
  SniffSample::Shape shape = SniffSample::kJsonLines;
  {
    FILE* f = std::fopen(ctx.path.c_str(), "rb");
    if (f == nullptr) return IoError(ctx.path + ": cannot open");
    int c;
    while ((c = std::fgetc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xEF || c == 0xBB || c == 0xBF) {}
    std::fclose(f);
    if (c == '[') shape = SniffSample::kJsonArray;
    else if (c != '{' && c != EOF) shape = SniffSample::kDelimited;
  }
  Record rec;
  if (shape == SniffSample::kJsonArray) {
    JsonArrayReader reader;
    RETURN_IF_ERROR(reader.Open(ctx.path, limits.max_line_bytes, kMaxJsonDepth));
    JsonArrayReader::Element el;
    int64_t n = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool more, reader.Next(&el));
      if (!more) break;
      ++n;
      Status rs = el.too_long ? InvalidArgument("record: longer than the limit of " + std::to_string(limits.max_line_bytes) + " bytes")
                  : el.too_deep ? InvalidArgument("record: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels")
                                : ReadJsonText(el.text, ctx, &rec);
      RETURN_IF_ERROR(ctx.emit(el.line, "record " + std::to_string(n), rs, rec, el.text));
    }
    return Status::Ok();
  }
  if (shape == SniffSample::kDelimited) {
    int text_col = -1, label_col = -1, id_col = -1;
    std::vector<std::string> header;
    auto on_header = [&](std::vector<std::string>& h) -> Status {
      for (size_t i = 0; i < h.size(); ++i) {
        if (h[i] == "text") text_col = static_cast<int>(i);
        else if (h[i] == "label" || h[i] == "labels") label_col = static_cast<int>(i);
        else if (h[i] == "id") id_col = static_cast<int>(i);
      }
      if (text_col < 0) return InvalidArgument(ctx.path + ":1: header: missing column 'text'");
      header = h;
      return Status::Ok();
    };
    auto to_record = [&](const std::vector<std::string>& fields) -> Status {
      json j = {{"text", fields[text_col]}};
      if (id_col >= 0 && !fields[id_col].empty()) j["id"] = fields[id_col];
      if (label_col >= 0 && !fields[label_col].empty()) j["label"] = json::array({fields[label_col]});
      for (size_t i = 0; i < header.size(); ++i) {
        if (static_cast<int>(i) != text_col && static_cast<int>(i) != label_col && static_cast<int>(i) != id_col &&
            !fields[i].empty()) {
          j[header[i]] = fields[i];
        }
      }
      bool utf8 = true;
      for (const auto& f : fields) utf8 = utf8 && IsValidUtf8(f);
      return utf8 ? ObjectToRecord(j, ctx, &rec) : InvalidArgument("record: invalid UTF-8");
    };
    return ReadCsvWithHeader(ctx.path, limits.max_line_bytes, on_header, to_record,
                             [&](int64_t line, const Status& rs, std::string_view raw) {
                               return ctx.emit(line, "", rs, rec, raw);
                             });
  }
  LineReader reader;
  RETURN_IF_ERROR(reader.Open(ctx.path, limits.max_line_bytes));
  std::string_view line;
  bool too_long = false;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&line, &too_long));
    if (!more) break;
    if (!too_long && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Status rs = too_long ? InvalidArgument("record: longer than the limit of " + std::to_string(limits.max_line_bytes) + " bytes")
                         : ReadJsonText(line, ctx, &rec);
    RETURN_IF_ERROR(ctx.emit(reader.line_number(), "", rs, rec, too_long ? std::string_view("<too long>") : line));
  }
  return Status::Ok();
}

Status Write(WriteContext& ctx) {
  std::string buf;
  Item scratch;
  return ForEachExportItem(*ctx.store, *ctx.project, /*with_answers=*/false, [&](const ExportItem& e) -> Status {
    const Item& item = ItemAsResolved(e, *ctx.options, *ctx.project, &scratch);  // several people: resolved
    json j = json::parse(item.meta_json, nullptr, false);
    if (!j.is_object()) j = json::object();
    json prov = j.contains("hitloop") && j["hitloop"].is_object() ? j["hitloop"] : json::object();
    j.erase("hitloop");
    prov["id"] = item.external_id;
    if (item.split == Split::kGold) prov["split"] = "gold";
    if (!item.labels.empty()) {
      prov["source"] = item.label_source ? LabelSourceName(*item.label_source) : "human";
      prov["annotator"] = item.label_annotator;
      if (item.label_confidence) prov["confidence"] = *item.label_confidence;
    }
    j["hitloop"] = prov;
    j["text"] = item.text;
    j["label"] = item.labels;
    buf = j.dump(-1, ' ', false, json::error_handler_t::replace);
    buf += '\n';
    return WriteOut(ctx, buf);
  }, ctx.stats, ctx.options);
}

}  // namespace
}  // namespace format_doccano

extern const FormatSpec kDoccanoFormat = {
    "doccano", "doccano text classification: JSONL, JSON or CSV with a label list", ".jsonl",
    "application/x-ndjson", format_doccano::Sniff, format_doccano::Read, format_doccano::Write};

}  // namespace hitloop::io
