#pragma once
// Active-learning simulation (label efficiency): for each repeat and each strategy, start from a seeded
// seed set (seed_per_class items of every class, shared by all strategies of that repeat), then
// cycle: train the model on the bought labels → score the unlabelled pool → the strategy picks a
// batch → "buy" its gold labels; after every cycle evaluate on the test set. The model and
// strategy code is the same the live loop uses (model/registry.h, al/registry.h); gold labels
// of the pool are only read for items that have been bought.
//
// Ownership: the caller owns the input; RunSimulation keeps no reference after it returns.
// Errors: InvalidArgument for unknown strategies/models, empty pool or test, bad options.
// Not thread-safe per call (uses options.model_options.threads threads inside).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "al/curves.h"
#include "core/status.h"
#include "model/classifier.h"
#include "text/sparse.h"

namespace hitloop::al {

struct LabeledRows {
  std::vector<text::SparseRow> rows;
  std::vector<std::string> texts;  // may be empty strings (vector-only data)
  std::vector<int> labels;         // gold class ids in [0, num_classes)
};

struct SimulationInput {
  LabeledRows pool;
  LabeledRows test;
  int num_classes = 0;
};

struct SimulationOptions {
  std::vector<std::string> strategies = {"random", "margin"};
  int repeats = 5;
  int seed_per_class = 2;   // seed-set size per class (fewer when a class has fewer items)
  size_t batch = 50;
  size_t max_labels = 0;    // 0 = until the pool is exhausted
  std::string model = "logreg";
  model::ClassifierOptions model_options;
  uint64_t seed = 1;
  size_t stop_set_size = 1000;  // for the stabilising-predictions rule
  // Train the full-pool reference model (full_pool_accuracy). Speed runs switch it off: the
  // result then carries NaN accuracies and no target is reached.
  bool full_pool_reference = true;
  // Precision at which the full-pool model's oracle coverage on the test set is reported.
  double coverage_precision = 0.98;
};

struct StopPoint {
  std::string strategy;
  int repeat = 0;
  size_t labels = 0;   // labels when the rule first fired
  double accuracy = 0; // test accuracy of that round's model
};

struct SimulationResult {
  double full_pool_accuracy = 0;
  double full_pool_macro_f1 = 0;
  double full_pool_train_seconds = 0;
  // Share of the test set the full-pool model's confidences could auto-accept at precision >=
  // coverage_precision with one threshold, by an oracle that knows gold (al/coverage.h): the
  // ceiling of any certified auto-accept with this model even if every pool item were labelled.
  double full_pool_oracle_coverage = 0;
  std::vector<CurvePoint> curve;
  std::vector<StopPoint> stops;  // rounds at which the stopping rule said "stop here"
};

// Called after each evaluated cycle (for progress output); may be empty.
using SimulationProgress = std::function<void(const CurvePoint&)>;

Result<SimulationResult> RunSimulation(const SimulationInput& input,
                                       const SimulationOptions& options,
                                       const SimulationProgress& progress = {});

// Accuracy and macro-F1 (mean F1 over the classes present in `gold`).
std::pair<double, double> AccuracyAndMacroF1(const std::vector<int>& gold,
                                             const std::vector<int>& predicted, int num_classes);

}  // namespace hitloop::al
