#pragma once
// Preference data (projects of type pairwise-preference or ranking), one JSON object per line, in
// any of these shapes (see docs/FORMATS.md, "Preference data"):
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
//
// These are read through the format registry (io/format.h): `jsonl` on a preference project reads
// every shape above (io/format_jsonl.cc hands over to ReadPreferenceRecords), `trl` only TRL
// records (io/format_trl.cc), `hh` only HH-RLHF dialogues (io/format_hh.cc). The importer
// (io/importer.h) stores them: all-or-nothing, "FILE:LINE: field: reason", --skip-bad.
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
  // Which shape the line had.
  enum Shape { kOwn, kTrlExplicit, kTrlImplicit, kHh };
  Shape shape = kOwn;
};

// True for the task types whose items are preference items.
bool IsPreferenceProject(const Project& project);

// Parses one line for `project` (checks the response count of its type and its criteria).
// Errors are "field: reason"; the caller prefixes FILE:LINE.
Status ParsePreferenceRecord(std::string_view line, const Project& project, PreferenceRecord* out);

// The shapes a format reader accepts: kAny (jsonl), kTrl (TRL explicit or implicit, HH-RLHF
// included: it is TRL's implicit-prompt example), kHh (HH-RLHF dialogues only).
enum class PreferenceShapes { kAny, kTrl, kHh };

// A format reader for preference projects: each non-blank line parsed by ParsePreferenceRecord,
// checked against `accepted`, and handed to ctx.emit as a Record (text = the prompt as text,
// meta = the item (preference/item.h), every answer in earlier_answers, labels encoded by
// preference/answer.h; content-id records merge repeats). FailedPrecondition when ctx.project is
// not a preference project (the error names the format).
Status ReadPreferenceRecords(ReadContext& ctx, PreferenceShapes accepted, const char* format_name);

// The formats that read or write preference projects: jsonl (either kind of project), trl,
// trl-kto, hh (preference projects only). Import and export refuse the others for these projects.
bool HandlesPreferences(const FormatSpec& format);

}  // namespace hitloop::io
