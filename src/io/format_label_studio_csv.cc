// Label Studio's converter CSV and JSON-MIN exports (--format label-studio-csv): one row (or flat
// object) per annotation, the task's data fields as columns, each control's result under its
// name (a single choice as the string, several as {"choices": [...]}), and annotator,
// annotation_id, created_at, updated_at, lead_time, was_cancelled.
//
// Reader: the text column by the project's rule; the label column is the project's Label Studio
// control name when known, else the one column whose value is a project label (several such
// columns is an error naming them); rows of one task (`id`) become one item with one answer per
// row; cancelled rows are skipped; other data columns are kept. Writer: the same CSV.
#include <nlohmann/json.hpp>
#include <set>

#include "io/csv.h"
#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "io/json_array_reader.h"
#include "io/json_limits.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_label_studio_csv {
namespace {

using nlohmann::json;

const std::set<std::string> kRowKeys = {"annotator", "annotation_id", "created_at", "updated_at",
                                        "lead_time", "was_cancelled", "agreement", "id"};

int Sniff(const SniffSample& s) {
  if (s.shape == SniffSample::kDelimited) {
    return s.HasColumn("annotation_id") && s.HasColumn("annotator") ? 90 : 0;
  }
  if (s.shape == SniffSample::kJsonArray) return s.HasKey("annotation_id") && s.HasKey("annotator") ? 85 : 0;
  return 0;
}

// Labels of one cell: a label name, or {"choices": [...]} as JSON.
std::vector<std::string> CellLabels(const json& v, const Project& p) {
  std::vector<std::string> out;
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (p.LabelIndex(s) >= 0) return {s};
    if (!s.empty() && s[0] == '{' && CheckJsonDepth(s).ok()) {
      json j = json::parse(s, nullptr, false);
      return CellLabels(j, p);
    }
  } else if (v.is_object()) {
    auto c = v.find("choices");
    if (c != v.end() && c->is_array()) {
      for (const auto& x : *c) {
        if (!x.is_string() || p.LabelIndex(x.get<std::string>()) < 0) return {};
        out.push_back(x.get<std::string>());
      }
    }
  }
  return out;
}

Status RowToRecord(const json& row, ReadContext& ctx, Record* rec) {
  *rec = Record();
  rec->merge_repeats = true;
  if (!row.is_object()) return InvalidArgument("record: must be a JSON object");
  json data = json::object();
  for (auto it = row.begin(); it != row.end(); ++it) {
    if (!kRowKeys.count(it.key())) data[it.key()] = it.value();
  }
  // The label column.
  std::string label_col = ctx.settings->ls_from_name;
  if (label_col.empty() || !data.contains(label_col)) {
    std::vector<std::string> cands;
    for (auto it = data.begin(); it != data.end(); ++it) {
      if (!CellLabels(it.value(), *ctx.project).empty()) cands.push_back(it.key());
    }
    if (cands.size() > 1) {
      std::string list;
      for (const auto& c : cands) list += (list.empty() ? "" : ", ") + c;
      return InvalidArgument("several columns hold label names (" + list +
                             "): the project's Label Studio control name decides; import a Label Studio JSON export first");
    }
    label_col = cands.empty() ? "" : cands[0];
    if (!label_col.empty() && ctx.settings->ls_from_name.empty()) ctx.settings->ls_from_name = label_col;
  }
  std::vector<std::string> labels;
  if (!label_col.empty()) {
    labels = CellLabels(data[label_col], *ctx.project);
    if (labels.empty() && !data[label_col].is_null() && data[label_col] != "") {
      return InvalidArgument(label_col + ": not a label of the project: " + data[label_col].dump());
    }
    data.erase(label_col);
  }
  ASSIGN_OR_RETURN(std::string text_key, PickTextField(data, ctx.settings->text_field, "row"));
  rec->text = data[text_key].get<std::string>();
  data.erase(text_key);
  if (auto id = row.find("id"); id != row.end() && !id->is_null() && *id != "") rec->id = IdString(*id);
  if (rec->id.empty()) {
    rec->id = ContentId(rec->text, data.dump());
    rec->id_generated = true;
  }
  json keep = json::object();
  if (!data.empty()) keep["data"] = data;
  if (text_key != "text") keep["text_field"] = text_key;
  if (!keep.empty()) rec->meta_json = json{{"hitloop", keep}}.dump();
  auto cancelled = row.find("was_cancelled");
  if (cancelled != row.end() && (*cancelled == true || *cancelled == "True" || *cancelled == "true")) {
    ctx.notes->Add("cancelled annotations: not imported");
    return Status::Ok();
  }
  if (labels.empty()) return Status::Ok();
  rec->labels = labels;
  if (auto a = row.find("annotator"); a != row.end()) {
    rec->annotator = a->is_string() ? a->get<std::string>() : a->is_number_integer() ? "label-studio-user-" + a->dump() : "";
  }
  return Status::Ok();
}

