#include "io/preference_jsonl.h"

#include <cstdio>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "io/line_reader.h"
#include "io/record.h"

namespace hitloop::io {
namespace {
using nlohmann::json;
using preference::Answer;
using preference::Judgement;
using preference::Message;
using preference::PreferenceItem;
using preference::Response;

Status BadField(const std::string& field, const std::string& why) { return InvalidArgument(field + ": " + why); }

// Prefixes a nested error with the field it came from ("responses[1]: text: missing").
Status Within(const std::string& field, const Status& st) {
  return st.ok() ? st : Status(st.code(), field + ": " + st.message());
}

// A response reference inside a ranking: an index, a response id, or a letter A..I.
Result<int> ResponseRef(const json& v, const PreferenceItem& item) {
  const int n = static_cast<int>(item.responses.size());
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i < 0 || i >= n) return InvalidArgument("response index " + std::to_string(i) + " out of range");
    return static_cast<int>(i);
  }
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    for (int i = 0; i < n; ++i) {
      if (!item.responses[i].id.empty() && item.responses[i].id == s) return i;
    }
    if (s.size() == 1 && s[0] >= 'A' && s[0] < 'A' + n) return s[0] - 'A';
    return InvalidArgument("no response with id '" + s + "'");
  }
  return InvalidArgument("expected a response index, id or letter");
}

// One judgement from a "preference" string or a "ranking" array.
Status ParseJudgement(const json& v, bool is_ranking, const PreferenceItem& item, Judgement* j) {
  const int n = static_cast<int>(item.responses.size());
  if (is_ranking) {
    if (!v.is_array() || v.empty()) return InvalidArgument("expected a list of responses, best first");
    std::set<int> seen;
    for (const json& g : v) {
      std::vector<int> group;
      const json members = g.is_array() ? g : json::array({g});
      if (members.empty()) return InvalidArgument("empty tie group");
      for (const json& m : members) {
        ASSIGN_OR_RETURN(int r, ResponseRef(m, item));
        if (!seen.insert(r).second) return InvalidArgument("response " + std::to_string(r) + " ranked twice");
        group.push_back(r);
      }
      j->order.push_back(std::move(group));
    }
    if (static_cast<int>(seen.size()) != n) {
      return InvalidArgument("ranks " + std::to_string(seen.size()) + " of the " + std::to_string(n) + " responses");
    }
    return Status::Ok();
  }
  if (v.is_number_integer()) {  // index of the preferred response (pairs only)
    ASSIGN_OR_RETURN(int r, ResponseRef(v, item));
    if (n != 2) return InvalidArgument("a winner index needs exactly two responses (use \"ranking\")");
    j->order = {{r}, {1 - r}};
    return Status::Ok();
  }
  if (!v.is_string()) return InvalidArgument("expected \"A\", \"B\", \"tie\", \"both-bad\" or an order like \"B>A\"");
  std::string s = v.get<std::string>();
  if (s == "a" || s == "left") s = "A";
  if (s == "b" || s == "right") s = "B";
  if (n == 2 && s == "A") s = "A>B";
  if (n == 2 && s == "B") s = "B>A";
  if (s == "tie") {
    j->order.emplace_back();
    for (int i = 0; i < n; ++i) j->order.back().push_back(i);
    return Status::Ok();
  }
  if (s == "both-bad" || s == "both_bad" || s == "bad") {
    j->both_bad = true;
    return Status::Ok();
  }
  auto decoded = preference::DecodeAnswer({s}, n);
  if (!decoded.ok()) return decoded.status();
  const Judgement& d = decoded->judgements[0];
  if (!d.criterion.empty()) return InvalidArgument("'" + s + "': name the criterion under \"criteria\"");
  j->order = d.order;
  j->both_bad = d.both_bad;
  j->strength = d.strength;
  return Status::Ok();
}

