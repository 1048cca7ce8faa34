#pragma once
// RunDetectors: the detection step shared by `hitloop import` and every cycle — runs the chosen
// per-item detectors (autolabel/detect_items.h) on the given items (the caller has them loaded:
// pool and gold both, routing rules and reports read them) that have no answer from them yet and
// stores the answers (Store::PutDetections), so each item is read once however many cycles run.
//
// Ownership: borrows the store for the call; opens the language identifier only when an item
// needs it. Errors: store errors; a lid.176 file that fails its checksum (no silent fallback).
#include <cstdint>
#include <string>
#include <vector>

#include "autolabel/detect_items.h"
#include "core/status.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::loop {

struct DetectorRun {
  int64_t items = 0;            // items newly run through at least one detector
  std::string language_backend; // "" when the language detector did not run
};

// `items` must belong to `project`.
Result<DetectorRun> RunDetectors(Store& store, const Project& project, const std::vector<const Item*>& items,
                                 const autolabel::DetectorChoice& choice);

// The detectors an import runs (`hitloop import --detect`, the import route): `list` is
// "project" (the project's loop configuration, autolabel.detect), or a list for
// autolabel::ParseDetectorChoice. Checked before the import, so a bad list imports nothing.
Result<autolabel::DetectorChoice> ImportDetectors(const Project& project, const std::string& list);
// After an import has committed: the chosen detectors on the project's items that have no
// answer from them yet (nothing to do when the choice is empty).
Result<DetectorRun> DetectAfterImport(Store& store, const Project& project,
                                      const autolabel::DetectorChoice& choice);

}  // namespace hitloop::loop
