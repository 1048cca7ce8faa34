#pragma once
// The whole-loop simulation: the whole loop with simulated annotators who answer from the gold
// label (wrong with probability `noise`, then uniformly among the other classes). Each cycle runs
// the product's own PlanCycle (loop/plan.h) on the in-memory state, then the simulated people
// answer the new audits and the top `batch` review items (with the routing rule's overlap and an
// adjudicator on disagreement), until every pool item has a final label or the stopping rule
// ends the run. Gold labels of the pool are read only to simulate answers and to score the run.
//
// Audits (loop/audit_region.h): drawn uniformly per config.audit_region (every unlabelled item
// by default, or the candidate region); with
// config.audit_second_opinion an audit answer that disagrees with the model's label gets a second
// person, and an adjudicator when those two disagree; certification reads the final answer.
//
// Stopping rule (never looks at gold): stop when nothing is left; or when the items left fit in
// one batch; or, while no certificate holds AND none is reachable (the candidate region cannot
// hold the audits a certificate needs, or the most confident testable region's Clopper-Pearson
// lower error bound exceeds epsilon), once 2 x MinAuditsNeeded audits have confidence >= 0.99 (or
// 8 x MinAuditsNeeded audits exist in all), on a coverage plateau: the best
// auto-accepted count grew by less than min_gain x batch over the last `patience` cycles and the
// current cycle is not in a dip (< 95% of the best, e.g. after a failing audit); or at
// max_cycles. Items left at the stop are finalised BY PEOPLE and counted as human labels
// (`remainder_by_people`), so human_fraction is what a team would really pay.
//
// Ownership: the caller owns the input. Not thread-safe per call. Errors: InvalidArgument on bad
// input; model/strategy errors pass through.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/config.h"
#include "loop/metrics.h"
#include "model/classifier.h"
#include "model/representation.h"

