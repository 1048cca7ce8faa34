// Label Studio tasks JSON (--format label-studio): a JSON array of tasks, or one task object.
//
// Reader: current exports (`annotations`) and 1.x ones (`completions`); tasks with `data` or flat
// (the whole task is the data, as Label Studio itself accepts); the text field by the project's
// rule (PickTextField); every other data field and the task's `meta` kept; every non-cancelled
// annotation with choices imported as one person's answer (ground_truth ones last, so they are
// the item's label); every prediction kept (a missing score stays missing); control names
// recorded per project; hitloop's own provenance read back from `meta.hitloop`.
//
// Writer: what Label Studio's import accepts (see tests: its TaskValidator and completed_by
// checks): no `completed_by` (Label Studio assigns the importing user), `ground_truth` only on
// gold items, model and rule labels as `predictions` with `model_version` and `score`, control
// names and data keys as imported, hitloop's provenance under `meta.hitloop`. Pairwise and
// ranking projects export Pairwise / Ranker results (io/label_studio_preference.h).
#include <nlohmann/json.hpp>
#include <cmath>
#include <set>

#include "core/clock.h"
#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "io/json_array_reader.h"
#include "io/json_limits.h"
#include "io/json_write.h"
#include "io/label_studio_preference.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_label_studio {
namespace {

using nlohmann::json;

// Keys of a Label Studio task object that are not data (a task without `data` is flat: every
// other key is data).
const std::set<std::string> kTaskKeys = {
    "id", "data", "annotations", "completions", "predictions", "meta", "created_at", "updated_at",
    "project", "file_upload", "drafts", "annotators", "inner_id", "total_annotations",
    "cancelled_annotations", "total_predictions", "updated_by", "is_labeled", "overlap",
    "comment_count", "unresolved_comment_count", "last_comment_updated_at", "comment_authors",
    "agreement", "annotations_results", "predictions_results", "annotations_ids",
    "predictions_model_versions", "storage_filename", "avg_lead_time", "draft_exists",
    "completed_at", "predictions_score", "allow_skip"};

int Sniff(const SniffSample& s) {
  if (s.shape != SniffSample::kJsonArray && s.shape != SniffSample::kJsonObject) return 0;
  if (s.first == nullptr) return s.ExtensionIs(".json") ? 20 : 0;
  if (s.HasKey("data") || s.HasKey("annotations") || s.HasKey("completions") || s.HasKey("predictions")) return 90;
  // Flat tasks: any object; weaker than formats that recognise their own keys.
  return 30;
}

// Choices of one result list, and the types of results that carried no choices.
struct Choices {
  std::vector<std::string> labels;
  std::string from_name, to_name;
  std::set<std::string> other_types;
};

Status ChoicesOf(const json& result, Choices* out) {
  if (!result.is_array()) return InvalidArgument("result: must be an array");
  for (const auto& r : result) {
    if (!r.is_object()) return InvalidArgument("result: must hold objects");
    auto v = r.find("value");
    auto c = v != r.end() && v->is_object() ? v->find("choices") : r.end();
    if (v == r.end() || !v->is_object() || c == v->end()) {
      std::string type = StrField(r, "type", "unknown");
      out->other_types.insert(type);
      continue;
    }
    if (!c->is_array()) return InvalidArgument("result.value.choices: must be an array");
    for (const auto& x : *c) {
      if (!x.is_string() || x.get_ref<const std::string&>().empty()) {
        return InvalidArgument("result.value.choices: must hold non-empty strings");
      }
      out->labels.push_back(x.get<std::string>());
    }
    if (out->from_name.empty()) {
      if (auto f = r.find("from_name"); f != r.end() && f->is_string()) out->from_name = f->get<std::string>();
      if (auto t = r.find("to_name"); t != r.end() && t->is_string()) out->to_name = t->get<std::string>();
    }
  }
  return Status::Ok();
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

Result<std::optional<double>> ScoreOf(const json& p, const char* field) {
  auto sc = p.find("score");
  if (sc == p.end() || sc->is_null()) return std::optional<double>();
  double d;
  if (sc->is_number()) {
    d = sc->get<double>();
  } else if (sc->is_string()) {  // numeric strings are numbers
    const std::string& s = sc->get_ref<const std::string&>();
    char* end = nullptr;
    d = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') return InvalidArgument(std::string(field) + ": not a number");
  } else {
    return InvalidArgument(std::string(field) + ": must be a number");
  }
  if (!(d >= 0.0 && d <= 1.0)) return InvalidArgument(std::string(field) + ": must be in [0, 1]");
  return std::optional<double>(d);
}

std::string AnnotatorOf(const json& a) {
  auto cb = a.find("completed_by");
  if (cb == a.end() || cb->is_null()) return "";
  if (cb->is_string()) return cb->get<std::string>();
  if (cb->is_number_integer()) return "label-studio-user-" + std::to_string(cb->get<int64_t>());
  if (cb->is_object()) {
    if (auto e = cb->find("email"); e != cb->end() && e->is_string()) return e->get<std::string>();
    if (auto i = cb->find("id"); i != cb->end() && i->is_number_integer()) {
      return "label-studio-user-" + std::to_string(i->get<int64_t>());
    }
  }
  return "";
}

// The task's answers (every non-cancelled annotation with choices, hitloop's own model/rule
// label, ground truth last) into rec's label and earlier answers.
Status AnswersOf(const json& task, const json& prov, ReadContext& ctx, Record* rec) {
  // Answers: every non-cancelled annotation with choices.
  const json* anns = nullptr;
  if (auto a = task.find("annotations"); a != task.end() && !a->is_null()) anns = &*a;
  else if (auto c = task.find("completions"); c != task.end() && !c->is_null()) anns = &*c;
  const json* prov_answers = prov.contains("answers") && prov["answers"].is_array() ? &prov["answers"] : nullptr;
  std::vector<RecordAnswer> answers, ground_truth;
  std::set<std::string> other_types;
  if (anns != nullptr) {
    if (!anns->is_array()) return InvalidArgument("annotations: must be an array");
    size_t idx = 0;
    for (const auto& a : *anns) {
      const size_t my = idx++;
      if (!a.is_object()) return InvalidArgument("annotations: must hold objects");
      if (BoolField(a, "was_cancelled")) {
        ctx.notes->Add("cancelled annotations: not imported");
        continue;
      }
      auto res = a.find("result");
      if (res == a.end() || res->is_null()) continue;
      Choices ch;
      RETURN_IF_ERROR(ChoicesOf(*res, &ch));
      if (ch.labels.empty()) {
        other_types.insert(ch.other_types.begin(), ch.other_types.end());
        continue;
      }
      if (!ch.from_name.empty() && ctx.settings->ls_from_name.empty()) {
        ctx.settings->ls_from_name = ch.from_name;
        ctx.settings->ls_to_name = ch.to_name;
      }
      RecordAnswer ans;
      ans.labels = std::move(ch.labels);
      ans.annotator = AnnotatorOf(a);
      if (auto lt = a.find("lead_time"); lt != a.end() && lt->is_number() && lt->get<double>() >= 0 &&
                                         lt->get<double>() < 1e9) {
        ans.time_ms = static_cast<int64_t>(std::llround(lt->get<double>() * 1000.0));
      }
      // Unknown people are still different people: the task's first, second, ... annotation.
      if (ans.annotator.empty()) ans.annotator = my == 0 ? "label-studio" : "label-studio#" + std::to_string(my + 1);
      if (prov_answers != nullptr && my < prov_answers->size() && (*prov_answers)[my].is_object()) {
        const json& p = (*prov_answers)[my];
        if (auto x = p.find("annotator"); x != p.end() && x->is_string()) ans.annotator = x->get<std::string>();
        if (auto x = p.find("source"); x != p.end() && x->is_string()) ans.source = x->get<std::string>();
        if (auto x = p.find("confidence"); x != p.end() && x->is_number()) ans.confidence = x->get<double>();
        if (auto x = p.find("time_ms"); x != p.end() && x->is_number_integer() && x->get<int64_t>() >= 0) {
          ans.time_ms = x->get<int64_t>();
        }
      }
      (BoolField(a, "ground_truth") ? ground_truth : answers).push_back(std::move(ans));
    }
  }
  // hitloop's own model/rule label travels as a prediction; the provenance restores it.
  if (auto au = prov.find("auto"); au != prov.end() && au->is_object()) {
    RecordAnswer ans;
    if (auto l = au->find("labels"); l != au->end() && l->is_array()) {
      for (const auto& x : *l) if (x.is_string()) ans.labels.push_back(x.get<std::string>());
    }
    ans.source = StrField(*au, "source", "model");
    ans.annotator = StrField(*au, "annotator");
    if (auto c = au->find("confidence"); c != au->end() && c->is_number()) ans.confidence = c->get<double>();
    if (!ans.labels.empty()) answers.push_back(std::move(ans));
  }
  for (auto& g : ground_truth) answers.push_back(std::move(g));  // ground truth last: it is the label
  if (!answers.empty()) {
    RecordAnswer& current = answers.back();
    rec->labels = current.labels;
    rec->label_source = current.source;
    rec->annotator = current.annotator;
    rec->confidence = current.confidence;
    rec->label_time_ms = current.time_ms;
    answers.pop_back();
    rec->earlier_answers = std::move(answers);
  } else if (!other_types.empty()) {
    ctx.notes->Add("tasks had only " + Join(other_types) + " results: no label");
  }

  return Status::Ok();
}

// The task's predictions with choices into rec's pre-label and earlier predictions.
Status PredictionsOf(const json& task, const json& prov, ReadContext& ctx, Record* rec) {
  // Predictions: every one with choices, in file order (the last is the newest).
  if (auto preds = task.find("predictions"); preds != task.end() && !preds->is_null()) {
    if (!preds->is_array()) return InvalidArgument("predictions: must be an array");
    std::set<std::string> versions;
    std::vector<RecordPrediction> out;
    // hitloop's export writes its model/rule label as the first prediction; the provenance
    // already restored it as that label.
    std::string skip_auto;
    if (auto au = prov.find("auto"); au != prov.end() && au->is_object()) skip_auto = StrField(*au, "annotator");
    bool skipped = false;
    for (const auto& p : *preds) {
      if (!p.is_object()) return InvalidArgument("predictions: must hold objects");
      if (!skipped && !skip_auto.empty() && StrField(p, "model_version") == skip_auto) {
        skipped = true;
        continue;
      }
      auto res = p.find("result");
      if (res == p.end() || res->is_null()) continue;
      Choices ch;
      RETURN_IF_ERROR(ChoicesOf(*res, &ch));
      if (ch.labels.empty()) {
        if (!ch.other_types.empty()) ctx.notes->Add("predictions had only " + Join(ch.other_types) + " results: not imported");
        continue;
      }
      if (ch.labels.size() > 1) ctx.notes->Add("predictions chose several labels: the first is the pre-label");
      RecordPrediction rp;
      rp.label = ch.labels[0];
      ASSIGN_OR_RETURN(rp.score, ScoreOf(p, "predictions.score"));
      if (auto mv = p.find("model_version"); mv != p.end() && !mv->is_null()) {
        rp.model = mv->is_string() ? mv->get<std::string>() : mv->dump();
      }
      if (rp.model.empty()) rp.model = "label-studio";
      // Two predictions of one model version are two predictions: keep both.
      std::string base = rp.model;
      for (int n = 2; !versions.insert(rp.model).second; ++n) rp.model = base + "#" + std::to_string(n);
      if (auto d = prov.find("distribution"); d != prov.end() && d->is_array() && &p == &preds->back()) {
        for (const auto& x : *d) if (x.is_number()) rp.distribution.push_back(x.get<double>());
      }
      out.push_back(std::move(rp));
    }
    if (!out.empty()) {
      const RecordPrediction& last = out.back();
      rec->prediction_label = last.label;
      rec->prediction_score = last.score;
      rec->prediction_model = last.model;
      rec->prediction_distribution = last.distribution;
      out.pop_back();
      rec->earlier_predictions = std::move(out);
    }
  }
  return Status::Ok();
}

// One task to a record. Loss causes go to ctx.notes.
Status TaskToRecord(const json& task, ReadContext& ctx, Record* rec) {
  *rec = Record();
  if (!task.is_object()) return InvalidArgument("task: must be a JSON object");
  json data;
  if (auto d = task.find("data"); d != task.end()) {
    if (!d->is_object()) return InvalidArgument("data: must be a JSON object");
    data = *d;
  } else {
    data = json::object();
    for (auto it = task.begin(); it != task.end(); ++it) {
      if (!kTaskKeys.count(it.key())) data[it.key()] = it.value();
    }
  }
  json task_meta = json::object();
  if (auto m = task.find("meta"); m != task.end() && !m->is_null()) {
    if (!m->is_object()) return InvalidArgument("meta: must be a JSON object");
    task_meta = *m;
  } else if (auto dm = data.find("meta"); dm != data.end() && dm->is_object()) {
    task_meta = *dm;  // hitloop's exports before meta.hitloop wrote data.meta
    data.erase("meta");
  }
  json prov = json::object();
  if (auto h = task_meta.find("hitloop"); h != task_meta.end()) {
    if (h->is_object()) prov = *h;
    task_meta.erase("hitloop");
  }
  // Text: the project's field, or the rule; a text key remembered in the provenance wins.
  std::string configured = ctx.settings->text_field;
  if (configured.empty() && prov.contains("text_field") && prov["text_field"].is_string()) {
    configured = prov["text_field"].get<std::string>();
  }
  ASSIGN_OR_RETURN(std::string text_key, PickTextField(data, configured, "data"));
  rec->text = data[text_key].get<std::string>();
  // Id: meta.hitloop.id (ours), data.external_id, the task id, else a content hash.
  std::string id;
  if (auto pid = prov.find("id"); pid != prov.end()) id = IdString(*pid);
  if (id.empty()) {
    if (auto ext = data.find("external_id"); ext != data.end() && !ext->is_null()) {
      id = IdString(*ext);
      if (id.empty()) return InvalidArgument("data.external_id: must be a string or an integer");
      data.erase("external_id");
    }
  }
  if (id.empty()) {
    if (auto tid = task.find("id"); tid != task.end() && !tid->is_null()) {
      id = IdString(*tid);
      if (id.empty()) return InvalidArgument("id: must be a string or an integer");
    }
  }
  data.erase(text_key);
  // Old hitloop exports carried vector and split in data.
  if (auto v = data.find("vector"); v != data.end() && v->is_array()) {
    for (const auto& x : *v) {
      if (!x.is_number()) return InvalidArgument("data.vector: must be an array of numbers");
      rec->vector.push_back(static_cast<float>(x.get<double>()));
    }
    data.erase("vector");
  }
  if (auto s = data.find("split"); s != data.end() && s->is_string() && (*s == "gold" || *s == "pool")) {
    rec->split = s->get<std::string>();
    data.erase("split");
  }
  if (auto s = prov.find("split"); s != prov.end() && s->is_string() && (*s == "gold" || *s == "pool")) {
    rec->split = s->get<std::string>();
  }
  if (id.empty()) {
    id = ContentId(rec->text, data.dump());
    rec->id_generated = true;
  }
  if (id.size() > 512) return InvalidArgument("id: longer than 512 bytes");
  rec->id = id;

  // meta: the task's meta, plus the other data fields and a non-default text key under
  // meta.hitloop (so the export writes the same task back).
  json meta = task_meta;
  json keep = json::object();
  if (!data.empty()) keep["data"] = data;
  if (text_key != "text") keep["text_field"] = text_key;
  if (!keep.empty()) meta["hitloop"] = keep;
  rec->meta_json = meta.dump();

  RETURN_IF_ERROR(AnswersOf(task, prov, ctx, rec));
  return PredictionsOf(task, prov, ctx, rec);
}

Status Read(ReadContext& ctx) {
  const RecordLimits& limits = ctx.options->limits;
  JsonArrayReader reader;
  RETURN_IF_ERROR(reader.Open(ctx.path, limits.max_line_bytes, kMaxJsonDepth));
  int64_t task_no = 0;
  Record rec;
  JsonArrayReader::Element el;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&el));
    if (!more) break;
    ++task_no;
    if (ctx.progress && (task_no & 0x3ff) == 0) ctx.progress(reader.bytes_read(), reader.total_bytes());
    Status rs;
    if (el.too_long) {
      rs = InvalidArgument("record: longer than the limit of " + std::to_string(limits.max_line_bytes) + " bytes");
    } else if (el.too_deep) {
      rs = InvalidArgument("record: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    } else if (!IsValidUtf8(el.text)) {
      rs = InvalidArgument("record: invalid UTF-8");
    } else {
      json task = json::parse(el.text, nullptr, /*allow_exceptions=*/false);
      if (task.is_discarded()) rs = InvalidArgument("record: malformed JSON");
      else rs = TaskToRecord(task, ctx, &rec);
    }
    std::string_view raw = el.too_long ? "<too long>" : el.too_deep ? "<too deep>" : std::string_view(el.text);
    if (raw.size() > 4096) raw = raw.substr(0, 4096);
    RETURN_IF_ERROR(ctx.emit(el.line, "task " + std::to_string(task_no), rs, rec, raw));
  }
  return Status::Ok();
}

