// The "language" detector (registered in autolabel/detector_registry.cc); needs the identifier.
#include "autolabel/detectors.h"

namespace hitloop::autolabel {

Detection LanguageDetection(std::string_view text, const DetectorContext& context) {
  const LanguageResult l = context.language->Identify(text);
  Detection d;
  d.value = l.language;
  d.confidence = l.confidence;
  return d;
}

}  // namespace hitloop::autolabel
