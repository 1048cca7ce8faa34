#pragma once
// The per-item detectors' functions, one file each, listed once in autolabel/detector_registry.cc
// (which names them and says what they need). Each is pure: the answer for one text, with
// item_id and detector left for the caller (DetectItems) to fill.
#include <string_view>

#include "autolabel/detector_registry.h"

namespace hitloop::autolabel {

// autolabel/format_detector.cc: DetectFormat's format, with the code language appended where
// clear ("code:python").
Detection FormatDetection(std::string_view text, const DetectorContext& context);
// autolabel/language_detector.cc: the identifier's ISO code, or "und".
Detection LanguageDetection(std::string_view text, const DetectorContext& context);
// autolabel/boilerplate_detector.cc: "content" (no boilerplate block), "boilerplate" (nothing
// but boilerplate) or "mixed"; detail JSON [[start, end, "kind"], ...] for the boilerplate blocks
// (byte offsets into the text).
Detection BoilerplateDetection(std::string_view text, const DetectorContext& context);

}  // namespace hitloop::autolabel
