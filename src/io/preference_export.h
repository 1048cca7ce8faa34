#pragma once
// Export of a preference project (pairwise-preference or ranking):
//   - trl:     TRL's preference type, one row per directed pair of every person's answer:
//              {"prompt", "chosen", "rejected"} — standard (text) or conversational (the prompt
//              a message list, chosen/rejected [{"role": "assistant", "content"}]) as the item's
//              prompt is; with `margin`, TRL's "margin" column from the strength (slightly 1,
//              clearly 2, much 3, not given 0). A ranking of K gives every pair across its groups.
//   - trl-kto: TRL's unpaired preference type, {"prompt", "completion", "label"}: the responses of
//              an answer's best group labelled true, of its worst group false.
//   - jsonl:   hitloop's own records, every answer with annotator, source, criterion, strength and
//              display order; re-imports through io/preference_jsonl.h.
// Ties and both-bad answers carry no direction: they are left out of trl and trl-kto and counted.
// With `aggregate`, each item's answers are first resolved into one judgement
// (preference/aggregate.h): trl / trl-kto write the resolved order (trl's margin is then the
// fitted log-ability difference), items resolving to a tie or both-bad are left out and counted,
// and jsonl adds "resolved": {"preference" | "criteria", "confidence"} beside the answers.
// Memory: one item's answers at a time plus the project's answers index.
// Registered as the formats trl and trl-kto (io/format_trl.cc, io/format_trl_kto.cc); jsonl on a
// preference project writes the own records (io/format_jsonl.cc).
#include <cstdint>
#include <ostream>
#include <string>

#include "core/status.h"
#include "io/format.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::io {

enum class PreferenceFormat { kTrl, kTrlKto, kJsonl };
// "trl" | "trl-kto" | "jsonl"; InvalidArgument otherwise.
Result<PreferenceFormat> ParsePreferenceFormat(const std::string& name);

struct PreferenceExportOptions {
  bool margin = false;
  bool aggregate = false;
  std::string criterion;  // trl / trl-kto: "" = the overall judgement (see preference/project_data.h)
};

struct PreferenceExportStats {
  int64_t items = 0;
  int64_t labelled = 0;  // items with at least one answer written (or, for trl/trl-kto, counted)
  int64_t rows = 0;
  int64_t answers = 0;
  int64_t ties = 0;      // answers (items, with aggregate) left out of trl / trl-kto
  int64_t both_bad = 0;  // answers (items, with aggregate) left out of trl / trl-kto
};

// FailedPrecondition for a project that is not a preference project.
Result<PreferenceExportStats> ExportPreferences(Store& store, const Project& project, PreferenceFormat format,
                                                std::ostream& out, const PreferenceExportOptions& options);

// A format writer (io/format.h) running ExportPreferences with ExportOptions' margin and
// criterion: FailedPrecondition naming the format when ctx.project is not a preference project.
// Fills ctx.stats (items, labels = labelled items) and adds one note: rows and answers written,
// and for trl/trl-kto the ties and both-bad answers left out.
Status WritePreferenceFormat(WriteContext& ctx, PreferenceFormat format);

}  // namespace hitloop::io
