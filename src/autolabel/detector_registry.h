#pragma once
// The one list of per-item detectors (autolabel/detector_registry.cc): format, language,
// boilerplate, in that order — the order DetectItems answers in, DetectorChoiceText writes and
// error messages list. Each detector is a pure function of one text (autolabel/detectors.h).
// Adding one = one file + one line in the registry + one test (CONTRIBUTING.md, "A detector").
// Thread-safety: the list is constant; every function here is thread-safe.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "autolabel/language.h"
#include "core/status.h"
#include "schema/types.h"

namespace hitloop::autolabel {

// What a detector may borrow besides the text.
struct DetectorContext {
  const LanguageIdentifier* language = nullptr;  // set when the detector needs_language
};

struct DetectorEntry {
  const char* name;     // the Detection::detector it answers as ("format")
  bool needs_language;  // reads context.language; skipped when there is no identifier
  bool routable;  // routing rules may test its answer as the meta field "_<name>" (loop/router.cc)
  // Its answer for one text: value, confidence in [0, 1], detail_json ("" = none). The caller
  // fills item_id and detector. Never fails: every text (empty, binary, huge) gets an answer.
  Detection (*detect)(std::string_view text, const DetectorContext& context);
};

// At most this many detectors (DetectorChoice is a bit set over registry indices).
inline constexpr size_t kMaxDetectors = 64;

// Every registered detector, in registry order.
std::span<const DetectorEntry> Detectors();
// The index of `name` in Detectors(), or -1.
int DetectorIndex(std::string_view name);
// The registered names for messages: "format, language, boilerplate".
std::string DetectorNamesList();
// InvalidArgument "unknown detector 'NAME' (use format, language, boilerplate)".
Status UnknownDetector(std::string_view name);

}  // namespace hitloop::autolabel
