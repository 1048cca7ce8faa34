// Prodigy JSONL (--format prodigy): one annotated example per line, as `prodigy db-out` writes.
//
// Reader: `answer` decides — "accept" stores the label; "reject" stores an explicit "not this
// label" answer, which hitloop can only hold as the other label of a two-label project (with
// more or fewer labels the answer is not stored, and a summary line says so) — a rejected label
// is never stored as the label; "ignore" stores no answer. Choice tasks (`options` + `accept`:
// [ids]) store the chosen options. The id is `_task_hash` (else a content hash); the same task
// answered by several people (one line per `_annotator_id`) becomes one item with one answer per
// person. `meta` is kept; spans (NER) are not classification labels and are reported.
//
// Writer: one line per item; items with a label as accepted examples (`label`, or `options` +
// `accept` for multi-label projects), the others as plain input tasks; hitloop's provenance
// under `meta.hitloop`.
#include <nlohmann/json.hpp>
#include <set>

#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "io/json_limits.h"
#include "io/line_reader.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_prodigy {
namespace {

using nlohmann::json;

int Sniff(const SniffSample& s) {
  if (s.shape != SniffSample::kJsonLines && s.shape != SniffSample::kJsonObject) return 0;
  if (s.HasKey("answer") || s.HasKey("_task_hash") || s.HasKey("_input_hash")) return 95;
  return 0;
}

Status LineToRecord(const json& j, ReadContext& ctx, Record* rec) {
  *rec = Record();
  rec->merge_repeats = true;
  if (!j.is_object()) return InvalidArgument("record: must be a JSON object");
  auto t = j.find("text");
  if (t == j.end() || !t->is_string() || t->get_ref<const std::string&>().empty()) {
    return InvalidArgument("text: missing or not a string");
  }
  rec->text = t->get<std::string>();
  if (auto h = j.find("_task_hash"); h != j.end() && !h->is_null()) rec->id = IdString(*h);
  json meta = json::object();
  if (auto m = j.find("meta"); m != j.end() && !m->is_null()) {
    if (!m->is_object()) return InvalidArgument("meta: must be a JSON object");
    meta = *m;
  }
  json prov = meta.contains("hitloop") && meta["hitloop"].is_object() ? meta["hitloop"] : json::object();
  if (auto pid = prov.find("id"); pid != prov.end() && !IdString(*pid).empty()) rec->id = IdString(*pid);
  if (auto s = prov.find("split"); s != prov.end() && *s == "gold") rec->split = "gold";
  if (rec->id.empty()) {
    rec->id = ContentId(rec->text);
    rec->id_generated = true;
  }
  meta.erase("hitloop");
  // Prodigy's other keys (_input_hash, _view_id, priority, ...) travel under meta.hitloop.data.
  json data = json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const std::set<std::string> kOwn = {"text", "label", "answer", "accept", "meta", "_task_hash",
                                               "_annotator_id", "spans", "score"};
    if (!kOwn.count(it.key())) data[it.key()] = it.value();
  }
  if (!data.empty()) meta["hitloop"] = {{"data", data}};
  if (!meta.empty()) rec->meta_json = meta.dump();

  if (j.contains("spans") && j["spans"].is_array() && !j["spans"].empty()) {
    ctx.notes->Add("examples had spans (entity annotations): spans are not imported");
  }
  const std::string answer = StrField(j, "answer");
  std::vector<std::string> labels;
  if (auto acc = j.find("accept"); acc != j.end() && acc->is_array()) {
    for (const auto& x : *acc) {
      std::string id = IdString(x);
      if (id.empty()) return InvalidArgument("accept: must hold option ids");
      labels.push_back(id);
    }
  } else if (auto l = j.find("label"); l != j.end() && !l->is_null()) {
    if (!l->is_string() || l->get_ref<const std::string&>().empty()) return InvalidArgument("label: must be a non-empty string");
    labels.push_back(l->get<std::string>());
  }
  if (answer.empty() && !labels.empty() && !j.contains("accept")) {
    // An input task with a suggested label: a pre-label, not an answer.
    rec->prediction_label = labels[0];
    if (auto sc = j.find("score"); sc != j.end() && sc->is_number()) {
      double d = sc->get<double>();
      if (d >= 0 && d <= 1) rec->prediction_score = d;
    }
    rec->prediction_model = StrField(prov, "prediction_model", "prodigy");
    return Status::Ok();
  }
  if (answer == "ignore") {
    ctx.notes->Add("ignored examples: no answer stored");
    return Status::Ok();
  }
  if (!answer.empty() && answer != "accept" && answer != "reject") {
    return InvalidArgument("answer: must be accept, reject or ignore");
  }
  if (answer == "reject") {
    const auto& pl = ctx.project->labels;
    if (j.contains("accept")) {
      ctx.notes->Add("rejected choice examples: no answer stored");
      return Status::Ok();
    }
    if (labels.size() == 1 && pl.size() == 2 && ctx.project->LabelIndex(labels[0]) >= 0) {
      labels = {pl[0] == labels[0] ? pl[1] : pl[0]};  // "not A" in a two-label project is B
    } else {
      if (labels.size() == 1 && ctx.project->LabelIndex(labels[0]) < 0) {
        return InvalidArgument("label: unknown label '" + labels[0] + "'");
      }
      ctx.notes->Add("rejected examples: not stored (\"not this label\" needs a two-label project, e.g. --labels " +
                     (labels.empty() ? std::string("A,NOT_A") : labels[0] + ",NOT_" + labels[0]) + ")");
      return Status::Ok();
    }
  }
  if (labels.empty()) return Status::Ok();
  rec->labels = labels;
  if (auto a = j.find("_annotator_id"); a != j.end() && a->is_string()) rec->annotator = a->get<std::string>();
  if (auto a = prov.find("annotator"); a != prov.end() && a->is_string()) rec->annotator = a->get<std::string>();
  if (auto a = prov.find("source"); a != prov.end() && a->is_string()) rec->label_source = a->get<std::string>();
  if (auto c = prov.find("confidence"); c != prov.end() && c->is_number()) rec->confidence = c->get<double>();
  return Status::Ok();
}

