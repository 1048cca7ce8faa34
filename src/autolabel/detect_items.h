#pragma once
// DetectItems: runs the chosen per-item detectors (autolabel/detector_registry.h: format,
// language, boilerplate) over a batch of texts and returns one Detection per (item, detector) —
// what the importer (`hitloop import --detect`) and each cycle (loop/cycle.h, for items not yet
// detected) store. Duplicates are a whole-pool question and live in loop/rules.h.
//
// Values: each detector's (autolabel/detectors.h).
// Thread-safety: pure apart from the borrowed identifier (whose Identify is const and
// thread-safe); splits the batch over `threads` threads. No errors: every text gets an answer.
#include <span>
#include <string>
#include <vector>

#include "autolabel/detector_choice.h"
#include "autolabel/language.h"
#include "schema/types.h"

namespace hitloop::autolabel {

struct DetectItemsOptions {
  DetectorChoice detectors;
  // Required when a chosen detector needs it (DetectorChoice::NeedsLanguage); without it those
  // detectors are skipped.
  const LanguageIdentifier* language = nullptr;
  int threads = 2;
};

struct ItemText {
  int64_t item_id = 0;
  std::string_view text;
};

// Detections in input order, each item's in registry order (format, language, boilerplate).
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
