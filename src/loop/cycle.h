#pragma once
#include <functional>
// RunCycle: one cycle of the live loop on a store-backed project —
//   load people's labels (training: review/import/adjudicate answers; certification: audit
//   answers only; never the gold split) -> featurise -> PlanCycle (loop/plan.h: train, predict,
//   novelty, certify, route, order the review queue, draw audits) -> gold metrics of the previous
//   model (loaded from its checksummed file) and of the new one -> write the model file, the
//   predictions, the routing (auto-accept / withdraw / review queue / audit queue) and the cycle
//   record, the last three in ONE transaction.
// The server calls it from an admin route; `hitloop cycle` from the CLI.
//
// Ownership: borrows the store for the call. Not thread-safe per Store (one Store per thread);
// two cycles of one project must not run at once (the caller serialises them).
// Errors: InvalidArgument (bad config, unknown seed class), model errors; on error after the
// model file was written, the file stays but no cycle is recorded and the queue is unchanged.
// Model files: <models_dir>/<version>.model (model/model_file.h: checksummed, atomic).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/certify.h"
#include "loop/metrics.h"
#include "model/classifier.h"
#include "schema/types.h"
#include "store/store.h"
#include "text/featurizer.h"

namespace hitloop::loop {

struct CycleOptions {
  std::string models_dir;            // required: where model files go
  std::string seed_class;            // optional cold-start class (must be in the label set)
  std::string seed_query;            // words; items containing them go first in review
  int64_t now = 0;                   // ms since epoch (the caller's clock)
  uint64_t seed = 0;                 // 0 = derived from project id and cycle number
  model::ClassifierOptions model_options;
  text::FeaturizerOptions featurizer;
  // Runs after the plan is made and before its writes, i.e. where a real cycle spends its time
  // training while people keep labelling (tests use it to label items meanwhile).
  std::function<void()> before_commit;
};

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
// and the report name it (the latter two from the record's flags).
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
  // Rule labelers and detectors (issue 6).
  int64_t detected = 0;               // items newly run through the detectors this cycle
  std::string language_backend;       // what identified languages this cycle ("" = not run)
  int64_t duplicate_groups = 0, duplicate_items = 0, conflicting_groups = 0;
  int64_t held_duplicates = 0;        // not shown: their group's representative is in review
  std::vector<RuleRecord> rules;
  int64_t rule_accepted = 0;          // of auto_accepted, accepted by a rule
  double seconds = 0.0;
  // Model choice and pool-learnt representations (loop/model_choice.h), as JSON.
  std::string model_choice_json;      // {"mode": "fixed"|"auto", "model": SPEC, ...}
  std::string representations_json;   // [{"name", "path", "learnt", ...}]
  int64_t accepted_trained = 0;       // auto-accepted labels trained on (train_on_accepted)
};

std::string CycleRecordToJson(const CycleRecord& r);

Result<CycleRecord> RunCycle(Store& store, const Project& project, const CycleOptions& options);

// Models directory for a project next to its database: "<db_path>.models/<project name>".
std::string DefaultModelsDir(const std::string& db_path, const std::string& project);

}  // namespace hitloop::loop
