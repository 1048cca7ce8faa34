#pragma once
// The whole-loop simulation for multi-label data (`hitloop simulate loop --multi-label`): each
// cycle runs the product's own PlanMultiLabelCycle (loop/multilabel.h) on the in-memory state;
// simulated people answer the new uniform audits and the top `review_batch` review items with
// the item's full gold label set (with probability `noise` one label of it, chosen uniformly, is
// flipped; an answer is never empty). Gold sets are read only to simulate answers and to score.
//
// Differences from the single-label simulation (loop/simulate.h), kept simple on purpose: one
// person per audit (no second opinion), one per review item (no overlap), no stratified
// monitoring audits and audits drawn from the whole pool (audit_region "pool").
// Stopping rule (never looks at gold), as the single-label simulation's: nothing left; or what is
// left fits in one batch; or a coverage plateau — only while a certificate is held or none is
// reachable, once 2 x MinAuditsNeeded audits have set confidence >= 0.99 (or 8 x MinAuditsNeeded
// audits exist), the best auto-accepted count grew by less than min_gain x batch over the last
// `patience` cycles and this cycle is not in a dip; or max_cycles. Items left at the stop are
// labelled by people and counted as human labels.
//
// Ownership: the caller owns the input. Errors: InvalidArgument on bad input; model errors pass
// through.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/simulate.h"

namespace hitloop::loop {

struct MultiLabelSimInput {
  std::vector<std::string> labels;  // L label names (at most kMaxMultiLabels)
  std::span<const model::Example> pool;
  std::span<const int> pool_gold;        // label-set masks, non-zero
  std::span<const model::Example> test;  // may be empty
  std::span<const int> test_gold;
  uint32_t text_dim = 0;
};

struct MultiLabelCycleMetrics {
  int run = 0, cycle = 0;
  int64_t training_size = 0, human_labels = 0, audit_labels = 0;
  int64_t auto_accepted = 0, remaining = 0;
  bool certified = false;
  double threshold = 0.0;
  double realised_precision = 1.0;  // exact-match share of this cycle's accepted sets (gold)
  double test_exact_match = 0.0;    // this cycle's predicted sets on the test set (0 = none)
  double seconds = 0.0;
};

struct MultiLabelRunResult {
  int run = 0;
  uint64_t seed = 0;
  int64_t pool_size = 0;
  int64_t human_labels = 0;  // review answers + remainder_by_people
  int64_t audit_labels = 0;
  double human_fraction = 0.0;  // (human_labels + audit_labels) / pool_size
  int64_t auto_accepted = 0;
  int64_t remainder_by_people = 0;
  double final_exact_match = 0.0;     // every final label set vs gold (set-level accuracy)
  double final_label_accuracy = 0.0;  // every final label decision vs gold (Hamming accuracy)
  std::optional<double> auto_accepted_precision;  // exact match of the accepted sets
  std::vector<double> label_precision;  // per label: accepted decisions "present" that are right
                                        // (1 when the label was never accepted as present)
  bool guarantee_held = true;           // auto_accepted_precision >= target (vacuous when none)
  bool label_guarantee_held = true;     // every label_precision >= target
  double estimated_precision_lower_bound = 0.0;
  int first_certificate_cycle = -1;
  int cycles = 0;
  std::string stop_reason;
  double final_test_exact_match = 0.0;
  double seconds = 0.0;
};

struct MultiLabelSimResult {
  std::vector<MultiLabelRunResult> runs;
  std::vector<MultiLabelCycleMetrics> cycles;
};

using MultiLabelSimProgress = std::function<void(const MultiLabelCycleMetrics&)>;

// Uses options.config, noise, repeats, seed, max_cycles, patience, min_gain and model_options.
Result<MultiLabelSimResult> SimulateMultiLabelLoop(const MultiLabelSimInput& in,
                                                   const LoopSimOptions& options,
                                                   const MultiLabelSimProgress& progress = {});

// Active learning alone for multi-label data (`hitloop simulate al --multi-label`): per repeat, a
// random seed set shared by every strategy, then cycles of: one-vs-rest models on the bought sets
// (loop/multilabel.h, the loop's own training) -> the strategy picks `batch` unbought items ->
// their gold sets are bought; after every cycle the predicted sets are scored on the test items.
// Strategies: "random"; "min-margin" (lowest set confidence first: the weakest label decision,
// what the live loop orders its review queue by); "mean-margin" (lowest mean |p_j - 0.5|).
struct MultiLabelAlOptions {
  std::vector<std::string> strategies = {"random", "min-margin", "mean-margin"};
  int repeats = 3;
  size_t seed_size = 20;
  size_t batch = 50;
  size_t max_labels = 1000;  // 0 = the whole pool
  std::string model = "logreg";
  model::ClassifierOptions model_options;
  uint64_t seed = 1;
};
struct MultiLabelAlPoint {
  std::string strategy;
  int repeat = 0;
  size_t labels = 0;
  double exact_match = 0.0;     // predicted sets equal to gold on the test items
  double label_accuracy = 0.0;  // label decisions right on the test items
};
// InvalidArgument for an unknown strategy, empty test set or bad masks.
Result<std::vector<MultiLabelAlPoint>> SimulateMultiLabelAl(const MultiLabelSimInput& in,
                                                            const MultiLabelAlOptions& o);

}  // namespace hitloop::loop