// The answers of one answer object (the record itself, or an element of "answers").
Status ParseAnswerObject(const json& o, const Project& project, const PreferenceItem& item,
                         PreferenceRecord* out, bool required) {
  const bool has_pref = o.contains("preference"), has_rank = o.contains("ranking"), has_crit = o.contains("criteria");
  if (!has_pref && !has_rank && !has_crit) {
    if (required) return InvalidArgument("expected \"preference\", \"ranking\" or \"criteria\"");
    return Status::Ok();
  }
  if (has_pref + has_rank + has_crit > 1) return InvalidArgument("give one of \"preference\", \"ranking\", \"criteria\"");
  PreferenceRecord::LabeledAnswer la;
  la.annotator = "import";
  if (auto a = o.find("annotator"); a != o.end()) {
    if (!a->is_string() || a->get<std::string>().empty()) return BadField("annotator", "expected a non-empty string");
    la.annotator = a->get<std::string>();
  }
  preference::Strength strength = preference::Strength::kUnknown;
  if (auto s = o.find("strength"); s != o.end()) {
    if (!s->is_string()) return BadField("strength", "expected slightly, clearly or much");
    auto parsed = preference::ParseStrength(s->get<std::string>());
    if (!parsed.ok()) return BadField("strength", parsed.status().message());
    strength = *parsed;
  }
  if (has_crit) {
    const json& c = o["criteria"];
    if (!c.is_object() || c.empty()) return BadField("criteria", "expected {\"criterion\": answer, ...}");
    for (const auto& [name, v] : c.items()) {
      if (project.LabelIndex(name) < 0) return BadField("criteria." + name, "not a criterion of this project");
      Judgement j;
      j.criterion = name;
      RETURN_IF_ERROR(Within("criteria." + name, ParseJudgement(v, v.is_array(), item, &j)));
      if (j.strength == preference::Strength::kUnknown) j.strength = strength;
      la.answer.judgements.push_back(std::move(j));
    }
  } else {
    Judgement j;
    RETURN_IF_ERROR(Within(has_rank ? "ranking" : "preference",
                           ParseJudgement(has_rank ? o["ranking"] : o["preference"], has_rank, item, &j)));
    if (j.strength == preference::Strength::kUnknown) j.strength = strength;
    la.answer.judgements.push_back(std::move(j));
  }
  if (auto shown = o.find("shown"); shown != o.end()) {
    if (!shown->is_array() || shown->size() != item.responses.size()) {
      return BadField("shown", "expected the display order of every response");
    }
    std::set<int> seen;
    for (const json& v : *shown) {
      auto r = ResponseRef(v, item);
      if (!r.ok()) return BadField("shown", r.status().message());
      if (!seen.insert(*r).second) return BadField("shown", "a response shown twice");
      la.answer.shown.push_back(*r);
    }
  }
  out->answers.push_back(std::move(la));
  return Status::Ok();
}

// A TRL completion: text, or a message list whose (assistant) contents are joined.
Status CompletionText(const json& v, const std::string& field, std::string* out, bool* conversational) {
  if (v.is_string()) {
    *out = v.get<std::string>();
    *conversational = false;
  } else {
    std::vector<Message> msgs;
    RETURN_IF_ERROR(preference::ParseMessages(v, field, &msgs));
    out->clear();
    for (const Message& m : msgs) {
      if (!out->empty()) out->append("\n\n");
      out->append(m.content);
    }
    *conversational = true;
  }
  return Status::Ok();
}

// TRL's implicit prompt: the shared beginning of chosen and rejected is the prompt.
Status SplitImplicit(const json& chosen, const json& rejected, PreferenceRecord* out) {
  PreferenceItem& item = out->item;
  if (chosen.is_string() != rejected.is_string()) return BadField("rejected", "must have the same shape as chosen");
  if (chosen.is_string()) {
    const std::string c = chosen.get<std::string>(), r = rejected.get<std::string>();
    auto hc = preference::ParseHhDialogue(c);
    auto hr = preference::ParseHhDialogue(r);
    if (hc.ok() && hr.ok() && hc->size() >= 2 && hr->size() >= 2 && hc->back().role == "assistant" &&
        hr->back().role == "assistant") {
      // HH-RLHF: compare the last assistant turns; the dialogue before them is the prompt.
      std::vector<Message> prefix_c(hc->begin(), hc->end() - 1), prefix_r(hr->begin(), hr->end() - 1);
      out->prompt_differs = prefix_c.size() != prefix_r.size();
      for (size_t i = 0; !out->prompt_differs && i < prefix_c.size(); ++i) {
        out->prompt_differs = prefix_c[i].role != prefix_r[i].role || prefix_c[i].content != prefix_r[i].content;
      }
      item.messages = std::move(prefix_c);
      item.responses = {{"", hc->back().content, ""}, {"", hr->back().content, ""}};
      out->shape = PreferenceRecord::kHh;
    } else {
      // Longest common prefix (TRL's extract_prompt), not cutting a UTF-8 sequence.
      size_t k = 0;
      while (k < c.size() && k < r.size() && c[k] == r[k]) ++k;
      while (k > 0 && k < c.size() && (static_cast<unsigned char>(c[k]) & 0xC0) == 0x80) --k;
      if (k > 0 && c[k - 1] == ' ') --k;
      item.prompt = c.substr(0, k);
      item.responses = {{"", c.substr(k), ""}, {"", r.substr(k), ""}};
    }
  } else {
    std::vector<Message> mc, mr;
    RETURN_IF_ERROR(preference::ParseMessages(chosen, "chosen", &mc));
    RETURN_IF_ERROR(preference::ParseMessages(rejected, "rejected", &mr));
    size_t k = 0;
    while (k + 1 < mc.size() && k + 1 < mr.size() && mc[k].role == mr[k].role && mc[k].content == mr[k].content) ++k;
    if (k == 0) return BadField("chosen", "no shared dialogue before the compared turn (give \"prompt\")");
    item.messages.assign(mc.begin(), mc.begin() + static_cast<std::ptrdiff_t>(k));
    std::string tc, tr;
    for (size_t i = k; i < mc.size(); ++i) tc += (tc.empty() ? "" : "\n\n") + mc[i].content;
    for (size_t i = k; i < mr.size(); ++i) tr += (tr.empty() ? "" : "\n\n") + mr[i].content;
    item.responses = {{"", tc, ""}, {"", tr, ""}};
  }
  // An empty last turn is a real answer (HH-RLHF prefers saying nothing now and then), but two
  // identical sides compare nothing.
  if (item.responses[0].text == item.responses[1].text) {
    return BadField("chosen", "nothing after the shared prompt differs from rejected");
  }
  return Status::Ok();
}

