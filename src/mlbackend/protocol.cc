#include "mlbackend/protocol.h"

#include <cctype>
#include <map>

namespace hitloop::mlbackend {
namespace {

using nlohmann::json;

struct Tag {
  std::string name;
  std::map<std::string, std::string> attrs;
};

std::string XmlUnescape(std::string s) {
  const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1)) {
      s.replace(at, std::char_traits<char>::length(from), to);
    }
  }
  return s;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out;
}

// Start tags of `xml` with their attributes (comments, end tags and declarations skipped).
std::vector<Tag> StartTags(std::string_view xml) {
  std::vector<Tag> tags;
  size_t i = 0;
  while ((i = xml.find('<', i)) != std::string_view::npos) {
    if (xml.substr(i, 4) == "<!--") {
      size_t end = xml.find("-->", i);
      i = end == std::string_view::npos ? xml.size() : end + 3;
      continue;
    }
    ++i;
    if (i >= xml.size() || !std::isalpha(static_cast<unsigned char>(xml[i]))) continue;
    Tag t;
    while (i < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[i])) || xml[i] == '_')) {
      t.name += xml[i++];
    }
    while (i < xml.size() && xml[i] != '>') {
      while (i < xml.size() && (std::isspace(static_cast<unsigned char>(xml[i])) || xml[i] == '/')) ++i;
      std::string key;
      while (i < xml.size() && xml[i] != '=' && xml[i] != '>' &&
             !std::isspace(static_cast<unsigned char>(xml[i])) && xml[i] != '/') {
        key += xml[i++];
      }
      while (i < xml.size() && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
      if (i < xml.size() && xml[i] == '=') {
        ++i;
        while (i < xml.size() && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
        if (i < xml.size() && (xml[i] == '"' || xml[i] == '\'')) {
          const char q = xml[i++];
          size_t end = xml.find(q, i);
          if (end == std::string_view::npos) end = xml.size();
          t.attrs[key] = XmlUnescape(std::string(xml.substr(i, end - i)));
          i = end + 1;
        }
      }
    }
    tags.push_back(std::move(t));
  }
  return tags;
}

std::string Attr(const Tag& t, const char* key) {
  auto it = t.attrs.find(key);
  return it == t.attrs.end() ? "" : it->second;
}

Status Bad(const std::string& field, const std::string& why) {
  return InvalidArgument("ml backend response: " + field + ": " + why);
}

}  // namespace

LabelConfigNames ParseLabelConfig(std::string_view xml) {
  LabelConfigNames out;
  const std::vector<Tag> tags = StartTags(xml);
  bool in_choices = false;
  for (const Tag& t : tags) {
    if (t.name == "Choices") {
      if (!out.from_name.empty()) break;  // only the first Choices
      out.from_name = Attr(t, "name");
      out.to_name = Attr(t, "toName");
      in_choices = true;
    } else if (t.name == "Choice" && in_choices) {
      out.choices.push_back(Attr(t, "value"));
    }
  }
  for (const Tag& t : tags) {
    const std::string value = Attr(t, "value");
    if (!out.to_name.empty() && Attr(t, "name") == out.to_name && value.size() > 1 &&
        value[0] == '$') {
      out.data_key = value.substr(1);
      break;
    }
  }
  return out;
}

std::string MakeLabelConfig(std::span<const std::string> labels, bool multi_label,
                            const std::string& from_name, const std::string& to_name,
                            const std::string& data_key) {
  std::string x = "<View><Text name=\"" + XmlEscape(to_name) + "\" value=\"$" +
                  XmlEscape(data_key) + "\"/><Choices name=\"" + XmlEscape(from_name) +
                  "\" toName=\"" + XmlEscape(to_name) + "\" choice=\"" +
                  (multi_label ? "multiple" : "single") + "\">";
  for (const std::string& l : labels) x += "<Choice value=\"" + XmlEscape(l) + "\"/>";
  return x + "</Choices></View>";
}

json PredictionJson(const std::string& from_name, const std::string& to_name,
                    const std::vector<std::string>& chosen, double score,
                    const std::string& model_version) {
  json result = json::array();
  if (!chosen.empty()) {
    result.push_back({{"from_name", from_name},
                      {"to_name", to_name},
                      {"type", "choices"},
                      {"value", {{"choices", chosen}}}});
  }
  return {{"result", std::move(result)}, {"score", score}, {"model_version", model_version}};
}

