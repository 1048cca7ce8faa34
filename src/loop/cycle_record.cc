#include "loop/cycle_record.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace hitloop::loop {
namespace {

using nlohmann::json;

json MetricsJson(const std::optional<GoldMetrics>& m) {
  if (!m) return nullptr;
  return {{"n", m->n}, {"accuracy", m->accuracy}, {"macro_f1", m->macro_f1}, {"ece", m->ece}};
}

std::optional<GoldMetrics> MetricsFromJson(const json& j) {
  if (!j.is_object()) return std::nullopt;
  GoldMetrics m;
  m.n = j.value("n", int64_t{0});
  m.accuracy = j.value("accuracy", 0.0);
  m.macro_f1 = j.value("macro_f1", 0.0);
  m.ece = j.value("ece", 0.0);
  return m;
}

json ClassesJson(const std::vector<ClassThresholdRecord>& v) {
  json out = json::array();
  for (const auto& c : v) {
    out.push_back({{"label", c.label},
                   {"certified", c.certified},
                   {"threshold", c.certified ? json(c.threshold) : json(nullptr)},
                   {"audits", c.audits},
                   {"errors", c.errors},
                   {"error_upper", c.error_upper},
                   {"cold", c.cold},
                   {"training", c.training}});
  }
  return out;
}

json StrataJson(const std::vector<StratumRecord>& v) {
  json out = json::array();
  for (const auto& x : v) {
    out.push_back({{"label", x.label},
                   {"band", x.band},
                   {"audits", x.audits},
                   {"errors", x.errors},
                   {"precision", x.audits ? 1.0 - static_cast<double>(x.errors) / x.audits : 0.0}});
  }
  return out;
}

// [[step, seconds], ...]: an array keeps the steps' order (an object would sort them).
json StepsJson(const std::vector<std::pair<std::string, double>>& steps) {
  json out = json::array();
  for (const auto& [name, s] : steps) out.push_back({name, std::round(s * 1000.0) / 1000.0});
  return out;
}

json RulesJson(const std::vector<RuleRecord>& v) {
  json out = json::array();
  for (const auto& x : v) {
    out.push_back({{"name", x.name},
                   {"candidates", x.candidates},
                   {"audits", x.audits},
                   {"errors", x.errors},
                   {"error_upper", x.error_upper},
                   {"certified", x.certified},
                   {"rejected", x.rejected},
                   {"too_small", x.too_small},
                   {"accepted", x.accepted},
                   {"held", x.held},
                   {"to_review", x.to_review}});
  }
  return out;
}

// JSON text kept as text in the record (model choice, representations); `fallback` when empty
// or unreadable.
json JsonOr(const std::string& text, json fallback) {
  if (text.empty()) return fallback;
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

// Reads `key` of `j` into `out` when present and of the right type (older records lack fields).
template <typename T>
void Read(const json& j, const char* key, T* out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) *out = it->template get<bool>();
  } else if constexpr (std::is_arithmetic_v<T>) {
    if (it->is_number()) *out = it->template get<T>();
  } else {
    if (it->is_string()) *out = it->template get<std::string>();
  }
}

const json& ArrayAt(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

void ReadLists(const json& j, CycleRecord* r) {
  for (const auto& c : ArrayAt(j, "classes")) {
    if (!c.is_object()) continue;
    ClassThresholdRecord x;
    Read(c, "label", &x.label);
    Read(c, "certified", &x.certified);
    Read(c, "threshold", &x.threshold);
    Read(c, "audits", &x.audits);
    Read(c, "errors", &x.errors);
    Read(c, "error_upper", &x.error_upper);
    Read(c, "cold", &x.cold);
    Read(c, "training", &x.training);
    r->classes.push_back(x);
  }
  for (const auto& s : ArrayAt(j, "audit_strata")) {
    if (!s.is_object()) continue;
    StratumRecord x;
    Read(s, "label", &x.label);
    Read(s, "band", &x.band);
    Read(s, "audits", &x.audits);
    Read(s, "errors", &x.errors);
    r->audit_strata.push_back(x);
  }
  for (const auto& s : ArrayAt(j, "rules")) {
    if (!s.is_object()) continue;
    RuleRecord x;
    Read(s, "name", &x.name);
    for (auto [key, field] : {std::pair{"candidates", &x.candidates}, {"audits", &x.audits},
                              {"errors", &x.errors}, {"accepted", &x.accepted}, {"held", &x.held},
                              {"to_review", &x.to_review}}) {
      Read(s, key, field);
    }
    Read(s, "error_upper", &x.error_upper);
    Read(s, "certified", &x.certified);
    Read(s, "rejected", &x.rejected);
    Read(s, "too_small", &x.too_small);
    r->rules.push_back(x);
  }
  for (const auto& id : ArrayAt(j, "stratified_audit_items")) {
    if (id.is_number_integer()) r->stratified_audit_items.push_back(id.get<int64_t>());
  }
  const auto pools = j.find("queued_by_pool");
  if (pools != j.end() && pools->is_object()) {
    for (const auto& [k, v] : pools->items()) {
      if (v.is_number_integer()) r->queued_by_pool[k] = v.get<int64_t>();
    }
  }
}

}  // namespace

