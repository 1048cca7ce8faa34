#pragma once
// Multi-label projects through the loop: one binary model per label (one-vs-rest, the configured
// model and featurizer), the predicted label set, and a set-level certificate that reuses the
// single-label machinery unchanged (loop/certify.h through DecideFromPredictions).
//
// The reduction (docs/LOOP.md, "Multi-label projects"):
//   - An item's label set is a bitmask over the project's labels (bit j = label j; at most
//     kMaxMultiLabels labels). PlanInput::train_label and audit_label carry these masks (or -1).
//   - Per label j the model gives p_j; the predicted set holds the labels with p_j >= 0.5 (an
//     empty prediction takes the single most likely label: people's answers are never empty).
//     Each label decision is right with probability conf_j = max(p_j, 1 - p_j) (p_j for a label
//     forced in), and the item's set confidence is c = max(0.5, min_j conf_j): the weakest
//     decision.
//   - The decision core sees a two-class problem: class 0 "the predicted set" with probability c,
//     class 1 with 1 - c. An audit answer is "class 0" exactly when the audited set equals the
//     CURRENT predicted set. So the existing Learn-then-Test precision certificate, computed from
//     uniform audits only, bounds set-level exact match on {c >= t}: a set is auto-accepted only
//     when its weakest label decision clears the certified threshold, so every label decision is
//     covered (exact match implies each label's decision is right).
//   - Active learning sees the same two columns: margin = 2c - 1 = 2 min_j |p_j - 0.5| (entropy
//     and least-confidence order identically), i.e. the minimum per-label margin.
// Rule labels, external models, new-class seeding and training on accepted labels are not used for
// multi-label projects (their inputs are ignored).
//
// Ownership: the plan owns the per-label models. Thread-safety: pure apart from the models' own
// threads. Errors: InvalidArgument on inconsistent input or more than kMaxMultiLabels labels.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/plan.h"
#include "schema/types.h"

namespace hitloop::loop {

inline constexpr int kMaxMultiLabels = 30;  // label sets are bitmasks in an int
// Names of the decision core's two classes for a multi-label plan.
inline constexpr const char* kSetClass = "_set";
inline constexpr const char* kSetOtherClass = "_not_set";

// The mask of `labels` in `names` (-1 when one is unknown or there are too many names).
int LabelSetMask(std::span<const std::string> names, std::span<const std::string> labels);
// The labels of `mask`, in `names` order.
std::vector<std::string> LabelSetNames(std::span<const std::string> names, int mask);
// The canonical text of a set: its labels in `names` order joined by "," (Prediction::label of a
// multi-label prediction; labels cannot contain ',').
std::string LabelSetText(std::span<const std::string> names, int mask);

// The predicted set and its set confidence from one item's per-label probabilities.
struct SetPrediction {
  int mask = 0;
  double confidence = 0.5;  // max(0.5, min over labels of the decision's probability)
};
SetPrediction PredictSet(std::span<const float> label_probs);

// Per-label training data from people's label sets (mask or -1 per item): label j is "cold" while
// it has fewer than `min_labels` positive or negative training sets; a cold label has no model and
// is predicted by its smoothed training rate (positives + 1) / (training sets + 2).
struct LabelCounts {
  std::vector<int64_t> positives, negatives;  // L each
  std::vector<uint8_t> cold;                  // L
  int64_t training = 0;                       // items with a training set
};
LabelCounts CountLabels(std::span<const int> train_mask, int num_labels, int min_labels);

// Trains one binary model per warm label and writes n x L probabilities into *label_probs.
// `models` gets one entry per label (null for a cold label).
Status TrainAndPredictPerLabel(std::span<const model::Example> pool,
                               std::span<const int> train_mask, const LabelCounts& counts,
                               const std::string& classifier,
                               const model::ClassifierOptions& options,
                               std::vector<std::unique_ptr<model::Classifier>>* models,
                               std::vector<float>* label_probs);

// PlanCycle for a multi-label project: in.labels are the project's labels, in.train_label and
// in.audit_label label-set masks (or -1). Fills CyclePlan's multi-label fields (label_probs,
// label_sets, label_models, label_counts); plan.probs are the two decision-core columns.
Result<CyclePlan> PlanMultiLabelCycle(const PlanInput& in);

}  // namespace hitloop::loop