namespace hitloop::loop {

struct LoopSimInput {
  std::vector<std::string> labels;         // class names, size k
  std::span<const model::Example> pool;
  std::span<const int> pool_gold;
  std::span<const std::string> pool_meta;  // may be empty
  std::span<const model::Example> test;    // may be empty
  std::span<const int> test_gold;
  uint32_t text_dim = 0;
  // Representation blocks appended to the pool rows (loop/model_choice.h); empty = plain rows.
  std::vector<model::RepresentationBlock> blocks;
};

// How many people answer a review item (`simulate loop --overlap-policy`):
//   kRule         the routing rule's overlap; on any disagreement an adjudicator's answer is final
//                 (what the live loop does, loop/answer.h; "rule", the default);
//   kFixed        `fixed_overlap` answers, the plurality label; a tie goes to an adjudicator
//                 ("1", "fixed:N");
//   kTwoThenThird two answers; only when they disagree a third person, whose answer is final (the
//                 majority of the three whenever one exists) ("2+1").
enum class OverlapPolicy { kRule, kFixed, kTwoThenThird };
struct OverlapSpec {
  OverlapPolicy policy = OverlapPolicy::kRule;
  int fixed = 1;  // answers per item for kFixed, in [1, 15]
};
// Parses "rule" | "1" | "fixed:N" | "2+1". Errors: InvalidArgument naming the accepted forms.
Result<OverlapSpec> ParseOverlapPolicy(const std::string& text);

struct LoopSimOptions {
  LoopConfig config;              // review_batch is the per-cycle human batch
  double noise = 0.0;             // annotator noise rate
  OverlapSpec overlap;            // review items only; audits follow audit_second_opinion
  int repeats = 1;
  uint64_t seed = 1;
  int max_cycles = 200;
  int patience = 3;
  double min_gain = 0.5;           // plateau: best coverage grew < min_gain x batch in `patience` cycles
  // false: the plateau may stop a run while a certificate is still reachable (the rule before
  // candidate-region audits; kept to reproduce earlier figures).
  bool wait_for_certificate = true;
  model::ClassifierOptions model_options;
  // Rule labels (loop/rules.h) from duplicates of people's labels, per config.autolabel, exactly as
  // the live cycle computes them; the labeler detector is not simulated (no detections here).
  bool rules = false;
};

struct LoopCycleMetrics {
  int run = 0;
  int cycle = 0;
  int64_t training_size = 0;
  int64_t human_labels = 0;       // cumulative human answers (review + adjudication)
  int64_t audit_labels = 0;       // cumulative
  int64_t auto_accepted = 0;      // accepted by this cycle's plan
  int64_t rule_accepted = 0;      // of which by a rule (duplicates of people's labels)
  int64_t rules_certified = 0;    // rules whose certificate holds this cycle
  int64_t requeued = 0;
  int64_t remaining = 0;          // neither labelled by people nor accepted
  bool certified = false;
  double threshold = 0.0;         // global (or the lowest per-class) certified threshold; 0 = none
  double estimated_precision_lower_bound = 0.0;
  double realised_precision = 1.0;  // of this cycle's accepted set vs gold (simulator only)
  int64_t audits_certifying = 0;  // audit answers inside the certificate's window this cycle
  double draw_threshold = 0.0;    // this cycle's audit draw region: confidence >= this (0 = pool)
  int audit_window_start = 0;
  // Diagnostics (simulator only; gold is read to score, never to decide):
  double oracle_accept = 0.0;       // the largest fraction of the pool an oracle knowing gold
                                    // could auto-accept with one threshold on this cycle's
                                    // confidences at precision >= target (items people have not
                                    // labelled); 1 - it is this cycle's floor on human_fraction
  double top_half_precision = 0.0;  // gold precision of the most confident half of those items
  int64_t cert_audits = 0;          // audits / errors in the region of the certified threshold
  int64_t cert_errors = 0;          // (or of the first failing test when none is certified)
  double first_tested_threshold = 0.0;  // the first candidate tested (0 = none) and its audits
  int64_t first_tested_audits = 0;
  int64_t first_tested_errors = 0;
  int candidates = 0;               // threshold candidates in this cycle's grid
  double lowest_candidate = 0.0;
  GoldMetrics test;               // test-set metrics of this cycle's model (n = 0 when none)
  double seconds = 0.0;
};

struct LoopRunResult {
  int run = 0;
  uint64_t seed = 0;
  int64_t pool_size = 0;
  int64_t human_labels = 0;       // human answers incl. remainder_by_people, overlap, adjudication
  int64_t audit_labels = 0;
  double human_fraction = 0.0;    // (human_labels + audit_labels) / pool_size
  int64_t auto_accepted = 0;
  int64_t remainder_by_people = 0;
  int64_t adjudications = 0;
  int64_t people_items = 0;       // items whose final label people gave (review + remainder)
  double people_accuracy = 0.0;   // of those final labels vs gold (1 when there are none)
  double answers_per_item = 0.0;  // review and remainder answers (incl. adjudication) / people_items
  int64_t audit_second_opinions = 0;  // audits answered twice (the first disagreed with the model)
  int64_t audit_adjudications = 0;    // of which the two disagreed: an adjudicator answered
  int first_certificate_cycle = -1;   // first cycle with a certified threshold; -1 = never
  int64_t audits_to_first_certificate = -1;  // audit answers (all people's) given before it
  int64_t audited_items_to_first_certificate = -1;  // items drawn for certifying audits before it
  bool certified_at_stop = false;
  double final_accuracy = 0.0;    // all final labels vs gold
  std::optional<double> auto_accepted_precision;  // nullopt when nothing was accepted
  double estimated_precision_lower_bound = 0.0;
  bool guarantee_held = true;     // realised precision >= target (vacuous when nothing accepted)
  int cycles = 0;
  std::string stop_reason;
  double final_test_accuracy = 0.0;
  double seconds = 0.0;
};

struct LoopSimResult {
  std::vector<LoopRunResult> runs;
  std::vector<LoopCycleMetrics> cycles;
};

using LoopSimProgress = std::function<void(const LoopCycleMetrics&)>;

Result<LoopSimResult> SimulateLoop(const LoopSimInput& in, const LoopSimOptions& options,
                                   const LoopSimProgress& progress = {});

}  // namespace hitloop::loop