const char* RuleStateName(bool certified, bool rejected, bool too_small) {
  return certified ? "certified" : rejected ? "rejected" : too_small ? "too_small" : "pending";
}

std::string CycleLogDetailJson(const CycleRecord& r) {
  return nlohmann::json{{"cycle", r.cycle},
                        {"model_version", r.model_version},
                        {"global_certified", r.global_certified},
                        {"auto_accepted", r.auto_accepted},
                        {"newly_accepted", r.newly_accepted},
                        {"queued_review", r.queued_review},
                        {"audits_queued", r.audits_queued}}
      .dump();
}

std::string CycleRecordToJson(const CycleRecord& r) {
  return json{{"cycle", r.cycle},
              {"created_at", r.created_at},
              {"model_version", r.model_version},
              {"model_path", r.model_path},
              {"model", r.model_name},
              {"cold_start", r.cold_start},
              {"training_size", r.training_size},
              {"pool_size", r.pool_size},
              {"gold_before", MetricsJson(r.before)},
              {"gold_before_note", r.before_note},
              {"gold_after", MetricsJson(r.after)},
              {"threshold_mode", r.threshold_mode},
              {"target_precision", r.target_precision},
              {"confidence", r.confidence},
              {"min_audits_needed", r.min_audits_needed},
              {"global_certified", r.global_certified},
              {"global_threshold", r.global_certified ? json(r.global_threshold) : json(nullptr)},
              {"classes", ClassesJson(r.classes)},
              {"auto_accepted", r.auto_accepted},
              {"newly_accepted", r.newly_accepted},
              {"queued_review", r.queued_review},
              {"review_candidates", r.review_candidates},
              {"audits_queued", r.audits_queued},
              {"stratified_audit_items", r.stratified_audit_items},
              {"audit_strata", StrataJson(r.audit_strata)},
              {"requeued", r.requeued},
              {"novel", r.novel},
              {"cold_blocked", r.cold_blocked},
              {"audits_total", r.audits_total},
              {"audit_precision",
               {{"estimate", r.audit_precision.estimate},
                {"lower_bound", r.audit_precision.lower_bound},
                {"audits", r.audit_precision.audits},
                {"errors", r.audit_precision.errors}}},
              {"queued_by_pool", r.queued_by_pool},
              {"detected", r.detected},
              {"language_backend", r.language_backend},
              {"duplicate_groups", r.duplicate_groups},
              {"duplicate_items", r.duplicate_items},
              {"conflicting_groups", r.conflicting_groups},
              {"held_duplicates", r.held_duplicates},
              {"duplicate_groups_reused", r.duplicates_reused},
              {"rules", RulesJson(r.rules)},
              {"rule_accepted", r.rule_accepted},
              {"seconds", r.seconds},
              {"step_seconds", StepsJson(r.step_seconds)},
              {"model_choice", JsonOr(r.model_choice_json, nullptr)},
              {"representations", JsonOr(r.representations_json, json::array())},
              {"accepted_trained", r.accepted_trained},
              {"multi_label", r.multi_label}}
      .dump();
}

