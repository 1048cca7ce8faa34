#pragma once
// DetectorChoice: which registered detectors (autolabel/detector_registry.h) to run — a set of
// registry names, kept as a bit set over registry indices. The default is every detector.
// Value type; thread-compatible.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace hitloop::autolabel {

class DetectorChoice {
 public:
  DetectorChoice();  // every registered detector
  static DetectorChoice None();

  // Whether the detector `name` (or registry index `index`) is chosen; false for unknown ones.
  bool Has(std::string_view name) const;
  bool Has(size_t index) const;
  // Errors: InvalidArgument naming an unknown detector (UnknownDetector).
  Status Add(std::string_view name);
  void Add(size_t index);
  void Remove(std::string_view name);  // no-op for an unknown or unchosen name
  bool empty() const { return bits_ == 0; }
  // Every detector `other` chooses is chosen here too.
  bool Covers(const DetectorChoice& other) const { return (bits_ & other.bits_) == other.bits_; }
  // Some chosen detector needs the language identifier.
  bool NeedsLanguage() const;

 private:
  explicit DetectorChoice(uint64_t bits) : bits_(bits) {}
  uint64_t bits_;
};

// Parses "format,language,boilerplate" (any subset of the registered names; "all"; "none" or ""
// = nothing). Errors: InvalidArgument naming an unknown detector.
Result<DetectorChoice> ParseDetectorChoice(std::string_view list);
// The chosen detectors as a list ParseDetectorChoice reads back, in registry order
// ("format,language,boilerplate"; "none" for none).
std::string DetectorChoiceText(const DetectorChoice& c);

}  // namespace hitloop::autolabel
