#include "loop/plan.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "core/rng.h"
#include "core/stopwatch.h"
#include "loop/model_choice.h"
#include "loop/novelty.h"
#include "model/registry.h"

namespace hitloop::loop {

int ConfidenceBand(double confidence) {
  int b = 0;
  for (double edge : kConfidenceBands) b += confidence >= edge;
  return b;
}

std::string ConfidenceBandName(int band) {
  constexpr int kEdges = static_cast<int>(std::size(kConfidenceBands));
  auto num = [](double v) {
    std::string s = std::to_string(v);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  };
  const std::string lo = band == 0 ? "0" : num(kConfidenceBands[band - 1]);
  const std::string hi = band >= kEdges ? "1]" : num(kConfidenceBands[band]) + ")";
  return "[" + lo + "," + hi;
}

Result<CyclePlan> PlanCycle(const PlanInput& in) {
  const int k = static_cast<int>(in.labels.size());
  const size_t n = in.pool.size();
  if (k < 2) return InvalidArgument("loop: a project needs at least 2 labels");
  if (in.train_label.size() != n || in.audit_label.size() != n ||
      (!in.audit_pending.empty() && in.audit_pending.size() != n) ||
      (!in.was_auto.empty() && in.was_auto.size() != n) ||
      (!in.meta_json.empty() && in.meta_json.size() != n) ||
      (!in.detections.empty() && in.detections.size() != n) ||
      (!in.seed_boost.empty() && in.seed_boost.size() != n) ||
      (!in.review_rep.empty() && in.review_rep.size() != n) ||
      (!in.audit_stratified.empty() && in.audit_stratified.size() != n)) {
    return InvalidArgument("loop: plan input sizes disagree");
  }
  CyclePlan plan;
  plan.training_per_class.assign(k, 0);
  std::vector<model::Example> train_ex;
  std::vector<int> train_y;
  std::vector<const text::SparseRow*> train_rows;
  for (size_t i = 0; i < n; ++i) {
    const int y = in.train_label[i];
    if (y < 0) continue;
    if (y >= k) return InvalidArgument("loop: training label out of range");
    ++plan.training_per_class[y];
    train_ex.push_back(in.pool[i]);
    train_y.push_back(y);
    train_rows.push_back(in.pool[i].features);
  }
  plan.training_size = static_cast<int64_t>(train_y.size());
  plan.cold_class.assign(k, 0);
  int warm = 0;
  for (int c = 0; c < k; ++c) {
    plan.cold_class[c] = plan.training_per_class[c] < in.config.min_labels_per_class;
    warm += !plan.cold_class[c];
  }
  plan.cold_start = warm < 2;
  plan.model_spec = in.config.model;
  if (!in.external_probs.empty()) {
    if (in.external_probs.size() != n * static_cast<size_t>(k) ||
        (!in.external_novelty.empty() && in.external_novelty.size() != n)) {
      return InvalidArgument("loop: external predictions' sizes disagree with the pool");
    }
    plan.cold_start = false;
    plan.cold_class.assign(k, 0);
    plan.model_spec = in.external_spec;
    plan.probs.assign(in.external_probs.begin(), in.external_probs.end());
    plan.novelty.assign(n, 0.0);
    if (!in.external_novelty.empty()) {
      plan.novelty.assign(in.external_novelty.begin(), in.external_novelty.end());
    }
  } else if (!plan.cold_start) {
    // Model choice (loop/model_choice.h) on people's labels only, then the pool as the chosen
    // spec sees it.
    auto t0 = SteadyClock::now();
    ASSIGN_OR_RETURN(ModelResolution res, ResolveModel(in.config, in.blocks, train_ex, train_y, k,
                                                       in.model_options, in.seed));
    plan.model_spec = res.spec;
    plan.model_choice = std::move(res.choice);
    plan.seconds_choice = SecondsSince(t0);
    ASSIGN_OR_RETURN(std::vector<model::Example> view,
                     ViewForSpec(plan.model_spec, in.blocks, in.pool, &plan.view_rows));
    std::vector<model::Example> fit_ex;
    std::vector<int> fit_y = train_y;
    for (size_t i = 0; i < n; ++i) {
      if (in.train_label[i] >= 0) fit_ex.push_back(view[i]);
    }
    // Semi-supervision: certified auto-accepted labels join the training set (not audited or
    // audit-pending items: their audit answers must judge a model that did not see them).
    if (in.config.train_on_accepted && in.accepted_label.size() == n) {
      for (size_t i = 0; i < n; ++i) {
        const int y = in.accepted_label[i];
        if (y < 0 || y >= k || in.train_label[i] >= 0 || in.audit_label[i] >= 0 ||
            (!in.audit_pending.empty() && in.audit_pending[i])) {
          continue;
        }
        fit_ex.push_back(view[i]);
        fit_y.push_back(y);
        ++plan.accepted_trained;
      }
    }
    t0 = SteadyClock::now();
    ASSIGN_OR_RETURN(model::ModelSpec spec, model::ParseModelSpec(plan.model_spec));
    ASSIGN_OR_RETURN(plan.model, model::CreateClassifier(spec.classifier, in.model_options));
    RETURN_IF_ERROR(plan.model->Train(fit_ex, fit_y, k));
    plan.seconds_train = SecondsSince(t0);
    t0 = SteadyClock::now();
    plan.probs.assign(n * k, 0.0f);
    RETURN_IF_ERROR(plan.model->Predict(view, plan.probs));
    NoveltyScorer nov;
    if (!in.blocks.empty()) nov.set_feature_limit(in.blocks.front().begin);
    nov.Fit(train_rows, train_y, k, in.text_dim);
    plan.novelty.resize(n);
    for (size_t i = 0; i < n; ++i) plan.novelty[i] = nov.Score(*in.pool[i].features);
    plan.seconds_predict = SecondsSince(t0);
  }
  RETURN_IF_ERROR(DecideFromPredictions(in, &plan));
  return plan;
}

}  // namespace hitloop::loop