std::string ContentId(const PreferenceItem& item) {
  std::string bytes = preference::PromptText(item);
  for (const Response& r : item.responses) {
    bytes.push_back('\0');
    bytes += r.text;
  }
  char buf[20];
  std::snprintf(buf, sizeof(buf), "h%016llx", static_cast<unsigned long long>(Hash64(bytes)));
  return buf;
}

}  // namespace

bool IsPreferenceProject(const Project& project) { return IsPreferenceType(project.type); }

Status ParsePreferenceRecord(std::string_view line, const Project& project, PreferenceRecord* out) {
  *out = PreferenceRecord{};
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return BadField("record", "not valid JSON");
  if (!j.is_object()) return BadField("record", "expected a JSON object");
  PreferenceItem& item = out->item;
  if (j.contains("responses")) {
    if (!j.contains("prompt")) return BadField("prompt", "missing");
    RETURN_IF_ERROR(preference::ParsePrompt(j["prompt"], &item));
    const json& rs = j["responses"];
    if (!rs.is_array()) return BadField("responses", "expected a list");
    for (size_t i = 0; i < rs.size(); ++i) {
      Response r;
      RETURN_IF_ERROR(Within("responses[" + std::to_string(i) + "]", preference::ParseResponse(rs[i], &r)));
      if (r.text.empty()) return BadField("responses[" + std::to_string(i) + "]", "text: empty");
      for (const Response& other : item.responses) {
        if (!r.id.empty() && other.id == r.id) return BadField("responses[" + std::to_string(i) + "].id", "'" + r.id + "' repeated");
      }
      item.responses.push_back(std::move(r));
    }
  } else if (j.contains("chosen") && j.contains("rejected")) {
    if (j.contains("prompt")) {
      RETURN_IF_ERROR(preference::ParsePrompt(j["prompt"], &item));
      std::string c, r;
      bool cc = false, rc = false;
      RETURN_IF_ERROR(CompletionText(j["chosen"], "chosen", &c, &cc));
      RETURN_IF_ERROR(CompletionText(j["rejected"], "rejected", &r, &rc));
      if (cc != rc) return BadField("rejected", "must have the same shape as chosen");
      item.responses = {{"", c, ""}, {"", r, ""}};
      out->shape = PreferenceRecord::kTrlExplicit;
    } else {
      out->shape = PreferenceRecord::kTrlImplicit;  // SplitImplicit makes it kHh for dialogues
      RETURN_IF_ERROR(SplitImplicit(j["chosen"], j["rejected"], out));
    }
    PreferenceRecord::LabeledAnswer la;
    la.annotator = "import";
    if (auto a = j.find("annotator"); a != j.end()) {
      if (!a->is_string() || a->get<std::string>().empty()) return BadField("annotator", "expected a non-empty string");
      la.annotator = a->get<std::string>();
    }
    Judgement jd;
    jd.order = {{0}, {1}};
    la.answer.judgements.push_back(jd);
    out->answers.push_back(std::move(la));
  } else {
    return BadField("record", "expected \"prompt\" and \"responses\", or \"chosen\" and \"rejected\"");
  }
  const int n = static_cast<int>(item.responses.size());
  if (project.type == TaskType::kPairwisePreference && n != 2) {
    return BadField("responses", "a pairwise project compares exactly 2 responses, got " + std::to_string(n));
  }
  if (n < preference::kMinResponses || n > preference::kMaxResponses) {
    return BadField("responses", "expected 2 to 9 responses, got " + std::to_string(n));
  }
  for (const Response& r : item.responses) {
    if (!IsValidUtf8(r.text)) return BadField("responses", "not valid UTF-8");
  }
  if (!IsValidUtf8(preference::PromptText(item))) return BadField("prompt", "not valid UTF-8");
  if (j.contains("responses")) {
    RETURN_IF_ERROR(ParseAnswerObject(j, project, item, out, false));
    if (auto answers = j.find("answers"); answers != j.end()) {
      if (!answers->is_array()) return BadField("answers", "expected a list");
      for (size_t i = 0; i < answers->size(); ++i) {
        if (!(*answers)[i].is_object()) return BadField("answers[" + std::to_string(i) + "]", "expected an object");
        RETURN_IF_ERROR(Within("answers[" + std::to_string(i) + "]",
                               ParseAnswerObject((*answers)[i], project, item, out, true)));
      }
    }
  }
  if (auto id = j.find("id"); id != j.end() && !id->is_null()) {
    if (id->is_string()) out->id = id->get<std::string>();
    else if (id->is_number_integer()) out->id = std::to_string(id->get<int64_t>());
    else return BadField("id", "must be a string or an integer");
    if (out->id.empty()) return BadField("id", "empty");
    if (out->id.size() > 512) return BadField("id", "longer than 512 bytes");
  } else {
    out->id = ContentId(item);
    out->content_id = true;
  }
  if (auto meta = j.find("meta"); meta != j.end()) {
    if (!meta->is_object()) return BadField("meta", "expected a JSON object");
    if (meta->contains("prompt") || meta->contains("responses")) {
      return BadField("meta", "\"prompt\" and \"responses\" are reserved keys");
    }
    out->meta_json = meta->dump();
  }
  if (out->prompt_differs) {
    json m = json::parse(out->meta_json);
    m["prompt_differs"] = true;
    out->meta_json = m.dump();
  }
  if (auto split = j.find("split"); split != j.end()) {
    if (!split->is_string() || (*split != "pool" && *split != "gold")) return BadField("split", "expected pool or gold");
    out->split = split->get<std::string>();
  }
  return Status::Ok();
}

