#include "io/format.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ids.h"
#include "io/csv.h"
#include "io/json_limits.h"

namespace hitloop::io {

using nlohmann::json;

// ---- registry ----

const std::vector<const FormatSpec*>& AllFormats() {
  static const std::vector<const FormatSpec*> kAll = {
#define HITLOOP_FORMAT(var) &var,
#include "io/formats.def"
#undef HITLOOP_FORMAT
  };
  return kAll;
}

std::string FormatNames() {
  std::string out;
  for (const FormatSpec* f : AllFormats()) {
    if (!out.empty()) out += ", ";
    out += f->name;
  }
  return out;
}

Result<const FormatSpec*> FindFormat(std::string_view name) {
  if (name == "ndjson") name = "jsonl";
  if (name == "labelstudio") name = "label-studio";
  for (const FormatSpec* f : AllFormats()) {
    if (name == f->name) return f;
  }
  return InvalidArgument("--format: unknown format '" + std::string(name) + "' (expected auto, " + FormatNames() + ")");
}

// ---- sniffing ----

bool SniffSample::HasKey(const char* key) const { return first != nullptr && first->contains(key); }
bool SniffSample::HasColumn(const char* name) const {
  for (const auto& h : header) {
    if (h == name) return true;
  }
  return false;
}
bool SniffSample::ExtensionIs(const char* ext) const {
  std::string e(ext);
  return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
}

namespace {

// The first JSON value of `text` starting at `pos` (an object or array), by bracket counting;
// empty when it does not end inside `text`.
std::string_view FirstValue(std::string_view text, size_t pos) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = pos; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return text.substr(pos, i + 1 - pos);
    }
  }
  return {};
}

json ParseBounded(std::string_view text) {
  if (text.empty() || !CheckJsonDepth(text).ok()) return json();
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json() : j;
}

struct Sampled {
  SniffSample sample;
  json first;
};

Status Sample(const std::string& path, Sampled* out) {
  out->sample.path = path;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return IoError(path + ": cannot open");
  std::string head(64 * 1024, '\0');
  size_t n = std::fread(head.data(), 1, head.size(), f);
  std::fclose(f);
  head.resize(n);
  std::string_view h = head;
  if (h.rfind("\xEF\xBB\xBF", 0) == 0) h.remove_prefix(3);
  size_t p = h.find_first_not_of(" \t\r\n");
  SniffSample& s = out->sample;
  if (p == std::string_view::npos) {
    s.shape = SniffSample::kEmpty;
    return Status::Ok();
  }
  if (h[p] == '[') {
    s.shape = SniffSample::kJsonArray;
    size_t q = h.find_first_not_of(" \t\r\n", p + 1);
    if (q != std::string_view::npos && h[q] == '{') out->first = ParseBounded(FirstValue(h, q));
  } else if (h[p] == '{') {
    // One object (a Label Studio task file) or JSON lines: look at what follows the first value.
    std::string_view v = FirstValue(h, p);
    out->first = ParseBounded(v);
    size_t after = v.empty() ? std::string_view::npos : h.find_first_not_of(" \t\r", p + v.size());
    if (!v.empty() && (after == std::string_view::npos || (h[after] == '\n' && h.find_first_not_of(" \t\r\n", after) == std::string_view::npos))) {
      s.shape = SniffSample::kJsonObject;
    } else {
      s.shape = SniffSample::kJsonLines;
    }
    // A single-line file holding one object is JSON lines when its name says so.
    if (s.shape == SniffSample::kJsonObject && (s.ExtensionIs(".jsonl") || s.ExtensionIs(".ndjson"))) {
      s.shape = SniffSample::kJsonLines;
    }
  } else {
    size_t nl = h.find('\n', p);
    std::string_view line = h.substr(p, nl == std::string_view::npos ? std::string_view::npos : nl - p);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find(',') != std::string_view::npos || s.ExtensionIs(".csv")) {
      s.shape = SniffSample::kDelimited;
      // Header cells (quotes removed; headers do not span lines in practice).
      std::string cur;
      bool q = false;
      for (char c : line) {
        if (c == '"') q = !q;
        else if (c == ',' && !q) { s.header.push_back(cur); cur.clear(); }
        else cur += c;
      }
      s.header.push_back(cur);
    }
  }
  if (out->first.is_object()) s.first = &out->first;
  return Status::Ok();
}