Status Read(ReadContext& ctx) {
  const RecordLimits& limits = ctx.options->limits;
  Record rec;
  FILE* f = std::fopen(ctx.path.c_str(), "rb");
  if (f == nullptr) return IoError(ctx.path + ": cannot open");
  int c;
  while ((c = std::fgetc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t') {}
  std::fclose(f);
  if (c == '[') {  // JSON-MIN
    JsonArrayReader reader;
    RETURN_IF_ERROR(reader.Open(ctx.path, limits.max_line_bytes, kMaxJsonDepth));
    JsonArrayReader::Element el;
    int64_t n = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool more, reader.Next(&el));
      if (!more) break;
      ++n;
      Status rs;
      if (el.too_long) rs = InvalidArgument("record: longer than the limit of " + std::to_string(limits.max_line_bytes) + " bytes");
      else if (el.too_deep) rs = InvalidArgument("record: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      else if (!IsValidUtf8(el.text)) rs = InvalidArgument("record: invalid UTF-8");
      else {
        json j = json::parse(el.text, nullptr, false);
        rs = j.is_discarded() ? InvalidArgument("record: malformed JSON") : RowToRecord(j, ctx, &rec);
      }
      RETURN_IF_ERROR(ctx.emit(el.line, "record " + std::to_string(n), rs, rec, el.text));
    }
    return Status::Ok();
  }
  std::vector<std::string> header;
  auto on_header = [&](std::vector<std::string>& h) -> Status {
    header = h;
    return Status::Ok();
  };
  auto to_record = [&](const std::vector<std::string>& fields) -> Status {
    json row = json::object();
    bool utf8 = true;
    for (size_t i = 0; i < header.size(); ++i) {
      utf8 = utf8 && IsValidUtf8(fields[i]);
      if (!fields[i].empty()) row[header[i]] = UnescapeCsvFormula(fields[i]);
    }
    return utf8 ? RowToRecord(row, ctx, &rec) : InvalidArgument("record: invalid UTF-8");
  };
  return ReadCsvWithHeader(ctx.path, limits.max_line_bytes, on_header, to_record,
                           [&](int64_t line, const Status& rs, std::string_view raw) {
                             return ctx.emit(line, "", rs, rec, raw);
                           });
}

Status Write(WriteContext& ctx) {
  const std::string from = ctx.settings.ls_from_name.empty() ? "label" : ctx.settings.ls_from_name;
  std::string text_key = ctx.settings.text_field.empty() ? "text" : ctx.settings.text_field;
  if (from == text_key || kRowKeys.count(from)) return InvalidArgument("label-studio-csv: control name '" + from + "' clashes with a column");
  // The converter sorts its columns by name.
  std::vector<std::string> cols = {"annotation_id", "annotator", "id", from, text_key, "was_cancelled"};
  std::sort(cols.begin(), cols.end());
  std::string buf;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) buf += ',';
    AppendCsvCell(&buf, cols[i], true);
  }
  buf += '\n';
  ctx.out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
  Item scratch;
  return ForEachExportItem(*ctx.store, *ctx.project, /*with_answers=*/false, [&](const ExportItem& e) -> Status {
    const Item& item = ItemAsResolved(e, *ctx.options, *ctx.project, &scratch);  // several people: resolved
    buf.clear();
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) buf += ',';
      const std::string& c = cols[i];
      if (c == "id") AppendCsvCell(&buf, item.external_id, false);
      else if (c == text_key) AppendCsvCell(&buf, item.text, true);
      else if (c == "annotator") AppendCsvCell(&buf, item.labels.empty() ? "" : item.label_annotator, true);
      else if (c == "was_cancelled") buf += item.labels.empty() ? "" : "False";
      else if (c == from && !item.labels.empty()) {
        AppendCsvCell(&buf, item.labels.size() == 1 ? item.labels[0] : json{{"choices", item.labels}}.dump(), true);
      }
    }
    buf += '\n';
    return WriteOut(ctx, buf);
  }, ctx.stats, ctx.options);
}

}  // namespace
}  // namespace format_label_studio_csv

extern const FormatSpec kLabelStudioCsvFormat = {
    "label-studio-csv", "Label Studio converter CSV / JSON-MIN: one row per annotation", ".csv",
    "text/csv; charset=utf-8", format_label_studio_csv::Sniff, format_label_studio_csv::Read, format_label_studio_csv::Write};

}  // namespace hitloop::io