Result<CycleRecord> CycleRecordFromJson(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("cycle record: not a JSON object");
  CycleRecord r;
  for (auto [key, field] :
       {std::pair{"cycle", &r.cycle}, {"created_at", &r.created_at}, {"training_size", &r.training_size},
        {"pool_size", &r.pool_size}, {"min_audits_needed", &r.min_audits_needed},
        {"auto_accepted", &r.auto_accepted}, {"newly_accepted", &r.newly_accepted},
        {"queued_review", &r.queued_review}, {"review_candidates", &r.review_candidates},
        {"audits_queued", &r.audits_queued}, {"requeued", &r.requeued}, {"novel", &r.novel},
        {"cold_blocked", &r.cold_blocked}, {"audits_total", &r.audits_total}, {"detected", &r.detected},
        {"duplicate_groups", &r.duplicate_groups}, {"duplicate_items", &r.duplicate_items},
        {"conflicting_groups", &r.conflicting_groups}, {"held_duplicates", &r.held_duplicates},
        {"rule_accepted", &r.rule_accepted}, {"accepted_trained", &r.accepted_trained}}) {
    Read(j, key, field);
  }
  for (auto [key, field] : {std::pair{"model_version", &r.model_version}, {"model_path", &r.model_path},
                            {"model", &r.model_name}, {"gold_before_note", &r.before_note},
                            {"threshold_mode", &r.threshold_mode}, {"language_backend", &r.language_backend}}) {
    Read(j, key, field);
  }
  Read(j, "cold_start", &r.cold_start);
  Read(j, "multi_label", &r.multi_label);
  Read(j, "duplicate_groups_reused", &r.duplicates_reused);
  Read(j, "target_precision", &r.target_precision);
  Read(j, "confidence", &r.confidence);
  Read(j, "seconds", &r.seconds);
  if (const auto st = j.find("step_seconds"); st != j.end() && st->is_array()) {
    for (const json& s : *st) {
      if (s.is_array() && s.size() == 2 && s[0].is_string() && s[1].is_number()) {
        r.step_seconds.emplace_back(s[0].get<std::string>(), s[1].get<double>());
      }
    }
  }
  if (j.contains("gold_before")) r.before = MetricsFromJson(j["gold_before"]);
  if (j.contains("gold_after")) r.after = MetricsFromJson(j["gold_after"]);
  // A record with a numeric global threshold but no flag predates the flag: the threshold held.
  r.global_certified = j.contains("global_threshold") && j["global_threshold"].is_number();
  Read(j, "global_certified", &r.global_certified);
  Read(j, "global_threshold", &r.global_threshold);
  if (j.contains("audit_precision") && j["audit_precision"].is_object()) {
    const json& p = j["audit_precision"];
    Read(p, "estimate", &r.audit_precision.estimate);
    Read(p, "lower_bound", &r.audit_precision.lower_bound);
    Read(p, "audits", &r.audit_precision.audits);
    Read(p, "errors", &r.audit_precision.errors);
  }
  ReadLists(j, &r);
  if (const auto mc = j.find("model_choice"); mc != j.end() && mc->is_object()) {
    r.model_choice_json = mc->dump();
  }
  if (const auto reps = j.find("representations"); reps != j.end() && reps->is_array() &&
                                                     !reps->empty()) {
    r.representations_json = reps->dump();
  }
  return r;
}

LoopStatus ComputeLoopStatus(const LoopConfig& config, const std::vector<CycleRow>& cycles) {
  LoopStatus s;
  s.cycles = static_cast<int64_t>(cycles.size());
  s.target_precision = config.target_precision;
  s.confidence = config.confidence;
  s.threshold_mode = config.per_class ? "per-class" : "global";
  s.min_audits_needed = config.min_audits_needed();
  if (cycles.empty()) return s;
  auto last = CycleRecordFromJson(cycles.back().record_json);
  if (!last.ok()) return s;
  s.last = std::move(*last);
  for (const auto& c : s.last->classes) s.certified_classes += c.certified ? 1 : 0;
  s.certified = s.last->global_certified || s.certified_classes > 0;
  s.audits_still_needed = std::max<int64_t>(0, s.min_audits_needed - s.last->audits_total);
  return s;
}

}  // namespace hitloop::loop