const char* ShapeName(SniffSample::Shape s) {
  switch (s) {
    case SniffSample::kEmpty: return "an empty file";
    case SniffSample::kJsonArray: return "a JSON array";
    case SniffSample::kJsonObject: return "one JSON object";
    case SniffSample::kJsonLines: return "JSON lines";
    case SniffSample::kDelimited: return "CSV";
    case SniffSample::kUnknown: break;
  }
  return "an unknown format";
}

// The best format for a sample and its score.
std::pair<const FormatSpec*, int> Best(const SniffSample& s) {
  const FormatSpec* best = nullptr;
  int score = 0;
  for (const FormatSpec* f : AllFormats()) {
    if (f->sniff == nullptr || f->read == nullptr) continue;
    int sc = f->sniff(s);
    if (sc > score) { best = f; score = sc; }
  }
  return {best, score};
}

}  // namespace

Result<const FormatSpec*> SniffFormat(const std::string& path, std::string* why) {
  Sampled sm;
  RETURN_IF_ERROR(Sample(path, &sm));
  if (sm.sample.shape == SniffSample::kEmpty) {
    if (why) *why = "empty file";
    return &kJsonlFormat;
  }
  auto [best, score] = Best(sm.sample);
  if (best == nullptr) {
    // Nothing recognisable (say, a broken first record): the name decides, and the reader then
    // reports the bad record with its line.
    for (const FormatSpec* f : {&kJsonlFormat, &kCsvFormat, &kLabelStudioFormat}) {
      const char* ext = f == &kLabelStudioFormat ? ".json" : f->extension;
      if (sm.sample.ExtensionIs(ext) || (f == &kJsonlFormat && sm.sample.ExtensionIs(".ndjson"))) {
        if (why) *why = std::string("by the file name; the content looks like ") + ShapeName(sm.sample.shape);
        return f;
      }
    }
    return InvalidArgument(path + ": cannot tell the format (it looks like " + ShapeName(sm.sample.shape) +
                           "); pass --format " + FormatNames());
  }
  if (why) *why = std::string(ShapeName(sm.sample.shape)) + (sm.sample.first ? " of records with the fields " : "");
  if (why && sm.sample.first) {
    std::string keys;
    int n = 0;
    for (auto it = sm.first.begin(); it != sm.first.end() && n < 6; ++it, ++n) keys += (n ? ", " : "") + it.key();
    *why += keys;
  } else if (why && !sm.sample.header.empty()) {
    *why += " with the columns ";
    for (size_t i = 0; i < sm.sample.header.size() && i < 6; ++i) *why += (i ? ", " : "") + sm.sample.header[i];
  }
  return best;
}

Status CheckFormatMatches(const FormatSpec& chosen, const std::string& path) {
  Sampled sm;
  if (!Sample(path, &sm).ok() || sm.sample.shape == SniffSample::kEmpty) return Status::Ok();  // the reader reports it
  const int mine = chosen.sniff ? chosen.sniff(sm.sample) : 100;
  auto [best, score] = Best(sm.sample);
  // Refused when the file cannot be this format, or clearly is another one (a Prodigy file read
  // as hitloop JSONL would lose every answer).
  if ((mine == 0 || (score >= 90 && mine < 50)) && best != nullptr && best != &chosen) {
    return InvalidArgument(path + ": looks like " + best->name + " (" + ShapeName(sm.sample.shape) + "), not " +
                           chosen.name + ": pass --format " + best->name + " or --format auto");
  }
  return Status::Ok();  // otherwise the reader says what is wrong, record by record
}

// ---- settings and notes ----

