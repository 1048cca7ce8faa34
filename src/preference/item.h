#pragma once
// What one item of a preference project (TaskType kPairwisePreference or kRanking) holds: a prompt
// (plain text, or a dialogue of {role, content} messages) and 2..9 responses to compare.
//
// Storage (no schema change): the store's Item keeps
//   - text: the prompt rendered as plain text (PromptText), so search, duplicates and content
//     hashes see the prompt;
//   - meta_json: {"prompt": "..." | [{"role","content"},...], "responses": [{"id"?,"text","model"?},
//     ...], ...the record's own meta keys}. "prompt" and "responses" are reserved there.
// Thread-safety: value types and pure functions.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"

namespace hitloop::preference {

inline constexpr int kMinResponses = 2;
inline constexpr int kMaxResponses = 9;

struct Message {
  std::string role;  // "user" | "assistant" | "system" | ... (kept as given)
  std::string content;
};

struct Response {
  std::string id;     // optional
  std::string text;
  std::string model;  // optional
};

struct PreferenceItem {
  std::string prompt;             // plain prompt; empty when `messages` is used
  std::vector<Message> messages;  // dialogue prompt (conversational); empty for a plain one
  std::vector<Response> responses;
  bool conversational() const { return !messages.empty(); }
};

// The prompt as text: the plain prompt, or the dialogue as "Role: content" paragraphs.
std::string PromptText(const PreferenceItem& item);
// The last user turn of the prompt (the whole plain prompt when not conversational).
std::string_view LastUserTurn(const PreferenceItem& item);

// {"prompt": ..., "responses": [...]} merged into `meta` (a JSON object; may be empty "{}").
Result<std::string> ToMetaJson(const PreferenceItem& item, std::string_view meta_json);
// Reads an item back from Item::meta_json. InvalidArgument when the keys are missing or malformed.
Result<PreferenceItem> FromMetaJson(std::string_view meta_json);

// Parsers for the import shapes; errors name the field ("responses[1].text: missing"). An empty
// response text is allowed (HH-RLHF has pairs where saying nothing was preferred).
Status ParsePrompt(const nlohmann::json& prompt, PreferenceItem* out);       // string or messages
Status ParseResponse(const nlohmann::json& r, Response* out);               // string or object
Status ParseMessages(const nlohmann::json& j, std::string_view field, std::vector<Message>* out);

// HH-RLHF dialogue text "\n\nHuman: ...\n\nAssistant: ..." split into messages (user/assistant).
// InvalidArgument when it holds no "Human:"/"Assistant:" turn.
Result<std::vector<Message>> ParseHhDialogue(std::string_view text);

}  // namespace hitloop::preference