Result<std::vector<TaskPrediction>> ParsePredictResponse(const json& body,
                                                         std::span<const std::string> labels,
                                                         size_t n) {
  const json* results = &body;
  if (body.is_object()) {
    auto it = body.find("results");
    if (it == body.end()) return Bad("results", "missing");
    results = &*it;
  }
  if (!results->is_array()) return Bad("results", "expected a list");
  if (results->size() != n) {
    return Bad("results", "expected " + std::to_string(n) + " (one per task), got " +
                              std::to_string(results->size()));
  }
  std::string top_version;
  if (body.is_object() && body.contains("model_version") && body["model_version"].is_string()) {
    top_version = body["model_version"].get<std::string>();
  }
  std::vector<TaskPrediction> out(n);
  for (size_t i = 0; i < n; ++i) {
    const json& r = (*results)[i];
    TaskPrediction& p = out[i];
    const std::string where = "results[" + std::to_string(i) + "]";
    if (!r.is_object()) return Bad(where, "expected an object");
    p.model_version = top_version;
    if (auto mv = r.find("model_version"); mv != r.end() && mv->is_string()) {
      p.model_version = mv->get<std::string>();
    }
    if (auto s = r.find("score"); s != r.end() && !s->is_null()) {
      if (s->is_number()) {
        p.score = s->get<double>();
      } else if (s->is_string()) {
        const std::string text = s->get<std::string>();
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size()) return Bad(where + ".score", "not a number");
        p.score = v;
      } else {
        return Bad(where + ".score", "not a number");
      }
    }
    auto res = r.find("result");
    if (res == r.end() || !res->is_array()) return Bad(where + ".result", "expected a list");
    p.problem = "no choices result";
    for (const json& region : *res) {
      // Not region.value("type", ""): it throws when "type" is there but not a string.
      const auto type = region.is_object() ? region.find("type") : region.end();
      if (!region.is_object() || type == region.end() || !type->is_string() ||
          type->get<std::string>() != "choices") {
        continue;
      }
      auto v = region.find("value");
      if (v == region.end() || !v->is_object() || !v->contains("choices") ||
          !(*v)["choices"].is_array() || (*v)["choices"].empty() ||
          !(*v)["choices"][0].is_string()) {
        p.problem = "choices result without a choice";
        break;
      }
      const std::string name = (*v)["choices"][0].get<std::string>();
      for (size_t c = 0; c < labels.size(); ++c) {
        if (labels[c] == name) p.label = static_cast<int>(c);
      }
      p.problem = p.label < 0 ? "label '" + name + "' is not in the project" : "";
      break;
    }
  }
  return out;
}

Result<std::optional<BackendSettings>> LoadBackendSettings(const std::string& config_json) {
  json root = json::parse(config_json.empty() ? "{}" : config_json, nullptr, false);
  if (root.is_discarded() || !root.is_object()) return std::optional<BackendSettings>();
  auto it = root.find("ml_backend");
  if (it == root.end() || it->is_null()) return std::optional<BackendSettings>();
  const json& b = *it;
  if (!b.is_object()) return InvalidArgument("config: ml_backend: expected an object");
  BackendSettings s;
  auto str = [&](const char* key, std::string* out) -> Status {
    if (!b.contains(key)) return Status::Ok();
    if (!b[key].is_string()) return InvalidArgument(std::string("config: ml_backend.") + key + ": expected a string");
    *out = b[key].get<std::string>();
    return Status::Ok();
  };
  auto num = [&](const char* key, int64_t lo, int64_t hi, int64_t* out) -> Status {
    if (!b.contains(key)) return Status::Ok();
    if (!b[key].is_number_integer() || b[key].get<int64_t>() < lo || b[key].get<int64_t>() > hi) {
      return InvalidArgument(std::string("config: ml_backend.") + key + ": expected an integer in [" +
                             std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    *out = b[key].get<int64_t>();
    return Status::Ok();
  };
  RETURN_IF_ERROR(str("name", &s.name));
  RETURN_IF_ERROR(str("url", &s.url));
  RETURN_IF_ERROR(str("auth_user", &s.auth_user));
  RETURN_IF_ERROR(str("auth_pass", &s.auth_pass));
  if (s.url.empty()) return InvalidArgument("config: ml_backend.url: missing");
  if (b.contains("allow_outbound")) {
    if (!b["allow_outbound"].is_array()) return InvalidArgument("config: ml_backend.allow_outbound: expected a list");
    for (const json& e : b["allow_outbound"]) {
      if (!e.is_string()) return InvalidArgument("config: ml_backend.allow_outbound: expected strings");
      s.allow_outbound.push_back(e.get<std::string>());
    }
  }
  int64_t retries = s.retries, batch = s.batch;
  RETURN_IF_ERROR(num("connect_timeout_ms", 1, 600000, &s.connect_timeout_ms));
  RETURN_IF_ERROR(num("predict_timeout_ms", 1, 3600000, &s.predict_timeout_ms));
  RETURN_IF_ERROR(num("health_timeout_ms", 1, 600000, &s.health_timeout_ms));
  RETURN_IF_ERROR(num("setup_timeout_ms", 1, 600000, &s.setup_timeout_ms));
  RETURN_IF_ERROR(num("retries", 0, 10, &retries));
  RETURN_IF_ERROR(num("batch", 1, 10000, &batch));
  s.retries = static_cast<int>(retries);
  s.batch = static_cast<int>(batch);
  return std::optional<BackendSettings>(std::move(s));
}

std::string WithBackendSettings(const std::string& config_json,
                                const std::optional<BackendSettings>& s) {
  json root = json::parse(config_json.empty() ? "{}" : config_json, nullptr, false);
  if (root.is_discarded() || !root.is_object()) root = json::object();
  if (!s) {
    root.erase("ml_backend");
    return root.dump();
  }
  json b = {{"name", s->name},
            {"url", s->url},
            {"allow_outbound", s->allow_outbound},
            {"connect_timeout_ms", s->connect_timeout_ms},
            {"predict_timeout_ms", s->predict_timeout_ms},
            {"health_timeout_ms", s->health_timeout_ms},
            {"setup_timeout_ms", s->setup_timeout_ms},
            {"retries", s->retries},
            {"batch", s->batch}};
  if (!s->auth_user.empty()) b["auth_user"] = s->auth_user;
  if (!s->auth_pass.empty()) b["auth_pass"] = s->auth_pass;
  root["ml_backend"] = std::move(b);
  return root.dump();
}

}  // namespace hitloop::mlbackend