bool HandlesPreferences(const FormatSpec& format) {
  return &format == &kJsonlFormat || &format == &kTrlFormat || &format == &kTrlKtoFormat || &format == &kHhFormat;
}

Status ReadPreferenceRecords(ReadContext& ctx, PreferenceShapes accepted, const char* format_name) {
  const Project& project = *ctx.project;
  if (!IsPreferenceProject(project)) {
    return FailedPrecondition("--format " + std::string(format_name) + ": reads preference pairs, for a pairwise or " +
                              "ranking project; '" + project.name + "' is " + TaskTypeName(project.type));
  }
  const RecordLimits& limits = ctx.options->limits;
  LineReader reader;
  RETURN_IF_ERROR(reader.Open(ctx.path, limits.max_line_bytes));
  std::string_view line;
  bool too_long = false;
  PreferenceRecord pr;
  Record rec;
  int64_t n = 0;
  // One line into `rec`, or why it is bad ("field: reason").
  auto parse = [&]() -> Status {
    if (too_long) return BadField("record", "longer than " + std::to_string(limits.max_line_bytes) + " bytes");
    if (!IsValidUtf8(line)) return BadField("record", "not valid UTF-8");
    RETURN_IF_ERROR(ParsePreferenceRecord(line, project, &pr));
    if (accepted == PreferenceShapes::kTrl && pr.shape == PreferenceRecord::kOwn) {
      return BadField("record", "not a TRL pair (expected \"chosen\" and \"rejected\"); --format jsonl reads "
                             "hitloop's own records");
    }
    if (accepted == PreferenceShapes::kHh && pr.shape != PreferenceRecord::kHh) {
      return BadField("record", "not an HH-RLHF pair (expected \"chosen\" and \"rejected\" dialogues of "
                             "\"\\n\\nHuman:\" and \"\\n\\nAssistant:\" turns); --format trl or jsonl reads other pairs");
    }
    rec.id = pr.id;
    rec.id_generated = pr.content_id;
    rec.merge_repeats = pr.content_id;  // the same pair again in this file: one more answer on it
    rec.text = preference::PromptText(pr.item);
    ASSIGN_OR_RETURN(rec.meta_json, preference::ToMetaJson(pr.item, pr.meta_json));
    rec.split = pr.split;
    for (const auto& la : pr.answers) {
      rec.earlier_answers.push_back({preference::EncodeAnswer(la.answer), "human", la.annotator, std::nullopt});
    }
    return Status::Ok();
  };
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&line, &too_long));
    if (!more) break;
    if (!too_long && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    rec = Record{};
    Status st = parse();
    RETURN_IF_ERROR(ctx.emit(reader.line_number(), "", st, rec, too_long ? std::string_view("<too long>") : line));
    if (ctx.progress && (++n & 0xfff) == 0) ctx.progress(reader.bytes_read(), reader.total_bytes());
  }
  if (ctx.progress) ctx.progress(reader.bytes_read(), reader.total_bytes());
  return Status::Ok();
}

}  // namespace hitloop::io
