// The only list of per-item detectors. Adding one = one file + one line here + one test file.
#include "autolabel/detector_registry.h"

#include <iterator>

#include "autolabel/detectors.h"

namespace hitloop::autolabel {
namespace {

// {name, needs_language, routable, detect}
const DetectorEntry kDetectors[] = {
    {"format", false, true, FormatDetection},
    {"language", true, true, LanguageDetection},
    {"boilerplate", false, false, BoilerplateDetection},
};
static_assert(std::size(kDetectors) <= kMaxDetectors);

}  // namespace

std::span<const DetectorEntry> Detectors() { return kDetectors; }

int DetectorIndex(std::string_view name) {
  for (size_t i = 0; i < std::size(kDetectors); ++i) {
    if (name == kDetectors[i].name) return static_cast<int>(i);
  }
  return -1;
}

std::string DetectorNamesList() {
  std::string known;
  for (const auto& e : kDetectors) known += std::string(known.empty() ? "" : ", ") + e.name;
  return known;
}

Status UnknownDetector(std::string_view name) {
  return InvalidArgument("unknown detector '" + std::string(name) + "' (use " +
                         DetectorNamesList() + ")");
}

}  // namespace hitloop::autolabel
