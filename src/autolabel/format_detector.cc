// The "format" detector (registered in autolabel/detector_registry.cc).
#include "autolabel/detectors.h"
#include "autolabel/format.h"

namespace hitloop::autolabel {

Detection FormatDetection(std::string_view text, const DetectorContext&) {
  const FormatResult f = DetectFormat(text);
  Detection d;
  d.value = f.code_language.empty() ? f.format : f.format + ":" + f.code_language;
  d.confidence = f.confidence;
  return d;
}

}  // namespace hitloop::autolabel
