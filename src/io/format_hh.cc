// Anthropic HH-RLHF pairs (--format hh), import only, for pairwise and ranking projects:
// {"chosen", "rejected"} per line, each a dialogue of "\n\nHuman: ..." and "\n\nAssistant: ..."
// turns. The dialogue before the last assistant turn becomes the prompt (as messages), the two
// last turns the responses, chosen preferred (io/preference_jsonl.h). Lines of another shape are
// errors (--format trl or jsonl reads those).
#include <nlohmann/json.hpp>

#include "io/format.h"
#include "io/preference_jsonl.h"

namespace hitloop::io {
// Its own namespace: the formats' Sniff/Read/Write share names, and the sanitizer build compiles
// several files of a module as one (CMake unity build).
namespace format_hh {
namespace {

// Above trl's 80 for the same keys, below 90 (see format_trl.cc).
int Sniff(const SniffSample& s) {
  if (s.shape != SniffSample::kJsonLines && s.shape != SniffSample::kJsonObject) return 0;
  if (s.first == nullptr || s.HasKey("prompt") || s.HasKey("responses")) return 0;
  const auto c = s.first->find("chosen"), r = s.first->find("rejected");
  if (c == s.first->end() || r == s.first->end() || !c->is_string() || !r->is_string()) return 0;
  const std::string& text = c->get_ref<const std::string&>();
  return text.rfind("\n\nHuman:", 0) == 0 ? 85 : 0;
}

Status Read(ReadContext& ctx) { return ReadPreferenceRecords(ctx, PreferenceShapes::kHh, "hh"); }

}  // namespace
}  // namespace format_hh

extern const FormatSpec kHhFormat = {
    "hh", "Anthropic HH-RLHF pairs: {chosen, rejected} dialogues per line (import only)", ".jsonl",
    "application/x-ndjson", format_hh::Sniff, format_hh::Read, nullptr};

}  // namespace hitloop::io
