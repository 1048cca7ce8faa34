#include "loop/router.h"

#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "autolabel/detector_registry.h"

namespace hitloop::loop {
namespace {

// The detector a routing condition on `field` reads ("_language" -> "language": a routable
// detector of autolabel/detector_registry.h), or "".
std::string_view DetectorField(std::string_view field) {
  if (!field.starts_with('_')) return {};
  const int i = autolabel::DetectorIndex(field.substr(1));
  if (i < 0 || !autolabel::Detectors()[i].routable) return {};
  return autolabel::Detectors()[i].name;
}

bool MetaMatches(const RoutingRule& r, const nlohmann::json& meta, const Detections* detections) {
  for (const auto& [k, v] : r.meta_equals) {
    const std::string_view detector = detections ? DetectorField(k) : std::string_view();
    if (!detector.empty()) {
      const auto it = detections->find(std::string(detector));
      if ((it == detections->end() ? std::string() : it->second) != v) return false;
      continue;
    }
    if (!meta.is_object() || !meta.contains(k)) return false;
    const auto& x = meta[k];
    const std::string s = x.is_string() ? x.get<std::string>() : x.dump();
    if (s != v) return false;
  }
  return true;
}

bool RuleMatches(const RoutingRule& r, const nlohmann::json* meta, std::string_view predicted,
                 double confidence, const Detections* detections) {
  if (!r.predicted_in.empty() &&
      std::find(r.predicted_in.begin(), r.predicted_in.end(), predicted) == r.predicted_in.end()) {
    return false;
  }
  if (confidence < r.min_confidence || confidence > r.max_confidence) return false;
  if (!r.meta_equals.empty()) {
    if (meta == nullptr) return false;
    return MetaMatches(r, *meta, detections);
  }
  return true;
}

}  // namespace

int MatchRule(const std::vector<RoutingRule>& rules, std::string_view meta_json,
              std::string_view predicted_label, double confidence, const Detections* detections) {
  nlohmann::json meta;
  bool parsed = false;
  for (size_t i = 0; i < rules.size(); ++i) {
    const nlohmann::json* m = nullptr;
    if (!rules[i].meta_equals.empty()) {
      if (!parsed) {
        meta = nlohmann::json::parse(meta_json.empty() ? std::string_view("{}") : meta_json,
                                     nullptr, false);
        parsed = true;
      }
      // Unreadable meta matches no meta field; the detectors' answers still count.
      if (meta.is_discarded() && detections != nullptr) meta = nlohmann::json::object();
      if (!meta.is_discarded()) m = &meta;
    }
    if (RuleMatches(rules[i], m, predicted_label, confidence, detections)) return static_cast<int>(i);
  }
  return -1;
}

Result<RouterOutput> RouteItems(const RouterInput& in) {
  const int k = in.num_classes;
  const size_t n = in.routable.size();
  if (k < 1 || in.probs.size() != n * static_cast<size_t>(k)) {
    return InvalidArgument("router: probs must hold n x num_classes values");
  }
  if ((!in.novelty.empty() && in.novelty.size() != n) ||
      (!in.was_auto.empty() && in.was_auto.size() != n) ||
      (!in.meta_json.empty() && in.meta_json.size() != n) ||
      (!in.detections.empty() && in.detections.size() != n) ||
      (!in.in_audit_window.empty() && in.in_audit_window.size() != n) ||
      in.cold.size() != static_cast<size_t>(k) || in.labels.size() != static_cast<size_t>(k)) {
    return InvalidArgument("router: input sizes disagree");
  }
  RouterOutput out;
  out.decisions.resize(n);
  out.pools.push_back(in.default_pool);
  std::vector<int> rule_pool;  // rule index -> pool index
  std::map<std::string, int> pool_index{{in.default_pool, 0}};
  const std::vector<RoutingRule> no_rules;
  const auto& rules = in.rules ? *in.rules : no_rules;
  for (const auto& r : rules) {
    auto [it, inserted] = pool_index.emplace(r.pool, static_cast<int>(out.pools.size()));
    if (inserted) out.pools.push_back(r.pool);
    rule_pool.push_back(it->second);
  }
  std::vector<double> thr(k);
  for (int c = 0; c < k; ++c) {
    thr[c] = in.certification ? in.certification->ThresholdFor(c)
                              : std::numeric_limits<double>::infinity();
  }
  for (size_t i = 0; i < n; ++i) {
    if (!in.routable[i]) continue;
    const float* p = in.probs.data() + i * k;
    const int pred = static_cast<int>(std::max_element(p, p + k) - p);
    const double conf = p[pred];
    const double nov = in.novelty.empty() ? 0.0 : in.novelty[i];
    RouteDecision& d = out.decisions[i];
    d.predicted = pred;
    d.confidence = static_cast<float>(conf);
    const bool confident = conf >= thr[pred] && (in.in_audit_window.empty() || in.in_audit_window[i]);
    if (confident && Eligible(pred, nov, in.cold, in.max_novelty)) {
      d.route = Route::kAccept;
      ++out.accepted;
      continue;
    }
    if (confident && in.cold[pred]) ++out.cold_blocked;
    else if (confident) ++out.novel;
    d.route = Route::kReview;
    ++out.review;
    if (!in.was_auto.empty() && in.was_auto[i]) ++out.requeued;
    if (!rules.empty()) {
      const int r = MatchRule(rules, in.meta_json.empty() ? std::string_view() : in.meta_json[i],
                              in.labels[pred], conf, in.detections.empty() ? nullptr : &in.detections[i]);
      if (r >= 0) {
        d.pool = static_cast<uint16_t>(rule_pool[r]);
        d.overlap = static_cast<uint8_t>(rules[r].overlap);
      }
    }
  }
  return out;
}

}  // namespace hitloop::loop
