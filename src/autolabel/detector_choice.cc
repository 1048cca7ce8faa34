#include "autolabel/detector_choice.h"

#include "autolabel/detector_registry.h"

namespace hitloop::autolabel {

DetectorChoice::DetectorChoice()
    : bits_(Detectors().size() == kMaxDetectors ? ~uint64_t{0}
                                                : (uint64_t{1} << Detectors().size()) - 1) {}

DetectorChoice DetectorChoice::None() { return DetectorChoice(uint64_t{0}); }

bool DetectorChoice::Has(size_t index) const {
  return index < kMaxDetectors && (bits_ >> index & 1) != 0;
}

bool DetectorChoice::Has(std::string_view name) const {
  const int i = DetectorIndex(name);
  return i >= 0 && Has(static_cast<size_t>(i));
}

void DetectorChoice::Add(size_t index) {
  if (index < Detectors().size()) bits_ |= uint64_t{1} << index;
}

Status DetectorChoice::Add(std::string_view name) {
  const int i = DetectorIndex(name);
  if (i < 0) return UnknownDetector(name);
  Add(static_cast<size_t>(i));
  return Status::Ok();
}

void DetectorChoice::Remove(std::string_view name) {
  const int i = DetectorIndex(name);
  if (i >= 0) bits_ &= ~(uint64_t{1} << i);
}

bool DetectorChoice::NeedsLanguage() const {
  const auto detectors = Detectors();
  for (size_t i = 0; i < detectors.size(); ++i) {
    if (Has(i) && detectors[i].needs_language) return true;
  }
  return false;
}

Result<DetectorChoice> ParseDetectorChoice(std::string_view list) {
  if (list == "all") return DetectorChoice();
  DetectorChoice c = DetectorChoice::None();
  if (list.empty() || list == "none") return c;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    if (!name.empty()) RETURN_IF_ERROR(c.Add(name));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return c;
}

std::string DetectorChoiceText(const DetectorChoice& c) {
  std::string out;
  const auto detectors = Detectors();
  for (size_t i = 0; i < detectors.size(); ++i) {
    if (c.Has(i)) out += (out.empty() ? "" : ",") + std::string(detectors[i].name);
  }
  return out.empty() ? "none" : out;
}

}  // namespace hitloop::autolabel
