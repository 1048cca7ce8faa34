#include "io/record.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/json_limits.h"
#include "io/line_reader.h"

namespace hitloop::io {

using nlohmann::json;

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

namespace {

Status Field(const std::string& field, const std::string& reason) {
  return InvalidArgument(field + ": " + reason);
}

Result<std::string> IdOf(const json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.empty()) return Field("id", "empty");
    if (s.size() > 512) return Field("id", "longer than 512 bytes");
    return s;
  }
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  return Field("id", "must be a string or an integer");
}

}  // namespace

Status ParseJsonRecord(std::string_view line, const RecordLimits& limits, Record* out) {
  if (line.size() > limits.max_line_bytes) {
    return Field("record", "longer than the limit of " + std::to_string(limits.max_line_bytes) + " bytes");
  }
  if (!IsValidUtf8(line)) return Field("record", "invalid UTF-8");
  RETURN_IF_ERROR(CheckJsonDepth(line));  // before the parse: copies and dumps recurse per level
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Field("record", "malformed JSON");
  return RecordFromJson(j, limits, out);
}

Status RecordFromJson(const json& j, const RecordLimits& limits, Record* out) {
  *out = Record();
  if (!j.is_object()) return Field("record", "must be a JSON object");
  auto id_it = j.find("id");
  if (id_it == j.end() || id_it->is_null()) return Field("id", "missing");
  ASSIGN_OR_RETURN(out->id, IdOf(*id_it));

  if (auto t = j.find("text"); t != j.end() && !t->is_null()) {
    if (!t->is_string()) return Field("text", "must be a string");
    out->text = t->get<std::string>();
  }
  if (auto v = j.find("vector"); v != j.end() && !v->is_null()) {
    if (!v->is_array()) return Field("vector", "must be an array of numbers");
    if (v->size() > limits.max_vector_dims) return Field("vector", "more than " + std::to_string(limits.max_vector_dims) + " dimensions");
    out->vector.reserve(v->size());
    for (const auto& x : *v) {
      if (!x.is_number()) return Field("vector", "must be an array of numbers");
      double d = x.get<double>();
      if (!std::isfinite(d)) return Field("vector", "non-finite value");
      out->vector.push_back(static_cast<float>(d));
    }
  }
  if (out->text.empty() && out->vector.empty()) return Field("text", "missing or empty (and no vector)");

  auto l = j.find("label");
  auto ls = j.find("labels");
  if (l != j.end() && !l->is_null()) {
    if (!l->is_string()) return Field("label", "must be a string");
    if (l->get_ref<const std::string&>().empty()) return Field("label", "empty");
    out->labels.push_back(l->get<std::string>());
  }
  if (ls != j.end() && !ls->is_null()) {
    if (!out->labels.empty()) return Field("labels", "give either label or labels, not both");
    if (!ls->is_array()) return Field("labels", "must be an array of strings");
    for (const auto& x : *ls) {
      if (!x.is_string() || x.get_ref<const std::string&>().empty()) return Field("labels", "must be an array of non-empty strings");
      out->labels.push_back(x.get<std::string>());
    }
  }
  if (auto s = j.find("label_source"); s != j.end() && !s->is_null()) {
    if (!s->is_string()) return Field("label_source", "must be a string");
    out->label_source = s->get<std::string>();
    if (out->label_source != "human" && out->label_source != "model" && out->label_source != "rule" &&
        out->label_source != "audit") {
      return Field("label_source", "must be human, model, rule or audit");
    }
  }
  if (auto a = j.find("annotator"); a != j.end() && !a->is_null()) {
    if (!a->is_string()) return Field("annotator", "must be a string");
    out->annotator = a->get<std::string>();
  }
  if (auto c = j.find("confidence"); c != j.end() && !c->is_null()) {
    if (!c->is_number()) return Field("confidence", "must be a number");
    double d = c->get<double>();
    if (!(d >= 0.0 && d <= 1.0)) return Field("confidence", "must be in [0, 1]");
    out->confidence = d;
  }
  if (auto p = j.find("prediction"); p != j.end() && !p->is_null()) {
    if (!p->is_object()) return Field("prediction", "must be an object {\"label\", \"score\"}");
    auto pl = p->find("label");
    if (pl == p->end() || !pl->is_string() || pl->get_ref<const std::string&>().empty()) {
      return Field("prediction.label", "missing or not a string");
    }
    out->prediction_label = pl->get<std::string>();
    if (auto ps = p->find("score"); ps != p->end() && !ps->is_null()) {
      if (!ps->is_number()) return Field("prediction.score", "must be a number");
      double d = ps->get<double>();
      if (!(d >= 0.0 && d <= 1.0)) return Field("prediction.score", "must be in [0, 1]");
      out->prediction_score = d;
    }
    if (auto pd = p->find("distribution"); pd != p->end() && !pd->is_null()) {
      if (!pd->is_array()) return Field("prediction.distribution", "must be an array of numbers");
      for (const auto& x : *pd) {
        if (!x.is_number()) return Field("prediction.distribution", "must be an array of numbers");
        out->prediction_distribution.push_back(x.get<double>());
      }
    }
    if (auto pm = p->find("model"); pm != p->end() && pm->is_string()) out->prediction_model = pm->get<std::string>();
  }
  if (auto m = j.find("meta"); m != j.end() && !m->is_null()) {
    if (!m->is_object()) return Field("meta", "must be a JSON object");
    out->meta_json = m->dump();
  }
  if (auto an = j.find("annotations"); an != j.end() && !an->is_null()) {
    if (!an->is_array()) return Field("annotations", "must be an array of {\"annotator\", \"label\"} objects");
    for (size_t i = 0; i < an->size(); ++i) {
      const json& x = (*an)[i];
      const std::string f = "annotations[" + std::to_string(i) + "]";
      if (!x.is_object()) return Field(f, "must be an object {\"annotator\", \"label\"}");
      RecordAnswer a;
      auto who = x.find("annotator");
      if (who == x.end() || !who->is_string() || who->get_ref<const std::string&>().empty()) {
        return Field(f + ".annotator", "missing or not a non-empty string");
      }
      a.annotator = who->get<std::string>();
      auto l = x.find("label");
      if (l == x.end() || !l->is_string() || l->get_ref<const std::string&>().empty()) {
        return Field(f + ".label", "missing or not a non-empty string");
      }
      a.labels = {l->get<std::string>()};
      if (auto t = x.find("time_ms"); t != x.end() && !t->is_null()) {
        if (!t->is_number_integer() || t->get<int64_t>() < 0) return Field(f + ".time_ms", "must be a non-negative integer");
        a.time_ms = t->get<int64_t>();
      }
      if (auto s = x.find("source"); s != x.end() && !s->is_null()) {
        if (!s->is_string() || (*s != "human" && *s != "audit")) return Field(f + ".source", "must be human or audit");
        a.source = s->get<std::string>();
      }
      for (const RecordAnswer& prev : out->answers) {
        if (prev.annotator == a.annotator) return Field(f + ".annotator", "'" + a.annotator + "' answers twice");
      }
      out->answers.push_back(std::move(a));
    }
  }
  if (auto s = j.find("split"); s != j.end() && !s->is_null()) {
    if (!s->is_string() || (*s != "pool" && *s != "gold")) return Field("split", "must be \"pool\" or \"gold\"");
    out->split = s->get<std::string>();
  }
  return Status::Ok();
}

Status ReadJsonlFile(const std::string& path, const RecordLimits& limits,
                     const std::function<Status(int64_t line, Record&)>& fn) {
  LineReader reader;
  RETURN_IF_ERROR(reader.Open(path, limits.max_line_bytes));
  std::string_view line;
  bool too_long = false;
  Record rec;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&line, &too_long));
    if (!more) break;
    const std::string where = path + ":" + std::to_string(reader.line_number()) + ": ";
    if (too_long) {
      return InvalidArgument(where + "record: longer than the limit of " +
                             std::to_string(limits.max_line_bytes) + " bytes");
    }
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Status st = ParseJsonRecord(line, limits, &rec);
    if (st.ok()) st = fn(reader.line_number(), rec);
    if (!st.ok()) return Status(st.code(), where + st.message());
  }
  return Status::Ok();
}

}  // namespace hitloop::io