IoSettings LoadIoSettings(const Project& project) {
  IoSettings s;
  json root = json::parse(project.config_json, nullptr, false);
  if (!root.is_object()) return s;
  auto io = root.find("io");
  if (io == root.end() || !io->is_object()) return s;
  auto str = [&](const char* k, std::string* out) {
    if (auto it = io->find(k); it != io->end() && it->is_string()) *out = it->get<std::string>();
  };
  str("text_field", &s.text_field);
  str("label_studio_from_name", &s.ls_from_name);
  str("label_studio_to_name", &s.ls_to_name);
  return s;
}

std::string WithIoSettings(const std::string& config_json, const IoSettings& s) {
  json root = json::parse(config_json.empty() ? "{}" : config_json, nullptr, false);
  if (!root.is_object()) root = json::object();
  json io = json::object();
  if (!s.text_field.empty()) io["text_field"] = s.text_field;
  if (!s.ls_from_name.empty()) io["label_studio_from_name"] = s.ls_from_name;
  if (!s.ls_to_name.empty()) io["label_studio_to_name"] = s.ls_to_name;
  if (io.empty()) root.erase("io");
  else root["io"] = io;
  return root.dump();
}

void LossNotes::Add(const std::string& cause, int64_t n) {
  auto [it, fresh] = counts_.emplace(cause, 0);
  if (fresh) order_.push_back(cause);
  it->second += n;
}

std::vector<std::string> LossNotes::Lines() const {
  std::vector<std::string> out;
  for (const auto& c : order_) out.push_back(std::to_string(counts_.at(c)) + " " + c);
  return out;
}

// ---- shared helpers ----

bool LooksLikeUrl(std::string_view s) {
  if (s.rfind("data:", 0) == 0 || s.rfind("/data/", 0) == 0) return true;
  size_t i = 0;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' || s[i] == '.' || s[i] == '-')) ++i;
  return i > 0 && i < 16 && s.substr(i, 3) == "://" && s.find_first_of(" \t\n") == std::string_view::npos;
}

Result<std::string> PickTextField(const json& fields, const std::string& configured, std::string_view what) {
  const std::string w(what);
  if (!fields.is_object()) return InvalidArgument(w + ": must be a JSON object");
  if (!configured.empty()) {
    auto it = fields.find(configured);
    if (it == fields.end()) return InvalidArgument(w + "." + configured + ": missing (the project's text field)");
    if (!it->is_string()) return InvalidArgument(w + "." + configured + ": must be a string (the project's text field)");
    return configured;
  }
  if (auto it = fields.find("text"); it != fields.end()) {
    if (!it->is_string()) return InvalidArgument(w + ".text: must be a string");
    return std::string("text");
  }
  std::vector<std::string> texts, urls;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (!it->is_string()) continue;
    (LooksLikeUrl(it->get_ref<const std::string&>()) ? urls : texts).push_back(it.key());
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& k : v) out += (out.empty() ? "" : ", ") + k;
    return out;
  };
  if (texts.size() == 1) return texts[0];
  if (texts.size() > 1) {
    return InvalidArgument(w + ": several text fields (" + list(texts) + ") and none is named 'text': pass --text-field NAME");
  }
  if (!urls.empty()) {
    return InvalidArgument(w + ": no text, only URLs (" + list(urls) +
                           "): hitloop labels text; pass --text-field NAME if one of them is the text");
  }
  return InvalidArgument(w + ": no text field");
}

std::string ContentId(std::string_view text, std::string_view extra) {
  std::string bytes(text);
  if (!extra.empty()) {
    bytes.push_back('\0');
    bytes.append(extra);
  }
  return "h" + ContentHash(bytes).substr(0, 16);
}

std::string StrField(const json& obj, const char* key, const std::string& fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool BoolField(const json& obj, const char* key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::string IdString(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  return "";
}

Status WriteOut(WriteContext& ctx, std::string_view bytes) {
  ctx.out->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return *ctx.out ? Status::Ok() : IoError("export: write failed");
}

}  // namespace hitloop::io
