#pragma once
// Import of preference data (projects of type pairwise-preference or ranking), one JSON object per
// line, in any of these shapes (see docs/FORMATS.md, "Preference data"):
//   - hitloop's own: {"id"?, "prompt", "responses": [text | {"id"?, "text", "model"?}, ...],
//     "preference"? | "ranking"? | "criteria"?, "strength"?, "annotator"?, "answers"?: [...],
//     "meta"?, "split"?}
//   - TRL explicit prompt: {"prompt", "chosen", "rejected"} (text, or message lists);
//   - TRL implicit prompt: {"chosen", "rejected"} — HH-RLHF dialogues ("\n\nHuman: ...
//     \n\nAssistant: ...") are split into the dialogue before the last assistant turn (the prompt)
//     and that turn (the responses); message lists split at the shared message prefix; other text
//     at the longest common prefix (TRL's extract_prompt).
// A chosen/rejected pair becomes an item with responses [chosen, rejected] and one human answer
// "A>B" (annotator "import" unless the record names one). Records without "id" get a content id
// ("h" + 16 hex digits of the prompt and responses), so importing the same pair twice adds its
// answer to the one item instead of a second item.
// All-or-nothing like io/importer.h: the first bad record aborts with "FILE:LINE: field: reason"
// and nothing is stored; with reject_path the bad ones go there.
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "io/importer.h"
#include "preference/answer.h"
#include "preference/item.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::io {

struct PreferenceRecord {
  std::string id;
  bool content_id = false;  // id derived from the content (the record had none)
  preference::PreferenceItem item;
  std::string meta_json = "{}";
  std::string split = "pool";
  struct LabeledAnswer {
    std::string annotator;
    preference::Answer answer;
  };
  std::vector<LabeledAnswer> answers;
  bool prompt_differs = false;  // implicit pair whose dialogues differ before the last turn
};

// True for the task types whose items are preference items.
bool IsPreferenceProject(const Project& project);

// Parses one line for `project` (checks the response count of its type and its criteria).
// Errors are "field: reason"; the caller prefixes FILE:LINE.
Status ParsePreferenceRecord(std::string_view line, const Project& project, PreferenceRecord* out);

Result<ImportStats> ImportPreferenceFile(Store& store, const Project& project, const std::string& path,
                                         const ImportOptions& options);

}  // namespace hitloop::io
