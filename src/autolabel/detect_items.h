#pragma once
// DetectItems: runs the per-item detectors (format, language, boilerplate) over a batch of texts
// and returns one Detection per (item, detector) — what the importer (`hitloop import --detect`)
// and each cycle (loop/cycle.h, for items not yet detected) store. Duplicates are a whole-pool
// question and live in loop/rules.h.
//
// Values: "format" -> DetectFormat's format (code language appended as "code:python" where
// clear); "language" -> ISO code or "und"; "boilerplate" -> "content" (no boilerplate block),
// "boilerplate" (nothing but boilerplate) or "mixed", with detail JSON [[start, end, "kind"], ...]
// for the boilerplate blocks (byte offsets into the text).
// Thread-safety: pure apart from the borrowed identifier (whose Identify is const and
// thread-safe); splits the batch over `threads` threads. No errors: every text gets an answer.
#include <span>
#include <string>
#include <vector>

#include "autolabel/language.h"
#include "schema/types.h"

namespace hitloop::autolabel {

struct DetectorChoice {
  bool format = true;
  bool language = true;
  bool boilerplate = true;
};

// Parses "format,language,boilerplate" (any subset; "all"; "none" or "" = nothing).
// Errors: InvalidArgument naming an unknown detector.
Result<DetectorChoice> ParseDetectorChoice(std::string_view list);
// The chosen detectors as a list ParseDetectorChoice reads back ("format,language,boilerplate";
// "none" for none).
std::string DetectorChoiceText(const DetectorChoice& c);

struct DetectItemsOptions {
  DetectorChoice detectors;
  const LanguageIdentifier* language = nullptr;  // required when detectors.language
  int threads = 2;
};

struct ItemText {
  int64_t item_id = 0;
  std::string_view text;
};

// Detections in input order, detectors in the order format, language, boilerplate.
std::vector<Detection> DetectItems(std::span<const ItemText> items, const DetectItemsOptions& options);

// Where lid.176.ftz is: `explicit_path` if set, else $HITLOOP_LID_MODEL, else models/lid.176.ftz
// in the working directory, else a models/lid.176.ftz in a parent directory of the running binary
// (a build tree). "" when none exists.
std::string FindLid176Model(const std::string& explicit_path = "");

// The language identifier the product uses: lid.176 (checksum-verified) when FindLid176Model
// finds it, CLD2 alone otherwise; `*note` says which, for logs. Errors: a model file that exists
// but fails its checksum or does not load (never a silent fallback from a broken file).
Result<std::unique_ptr<LanguageIdentifier>> OpenDefaultLanguageIdentifier(std::string* note);

}  // namespace hitloop::autolabel
