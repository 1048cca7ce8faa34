#include "loop/multilabel.h"

#include <algorithm>
#include <chrono>

#include "core/stopwatch.h"
#include "loop/model_choice.h"
#include "loop/novelty.h"
#include "model/registry.h"
#include "model/representation.h"

namespace hitloop::loop {
namespace {

Status CheckSizes(const PlanInput& in) {
  const size_t n = in.pool.size();
  const int k = static_cast<int>(in.labels.size());
  if (k < 1 || k > kMaxMultiLabels) {
    return InvalidArgument("loop: a multi-label project needs 1 to " +
                           std::to_string(kMaxMultiLabels) + " labels, not " + std::to_string(k));
  }
  if (in.train_label.size() != n || in.audit_label.size() != n ||
      (!in.audit_pending.empty() && in.audit_pending.size() != n) ||
      (!in.was_auto.empty() && in.was_auto.size() != n) ||
      (!in.meta_json.empty() && in.meta_json.size() != n) ||
      (!in.detections.empty() && in.detections.size() != n) ||
      (!in.seed_boost.empty() && in.seed_boost.size() != n) ||
      (!in.audit_stratified.empty() && in.audit_stratified.size() != n)) {
    return InvalidArgument("loop: plan input sizes disagree");
  }
  const int full = (1 << k) - 1;
  for (size_t i = 0; i < n; ++i) {
    if (in.train_label[i] > full || in.audit_label[i] > full) {
      return InvalidArgument("loop: label set out of range");
    }
  }
  return Status::Ok();
}

}  // namespace

int LabelSetMask(std::span<const std::string> names, std::span<const std::string> labels) {
  if (names.size() > static_cast<size_t>(kMaxMultiLabels)) return -1;
  int mask = 0;
  for (const std::string& l : labels) {
    const auto it = std::find(names.begin(), names.end(), l);
    if (it == names.end()) return -1;
    mask |= 1 << (it - names.begin());
  }
  return mask;
}

std::vector<std::string> LabelSetNames(std::span<const std::string> names, int mask) {
  std::vector<std::string> out;
  for (size_t j = 0; j < names.size() && j < static_cast<size_t>(kMaxMultiLabels); ++j) {
    if (mask >> j & 1) out.push_back(names[j]);
  }
  return out;
}

std::string LabelSetText(std::span<const std::string> names, int mask) {
  std::string out;
  for (const std::string& l : LabelSetNames(names, mask)) {
    if (!out.empty()) out += ',';
    out += l;
  }
  return out;
}

SetPrediction PredictSet(std::span<const float> p) {
  SetPrediction s;
  if (p.empty()) return s;
  double weakest = 1.0;
  for (size_t j = 0; j < p.size(); ++j) {
    if (p[j] >= 0.5f) s.mask |= 1 << j;
    weakest = std::min<double>(weakest, std::max(p[j], 1.0f - p[j]));
  }
  if (s.mask == 0) {  // answers are never empty: the most likely label, a weak decision
    const size_t top = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    s.mask = 1 << top;
    weakest = std::min<double>(weakest, p[top]);
  }
  s.confidence = std::max(0.5, weakest);
  return s;
}

LabelCounts CountLabels(std::span<const int> train_mask, int num_labels, int min_labels) {
  LabelCounts c;
  c.positives.assign(num_labels, 0);
  c.negatives.assign(num_labels, 0);
  for (int m : train_mask) {
    if (m < 0) continue;
    ++c.training;
    for (int j = 0; j < num_labels; ++j) ++(m >> j & 1 ? c.positives : c.negatives)[j];
  }
  c.cold.assign(num_labels, 0);
  for (int j = 0; j < num_labels; ++j) {
    c.cold[j] = c.positives[j] < min_labels || c.negatives[j] < min_labels;
  }
  return c;
}

Status TrainAndPredictPerLabel(std::span<const model::Example> pool,
                               std::span<const int> train_mask, const LabelCounts& counts,
                               const std::string& classifier,
                               const model::ClassifierOptions& options,
                               std::vector<std::unique_ptr<model::Classifier>>* models,
                               std::vector<float>* label_probs) {
  const size_t n = pool.size();
  const size_t k = counts.cold.size();
  std::vector<model::Example> fit;
  std::vector<size_t> fit_pos;
  for (size_t i = 0; i < n; ++i) {
    if (train_mask[i] >= 0) {
      fit.push_back(pool[i]);
      fit_pos.push_back(i);
    }
  }
  models->clear();
  models->resize(k);
  label_probs->assign(n * k, 0.0f);
  std::vector<int> y(fit.size());
  std::vector<float> out(n * 2);
  for (size_t j = 0; j < k; ++j) {
    if (counts.cold[j]) {
      const float rate =
          static_cast<float>(counts.positives[j] + 1) / static_cast<float>(counts.training + 2);
      for (size_t i = 0; i < n; ++i) (*label_probs)[i * k + j] = rate;
      continue;
    }
    for (size_t r = 0; r < fit.size(); ++r) y[r] = train_mask[fit_pos[r]] >> j & 1;
    ASSIGN_OR_RETURN(auto m, model::CreateClassifier(classifier, options));
    RETURN_IF_ERROR(m->Train(fit, y, 2));
    RETURN_IF_ERROR(m->Predict(pool, out));
    for (size_t i = 0; i < n; ++i) (*label_probs)[i * k + j] = out[i * 2 + 1];
    (*models)[j] = std::move(m);
  }
  return Status::Ok();
}

Result<CyclePlan> PlanMultiLabelCycle(const PlanInput& in) {
  RETURN_IF_ERROR(CheckSizes(in));
  const size_t n = in.pool.size();
  const int k = static_cast<int>(in.labels.size());
  const LabelCounts counts = CountLabels(in.train_label, k, in.config.min_labels_per_class);
  CyclePlan plan;
  plan.label_positives = counts.positives;
  plan.label_negatives = counts.negatives;
  plan.label_cold = counts.cold;
  plan.training_size = counts.training;
  plan.training_per_class = {counts.training, 0};
  plan.cold_class = {0, 0};
  // No model while every label is cold: the single-label cold start (seed items, audits drawn).
  plan.cold_start =
      std::all_of(counts.cold.begin(), counts.cold.end(), [](uint8_t c) { return c; });
  // "auto" compares single-label candidates; one-vs-rest uses the default model.
  plan.model_spec = in.config.model == "auto" ? "logreg" : in.config.model;
  std::vector<int> syn_train(n), syn_audit(n, -1);
  for (size_t i = 0; i < n; ++i) syn_train[i] = in.train_label[i] >= 0 ? 0 : -1;
  if (!plan.cold_start) {
    auto t0 = SteadyClock::now();
    ASSIGN_OR_RETURN(std::vector<model::Example> view,
                     ViewForSpec(plan.model_spec, in.blocks, in.pool, &plan.view_rows));
    ASSIGN_OR_RETURN(model::ModelSpec spec, model::ParseModelSpec(plan.model_spec));
    RETURN_IF_ERROR(TrainAndPredictPerLabel(view, in.train_label, counts, spec.classifier,
                                            in.model_options, &plan.label_models,
                                            &plan.label_probs));
    plan.seconds_train = SecondsSince(t0);
    t0 = SteadyClock::now();
    plan.label_sets.resize(n);
    plan.probs.resize(n * 2);
    for (size_t i = 0; i < n; ++i) {
      const SetPrediction s = PredictSet(
          std::span<const float>(plan.label_probs).subspan(i * k, static_cast<size_t>(k)));
      plan.label_sets[i] = s.mask;
      plan.probs[i * 2] = static_cast<float>(s.confidence);
      plan.probs[i * 2 + 1] = static_cast<float>(1.0 - s.confidence);
      // The audit's success event: the audited set is exactly the current predicted set.
      if (in.audit_label[i] >= 0) syn_audit[i] = in.audit_label[i] == s.mask ? 0 : 1;
    }
    std::vector<const text::SparseRow*> train_rows;
    for (size_t i = 0; i < n; ++i) {
      if (in.train_label[i] >= 0) train_rows.push_back(in.pool[i].features);
    }
    const std::vector<int> train_y(train_rows.size(), 0);
    NoveltyScorer nov;
    if (!in.blocks.empty()) nov.set_feature_limit(in.blocks.front().begin);
    nov.Fit(train_rows, train_y, 1, in.text_dim);
    plan.novelty.resize(n);
    for (size_t i = 0; i < n; ++i) plan.novelty[i] = nov.Score(*in.pool[i].features);
    plan.seconds_predict = SecondsSince(t0);
  }
  // The decision core on the two set-level columns (certify, route, order, draw audits).
  PlanInput syn = in;
  syn.labels = {kSetClass, kSetOtherClass};
  syn.train_label = syn_train;
  syn.audit_label = syn_audit;
  syn.config.new_classes.clear();
  syn.rule_label = {};
  syn.rule_id = {};
  syn.rule_confidence = {};
  syn.review_rep = {};
  syn.rule_names.clear();
  syn.accepted_label = {};
  syn.external_probs = {};
  syn.external_novelty = {};
  RETURN_IF_ERROR(DecideFromPredictions(syn, &plan));
  return plan;
}

}  // namespace hitloop::loop
