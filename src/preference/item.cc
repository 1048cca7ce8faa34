#include "preference/item.h"

#include <nlohmann/json.hpp>

namespace hitloop::preference {
namespace {
using nlohmann::json;

std::string RoleTitle(std::string_view role) {
  if (role == "user") return "User";
  if (role == "assistant") return "Assistant";
  if (role == "system") return "System";
  std::string s(role);
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}
}  // namespace

std::string PromptText(const PreferenceItem& item) {
  if (!item.conversational()) return item.prompt;
  std::string out;
  for (const Message& m : item.messages) {
    if (!out.empty()) out += "\n\n";
    out += RoleTitle(m.role) + ": " + m.content;
  }
  return out;
}

std::string_view LastUserTurn(const PreferenceItem& item) {
  if (!item.conversational()) return item.prompt;
  for (auto it = item.messages.rbegin(); it != item.messages.rend(); ++it) {
    if (it->role == "user") return it->content;
  }
  return item.messages.back().content;
}

Status ParseMessages(const json& j, std::string_view field, std::vector<Message>* out) {
  out->clear();
  if (!j.is_array() || j.empty()) return InvalidArgument(std::string(field) + ": expected a non-empty list of messages");
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    const json& m = j[i];
    if (!m.is_object()) return InvalidArgument(at + ": expected {\"role\", \"content\"}");
    auto role = m.find("role");
    auto content = m.find("content");
    if (role == m.end() || !role->is_string() || role->get<std::string>().empty()) {
      return InvalidArgument(at + ".role: missing or not a string");
    }
    if (content == m.end() || !content->is_string()) return InvalidArgument(at + ".content: missing or not a string");
    out->push_back({role->get<std::string>(), content->get<std::string>()});
  }
  return Status::Ok();
}

Status ParsePrompt(const json& prompt, PreferenceItem* out) {
  out->prompt.clear();
  out->messages.clear();
  if (prompt.is_string()) {
    out->prompt = prompt.get<std::string>();
    return Status::Ok();
  }
  if (prompt.is_array()) return ParseMessages(prompt, "prompt", &out->messages);
  return InvalidArgument("prompt: expected a string or a list of {role, content} messages");
}

Status ParseResponse(const json& r, Response* out) {
  *out = Response{};
  if (r.is_string()) {
    out->text = r.get<std::string>();
  } else if (r.is_object()) {
    auto text = r.find("text");
    if (text == r.end() || !text->is_string()) return InvalidArgument("text: missing or not a string");
    out->text = text->get<std::string>();
    if (auto id = r.find("id"); id != r.end()) {
      if (id->is_string()) out->id = id->get<std::string>();
      else if (id->is_number_integer()) out->id = std::to_string(id->get<int64_t>());
      else return InvalidArgument("id: expected a string or an integer");
    }
    if (auto model = r.find("model"); model != r.end()) {
      if (!model->is_string()) return InvalidArgument("model: expected a string");
      out->model = model->get<std::string>();
    }
  } else {
    return InvalidArgument("expected a string or {\"text\", \"id\"?, \"model\"?}");
  }
  return Status::Ok();
}

Result<std::string> ToMetaJson(const PreferenceItem& item, std::string_view meta_json) {
  json meta = json::object();
  if (!meta_json.empty()) {
    meta = json::parse(meta_json, nullptr, false);
    if (!meta.is_object()) return InvalidArgument("meta: expected a JSON object");
  }
  if (item.conversational()) {
    json msgs = json::array();
    for (const Message& m : item.messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
    meta["prompt"] = std::move(msgs);
  } else {
    meta["prompt"] = item.prompt;
  }
  json rs = json::array();
  for (const Response& r : item.responses) {
    json o = {{"text", r.text}};
    if (!r.id.empty()) o["id"] = r.id;
    if (!r.model.empty()) o["model"] = r.model;
    rs.push_back(std::move(o));
  }
  meta["responses"] = std::move(rs);
  return meta.dump();
}

Result<PreferenceItem> FromMetaJson(std::string_view meta_json) {
  json meta = json::parse(meta_json, nullptr, false);
  if (!meta.is_object()) return InvalidArgument("meta: not a JSON object");
  PreferenceItem item;
  auto prompt = meta.find("prompt");
  if (prompt == meta.end()) return InvalidArgument("meta.prompt: missing (not a preference item)");
  RETURN_IF_ERROR(ParsePrompt(*prompt, &item));
  auto rs = meta.find("responses");
  if (rs == meta.end() || !rs->is_array()) return InvalidArgument("meta.responses: missing (not a preference item)");
  for (size_t i = 0; i < rs->size(); ++i) {
    Response r;
    Status st = ParseResponse((*rs)[i], &r);
    if (!st.ok()) return InvalidArgument("meta.responses[" + std::to_string(i) + "]: " + st.message());
    item.responses.push_back(std::move(r));
  }
  return item;
}

Result<std::vector<Message>> ParseHhDialogue(std::string_view text) {
  // Turns start at "\n\nHuman:" / "\n\nAssistant:" (the HH-RLHF convention; the first one may
  // also start the text without the blank line).
  static constexpr std::string_view kHuman = "Human:", kAssistant = "Assistant:";
  std::vector<Message> out;
  size_t pos = 0;
  auto next_marker = [&](size_t from, size_t* at, std::string_view* which) {
    size_t best = std::string_view::npos;
    for (std::string_view m : {kHuman, kAssistant}) {
      size_t f = from;
      while ((f = text.find(m, f)) != std::string_view::npos) {
        const bool at_turn = f == 0 || (f >= 2 && text.substr(f - 2, 2) == "\n\n");
        if (at_turn) break;
        f += m.size();
      }
      if (f < best) {
        best = f;
        *which = m;
      }
    }
    *at = best;
    return best != std::string_view::npos;
  };
  size_t at = 0;
  std::string_view which;
  if (!next_marker(0, &at, &which)) {
    return InvalidArgument("no \"Human:\" / \"Assistant:\" turn (expected the HH-RLHF dialogue shape)");
  }
  if (text.substr(0, at).find_first_not_of(" \t\r\n") != std::string_view::npos) {
    return InvalidArgument("text before the first \"Human:\" turn");
  }
  pos = at;
  while (true) {
    const std::string role = which == kHuman ? "user" : "assistant";
    const size_t content_start = pos + which.size();
    size_t next = 0;
    std::string_view next_which;
    const bool more = next_marker(content_start, &next, &next_which);
    size_t end = more ? next : text.size();
    std::string_view content = text.substr(content_start, end - content_start);
    // Trim the single leading space and the blank line before the next turn.
    while (!content.empty() && (content.front() == ' ')) content.remove_prefix(1);
    while (!content.empty() && (content.back() == '\n' || content.back() == ' ')) content.remove_suffix(1);
    out.push_back({role, std::string(content)});
    if (!more) break;
    pos = next;
    which = next_which;
  }
  return out;
}

}  // namespace hitloop::preference
