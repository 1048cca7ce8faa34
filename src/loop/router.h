#pragma once
// Router: after each prediction pass, every pool item not labelled by people is either
// auto-accepted (confidence >= its class's certified threshold, class not cold, novelty <= the
// cut-off) or sent to people, in the pool chosen by the first matching routing rule
// (loop/config.h). An item auto-accepted before that no longer passes is "requeued".
//
// Pure and in-memory: the live cycle (loop/cycle.h) and the simulator call the same function.
// Thread-safety: pure. Errors: InvalidArgument on mismatched span sizes.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "loop/certify.h"
#include "loop/config.h"

namespace hitloop::loop {

// The detectors' answers for one item, by detector ("language" -> "fr", "format" -> "code:python").
// Routing rules test them as the meta fields "_language" and "_format" (loop/config.h); they reach
// the router as data, never written into the item's meta JSON.
using Detections = std::map<std::string, std::string>;

enum class Route : uint8_t { kNone, kAccept, kReview };

struct RouteDecision {
  Route route = Route::kNone;
  int predicted = -1;
  float confidence = 0.0f;
  uint16_t pool = 0;   // index into RouterOutput::pools
  uint8_t overlap = 1;
  int8_t rule = -1;    // kAccept by a rule (index into the plan's rule names); -1 = by the model
};

struct RouterInput {
  int num_classes = 0;
  std::span<const std::string> labels;  // class names (for "predicted" rule conditions)
  std::span<const float> probs;         // n x num_classes, row-major
  std::span<const double> novelty;      // n, or empty (= 0)
  std::span<const uint8_t> routable;    // n: 1 = not labelled by people and not awaiting audit
  std::span<const uint8_t> was_auto;    // n, or empty: currently auto-accepted
  std::span<const std::string> meta_json;  // n, or empty (meta conditions then never match)
  std::span<const Detections> detections;  // n, or empty ("_language"/"_format" then read meta)
  std::span<const uint8_t> in_audit_window;  // n, or empty (= all): 0 = outside the region the
                                        // certificate's audits cover (loop/audit_region.h): never accepted
  std::vector<uint8_t> cold;            // per class: 1 = never auto-accept into it
  const Certification* certification = nullptr;  // null = nothing certified
  double max_novelty = 0.5;
  const std::vector<RoutingRule>* rules = nullptr;
  std::string default_pool = "general";
};

struct RouterOutput {
  std::vector<RouteDecision> decisions;  // n
  std::vector<std::string> pools;        // pools[0] = default pool
  int64_t accepted = 0;
  int64_t review = 0;
  int64_t requeued = 0;       // was auto, now review
  int64_t novel = 0;          // confident enough but novel -> people
  int64_t cold_blocked = 0;   // confident enough but predicted class is cold -> people
};

// The router's acceptance test, shared with certification (loop/cycle.h builds
// AuditObservation::eligible from it so the audits see exactly the accepted region).
inline bool Eligible(int predicted, double novelty, const std::vector<uint8_t>& cold,
                     double max_novelty) {
  return predicted >= 0 && predicted < static_cast<int>(cold.size()) && !cold[predicted] &&
         novelty <= max_novelty;
}

Result<RouterOutput> RouteItems(const RouterInput& in);

// Pool and overlap for one item under `rules` (first match wins; else default pool, overlap 1).
// `meta_json` may be empty. With `detections`, the fields "_language" and "_format" are the
// detectors' answers ("" when a detector gave none), whatever the meta says. Returns the index of
// the rule that matched, or -1.
int MatchRule(const std::vector<RoutingRule>& rules, std::string_view meta_json,
              std::string_view predicted_label, double confidence,
              const Detections* detections = nullptr);

}  // namespace hitloop::loop
