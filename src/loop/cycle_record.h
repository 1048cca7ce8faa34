#pragma once
// The cycle record: what one cycle of the live loop did and certified, kept by the store as JSON
// (Store::AppendCycle / ListCycles). This file is its one writer (CycleRecordToJson) and its one
// reader (CycleRecordFromJson); the cycle, `hitloop status`, the report and the server all go
// through them, so a field is added in one place. LoopStatus is what `status` (and anything else
// that asks "where does the loop stand") derives from the config and the newest record.
//
// Compatibility: the reader accepts records written by older versions (missing fields keep their
// defaults). Thread-safety: pure. Errors: CycleRecordFromJson returns InvalidArgument when the
// text is not a JSON object.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "loop/certify.h"
#include "loop/config.h"
#include "loop/metrics.h"
#include "store/store.h"

namespace hitloop::loop {

struct ClassThresholdRecord {
  std::string label;
  bool certified = false;
  double threshold = 0.0;            // meaningful when certified
  int64_t audits = 0, errors = 0;
  double error_upper = 1.0;
  bool cold = false;
  int64_t training = 0;
};

struct RuleRecord {
  std::string name;
  int64_t candidates = 0, audits = 0, errors = 0;
  double error_upper = 1.0;
  bool certified = false, rejected = false, too_small = false;
  int64_t accepted = 0, held = 0, to_review = 0;
};

struct StratumRecord {
  std::string label;
  std::string band;   // "[0.95,0.99)"
  int64_t audits = 0, errors = 0;
};

// "certified" | "rejected" | "too_small" | "pending": a rule's state as `hitloop cycle`, `status`
// and the report name it.
const char* RuleStateName(bool certified, bool rejected, bool too_small);
inline const char* RuleStateName(const RuleRecord& r) {
  return RuleStateName(r.certified, r.rejected, r.too_small);
}

struct CycleRecord {
  int64_t cycle = 0;
  int64_t created_at = 0;
  std::string model_version;         // "" on a cold start
  std::string model_path;
  std::string model_name;
  bool cold_start = false;
  int64_t training_size = 0;
  int64_t pool_size = 0;
  std::optional<GoldMetrics> before;  // previous model on the gold split
  std::string before_note;            // why `before` is missing, when it is
  std::optional<GoldMetrics> after;
  std::string threshold_mode;         // global | per-class
  double target_precision = 0, confidence = 0;
  int64_t min_audits_needed = 0;
  bool global_certified = false;
  double global_threshold = 0.0;
  std::vector<ClassThresholdRecord> classes;
  int64_t auto_accepted = 0;          // items auto-accepted after this cycle
  int64_t newly_accepted = 0;         // of which not auto-accepted before
  int64_t queued_review = 0;          // review entries written
  int64_t review_candidates = 0;      // items routed to people (queued or waiting)
  int64_t audits_queued = 0;          // all audits queued: uniform, rule and stratified
  std::vector<int64_t> stratified_audit_items;  // item ids drawn for stratified monitoring audits
  std::vector<StratumRecord> audit_strata;      // audits per (predicted class, band), current model
  int64_t requeued = 0;
  int64_t novel = 0;
  int64_t cold_blocked = 0;
  int64_t audits_total = 0;           // audit labels used by certification
  PrecisionEstimate audit_precision;
  std::map<std::string, int64_t> queued_by_pool;
  // Rule labelers and detectors.
  int64_t detected = 0;               // items newly run through the detectors this cycle
  std::string language_backend;       // what identified languages this cycle ("" = not run)
  int64_t duplicate_groups = 0, duplicate_items = 0, conflicting_groups = 0;
  int64_t held_duplicates = 0;        // not shown: their group's representative is in review
  bool duplicates_reused = false;     // the groups came from the last search (loop/duplicate_cache.h)
  std::vector<RuleRecord> rules;
  int64_t rule_accepted = 0;          // of auto_accepted, accepted by a rule
  double seconds = 0.0;
  // Where `seconds` went, step by step in order (load, features, plan, gold, save, stage,
  // final): "stage" writes the predictions in short transactions; "final" is the one
  // transaction that holds the write lock, up to this record (its commit is not counted).
  std::vector<std::pair<std::string, double>> step_seconds;
  // Model choice and pool-learnt representations (loop/model_choice.h), as JSON text.
  std::string model_choice_json;      // {"mode": "fixed"|"auto", "model": SPEC, ...}; "" = none
  std::string representations_json;   // [{"name", "path", "learnt", ...}]; "" = none
  int64_t accepted_trained = 0;       // auto-accepted labels trained on (train_on_accepted)
  // A multi-label project's cycle (loop/multilabel.h): `classes` has one row per label (training
  // = its positive training sets, cold = no model yet) and the certified threshold is set-level,
  // on the weakest label decision; the labels' models are <model_version>.label<j>.model.
  bool multi_label = false;
};

// The one writer: a JSON object (compact). Field names are a contract (docs/FORMATS.md readers,
// the server's cycle route, scripts).
std::string CycleRecordToJson(const CycleRecord& r);
// The admin log's summary of a cycle (store/action_log.h), a JSON object: cycle, model_version,
// global_certified, auto_accepted, newly_accepted, queued_review, audits_queued.
std::string CycleLogDetailJson(const CycleRecord& r);

// The one reader. Missing fields keep CycleRecord's defaults; `null` gold metrics stay unset.
Result<CycleRecord> CycleRecordFromJson(std::string_view json);

// Where the loop stands: the guarantee the config asks for, what the newest cycle certified, and
// how many clean audit labels are still needed before anything can be certified.
struct LoopStatus {
  int64_t cycles = 0;                  // cycles recorded
  double target_precision = 0, confidence = 0;
  std::string threshold_mode;          // global | per-class (from the config)
  int64_t min_audits_needed = 0;       // LoopConfig::min_audits_needed() (precision, confidence, bound)
  std::optional<CycleRecord> last;     // the newest cycle's record, if any and readable
  int64_t certified_classes = 0;       // classes of `last` with a certified threshold
  bool certified = false;              // `last` certified a global threshold or any class
  int64_t audits_still_needed = 0;     // max(0, min_audits_needed - last->audits_total); 0 if no last
};

LoopStatus ComputeLoopStatus(const LoopConfig& config, const std::vector<CycleRow>& cycles);

}  // namespace hitloop::loop
