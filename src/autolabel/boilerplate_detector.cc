// The "boilerplate" detector (registered in autolabel/detector_registry.cc).
#include <nlohmann/json.hpp>
#include <vector>

#include "autolabel/boilerplate.h"
#include "autolabel/detectors.h"

namespace hitloop::autolabel {

Detection BoilerplateDetection(std::string_view text, const DetectorContext&) {
  const std::vector<TextBlock> blocks = DetectBoilerplate(text);
  nlohmann::json spans = nlohmann::json::array();
  size_t bp_bytes = 0, all_bytes = 0;
  for (const TextBlock& b : blocks) {
    all_bytes += b.end - b.start;
    if (!b.boilerplate) continue;
    bp_bytes += b.end - b.start;
    spans.push_back({b.start, b.end, b.kind});
  }
  Detection d;
  d.value = bp_bytes == 0 ? "content" : (bp_bytes == all_bytes ? "boilerplate" : "mixed");
  d.confidence = BlocksConfidence(blocks);
  if (!spans.empty()) d.detail_json = spans.dump();
  return d;
}

}  // namespace hitloop::autolabel