Status Read(ReadContext& ctx) {
  const RecordLimits& limits = ctx.options->limits;
  LineReader reader;
  RETURN_IF_ERROR(reader.Open(ctx.path, limits.max_line_bytes));
  std::string_view line;
  bool too_long = false;
  Record rec;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&line, &too_long));
    if (!more) break;
    if (!too_long && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Status rs;
    if (too_long) {
      rs = InvalidArgument("record: longer than the limit of " + std::to_string(limits.max_line_bytes) + " bytes");
    } else if (!IsValidUtf8(line)) {
      rs = InvalidArgument("record: invalid UTF-8");
    } else if (Status d = CheckJsonDepth(line); !d.ok()) {
      rs = d;
    } else {
      json j = json::parse(line, nullptr, false);
      rs = j.is_discarded() ? InvalidArgument("record: malformed JSON") : LineToRecord(j, ctx, &rec);
    }
    RETURN_IF_ERROR(ctx.emit(reader.line_number(), "", rs, rec, too_long ? std::string_view("<too long>") : line));
    if (ctx.progress && (reader.line_number() & 0x3fff) == 0) ctx.progress(reader.bytes_read(), reader.total_bytes());
  }
  return Status::Ok();
}

Status Write(WriteContext& ctx) {
  const bool multi = ctx.project->type == TaskType::kMultiLabel;
  std::string buf;
  Item scratch;
  return ForEachExportItem(*ctx.store, *ctx.project, /*with_answers=*/false, [&](const ExportItem& e) -> Status {
    const Item& item = ItemAsResolved(e, *ctx.options, *ctx.project, &scratch);  // several people: resolved
    json meta = json::parse(item.meta_json, nullptr, false);
    if (!meta.is_object()) meta = json::object();
    json prov = meta.contains("hitloop") && meta["hitloop"].is_object() ? meta["hitloop"] : json::object();
    prov["id"] = item.external_id;
    prov.erase("unscored");
    if (item.split == Split::kGold) prov["split"] = "gold";
    json j = {{"text", item.text}};
    if (prov.contains("data") && prov["data"].is_object()) {
      for (auto it = prov["data"].begin(); it != prov["data"].end(); ++it) j[it.key()] = it.value();
      prov.erase("data");
    }
    if (!item.external_id.empty()) {
      // Prodigy's task hash is an integer: keep ours there when it is one.
      char* end = nullptr;
      long long h = std::strtoll(item.external_id.c_str(), &end, 10);
      if (*end == '\0' && !item.external_id.empty()) j["_task_hash"] = h;
    }
    if (!item.labels.empty()) {
      if (multi) {
        json options = json::array();
        for (const auto& l : ctx.project->labels) options.push_back({{"id", l}, {"text", l}});
        j["options"] = options;
        j["accept"] = item.labels;
      } else {
        j["label"] = item.labels[0];
      }
      j["answer"] = "accept";
      const char* source = item.label_source ? LabelSourceName(*item.label_source) : "human";
      prov["source"] = source;
      prov["annotator"] = item.label_annotator;
      if (item.label_confidence) prov["confidence"] = *item.label_confidence;
      if (!item.label_annotator.empty() && std::string(source) == "human") j["_annotator_id"] = item.label_annotator;
    } else if (e.prediction != nullptr && !multi) {
      j["label"] = e.prediction->label;  // a suggestion for Prodigy's binary interface
      if (!e.prediction_unscored) j["score"] = e.prediction->confidence;
      prov["prediction_model"] = e.prediction->model_version;
    }
    meta["hitloop"] = prov;
    j["meta"] = meta;
    buf = j.dump(-1, ' ', false, json::error_handler_t::replace);
    buf += '\n';
    return WriteOut(ctx, buf);
  }, ctx.stats, ctx.options);
}

}  // namespace
}  // namespace format_prodigy

extern const FormatSpec kProdigyFormat = {
    "prodigy", "Prodigy JSONL (db-out): accept/reject/ignore answers, choice tasks, _annotator_id", ".jsonl",
    "application/x-ndjson", format_prodigy::Sniff, format_prodigy::Read, format_prodigy::Write};

}  // namespace hitloop::io