// ---- writer ----

json ResultOf(const WriteContext& ctx, const std::vector<std::string>& labels) {
  const std::string from = ctx.settings.ls_from_name.empty() ? "label" : ctx.settings.ls_from_name;
  const std::string to = ctx.settings.ls_to_name.empty() ? "text" : ctx.settings.ls_to_name;
  return json::array({{{"from_name", from}, {"to_name", to}, {"type", "choices"}, {"value", {{"choices", labels}}}}});
}

Status Write(WriteContext& ctx) {
  // Pairwise and ranking projects: Label Studio's Pairwise and Ranker results.
  if (IsPreferenceType(ctx.project->type)) return WriteLabelStudioPreferences(ctx);
  std::ostream& out = *ctx.out;
  out << "[";
  bool first = true;
  std::string buf;
  Status st = ForEachExportItem(*ctx.store, *ctx.project, /*with_answers=*/true, [&](const ExportItem& e) -> Status {
    const Item& item = *e.item;
    json meta = json::parse(item.meta_json, nullptr, false);
    if (!meta.is_object()) meta = json::object();
    json keep = meta.contains("hitloop") && meta["hitloop"].is_object() ? meta["hitloop"] : json::object();
    meta.erase("hitloop");
    const std::string text_key = keep.contains("text_field") && keep["text_field"].is_string()
                                     ? keep["text_field"].get<std::string>() : "text";
    json data = keep.contains("data") && keep["data"].is_object() ? keep["data"] : json::object();
    data[text_key] = item.text;
    if (!item.vector.empty()) data["vector"] = item.vector;
    json task = {{"data", data}};
    // Label Studio's task id is an integer it assigns; ours goes to meta.hitloop.id.
    json prov = {{"id", item.external_id}};
    if (text_key != "text") prov["text_field"] = text_key;
    if (item.split == Split::kGold) prov["split"] = "gold";
    json anns = json::array(), preds = json::array(), prov_answers = json::array();
    const bool gold = item.split == Split::kGold;
    for (const Annotation& a : e.answers) {
      if (a.source == LabelSource::kModel || a.source == LabelSource::kRule) continue;
      json one = {{"result", ResultOf(ctx, a.labels)}, {"was_cancelled", false},
                  {"ground_truth", gold && a.kind == "import"}};  // people's answers to gold are not truth
      if (a.time_spent_ms > 0) one["lead_time"] = static_cast<double>(a.time_spent_ms) / 1000.0;
      // Reviewers' verdicts on this answer, as Label Studio Enterprise's annotation reviews
      // (accepted true/false; created_by is the reviewer's name here, not a user id).
      json reviews = json::array();
      for (const ReviewedAnswer& r : e.reviews) {
        if (r.review.annotation_id != a.id) continue;
        reviews.push_back({{"created_by", r.review.reviewer}, {"accepted", r.review.verdict == "approve"},
                           {"comment", r.review.comment}, {"created_at", FormatIso8601(r.review.created_at)}});
      }
      if (!reviews.empty()) one["reviews"] = reviews;
      anns.push_back(std::move(one));
      json pa = {{"annotator", a.annotator}, {"source", LabelSourceName(a.source)}};
      if (a.confidence) pa["confidence"] = *a.confidence;
      if (a.time_spent_ms > 0) pa["time_ms"] = a.time_spent_ms;
      if (!reviews.empty()) {
        pa["kind"] = a.kind;
        json rs = json::array();
        for (const ReviewedAnswer& r : e.reviews) {
          if (r.review.annotation_id != a.id) continue;
          rs.push_back({{"reviewer", r.review.reviewer}, {"verdict", r.review.verdict},
                        {"comment", r.review.comment}, {"at_ms", r.review.created_at}});
        }
        pa["reviews"] = rs;
      }
      prov_answers.push_back(pa);
    }
    if (!prov_answers.empty()) prov["answers"] = prov_answers;
    // Several people per item (export --aggregate): the resolved label, its method and confidence.
    if (ctx.options->answers != nullptr && ctx.project->type != TaskType::kMultiLabel) {
      if (auto it = ctx.options->answers->find(item.id); it != ctx.options->answers->end()) {
        // Every answer rejected: no resolved label (label and confidence null, method "none").
        const bool none = it->second.resolved.empty();
        prov["resolved"] = {{"label", none ? json(nullptr) : json(it->second.resolved)},
                            {"method", it->second.method},
                            {"confidence", none ? json(nullptr) : json(it->second.confidence)}};
      }
    }
    // A model or rule label is the item's label in hitloop but a prediction to Label Studio.
    if (!item.labels.empty() && item.label_source &&
        (*item.label_source == LabelSource::kModel || *item.label_source == LabelSource::kRule)) {
      json p = {{"model_version", item.label_annotator}, {"result", ResultOf(ctx, item.labels)}};
      if (item.label_confidence) p["score"] = *item.label_confidence;
      preds.push_back(p);
      json au = {{"labels", item.labels}, {"source", LabelSourceName(*item.label_source)},
                 {"annotator", item.label_annotator}};
      if (item.label_confidence) au["confidence"] = *item.label_confidence;
      prov["auto"] = au;
    }
    if (e.prediction != nullptr) {
      const Prediction& pr = *e.prediction;
      json p = {{"model_version", pr.model_version}, {"result", ResultOf(ctx, {pr.label})}};
      if (!e.prediction_unscored) p["score"] = pr.confidence;
      preds.push_back(p);
      if (!pr.distribution.empty()) prov["distribution"] = pr.distribution;
    }
    meta["hitloop"] = prov;
    task["meta"] = meta;
    task["annotations"] = anns;
    task["predictions"] = preds;
    buf.clear();
    buf += first ? "\n" : ",\n";
    first = false;
    buf += task.dump(-1, ' ', false, json::error_handler_t::replace);
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (!out) return IoError("export: write failed");
    return Status::Ok();
  }, ctx.stats, ctx.options);
  RETURN_IF_ERROR(st);
  out << "\n]\n";
  return Status::Ok();
}

}  // namespace
}  // namespace format_label_studio

extern const FormatSpec kLabelStudioFormat = {
    "label-studio", "Label Studio tasks JSON (annotations or 1.x completions; flat tasks too)", ".json",
    "application/json", format_label_studio::Sniff, format_label_studio::Read, format_label_studio::Write};

}  // namespace hitloop::io
