#include "loop/simulate_multilabel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include "core/rng.h"
#include "core/stopwatch.h"
#include "loop/multilabel.h"

namespace hitloop::loop {
namespace {

// A simulated person's answer: the gold set, with one label flipped with probability `noise`
// (never leaving the set empty).
int AnswerSet(int gold, int k, double noise, Rng& rng) {
  if (noise <= 0 || rng.Uniform() >= noise) return gold;
  const int flipped = gold ^ (1 << rng.Below(static_cast<uint64_t>(k)));
  return flipped == 0 ? gold : flipped;
}

// Exact-match share of the model's predicted sets on the test items (0 without test items).
Result<double> TestExactMatch(const MultiLabelSimInput& in, const CyclePlan& plan) {
  const size_t n = in.test.size();
  const size_t k = in.labels.size();
  if (n == 0 || plan.cold_start) return 0.0;
  std::vector<float> probs(n * k), out(n * 2);
  for (size_t j = 0; j < k; ++j) {
    if (!plan.label_models[j]) {
      const float rate = static_cast<float>(plan.label_positives[j] + 1) /
                         static_cast<float>(plan.training_size + 2);
      for (size_t i = 0; i < n; ++i) probs[i * k + j] = rate;
      continue;
    }
    RETURN_IF_ERROR(plan.label_models[j]->Predict(in.test, out));
    for (size_t i = 0; i < n; ++i) probs[i * k + j] = out[i * 2 + 1];
  }
  int64_t right = 0;
  for (size_t i = 0; i < n; ++i) {
    right += PredictSet(std::span<const float>(probs).subspan(i * k, k)).mask == in.test_gold[i];
  }
  return static_cast<double>(right) / static_cast<double>(n);
}

struct RunState {
  std::vector<int> train, audit;
  int64_t human = 0, audits = 0;
  int64_t best_accepted = 0;
  std::vector<int64_t> accepted_history;
};

// Scores the final labels of one run: people's answers, the accepted sets, the remainder.
void ScoreRun(const MultiLabelSimInput& in, const CyclePlan& plan, const RunState& s,
              const std::vector<int>& remainder, double target, MultiLabelRunResult* r) {
  const size_t n = in.pool.size();
  const int k = static_cast<int>(in.labels.size());
  int64_t exact = 0, decisions_right = 0, acc = 0, acc_exact = 0;
  std::vector<int64_t> present(k, 0), present_right(k, 0);
  for (size_t i = 0; i < n; ++i) {
    int final_set = s.train[i] >= 0 ? s.train[i] : s.audit[i] >= 0 ? s.audit[i] : remainder[i];
    const bool accepted = final_set < 0 && !plan.routing.decisions.empty() &&
                          plan.routing.decisions[i].route == Route::kAccept;
    if (accepted) {
      final_set = plan.label_sets[i];
      ++acc;
      acc_exact += final_set == in.pool_gold[i];
      for (int j = 0; j < k; ++j) {
        if (!(final_set >> j & 1)) continue;
        ++present[j];
        present_right[j] += in.pool_gold[i] >> j & 1;
      }
    }
    exact += final_set == in.pool_gold[i];
    for (int j = 0; j < k; ++j)
      decisions_right += (final_set >> j & 1) == (in.pool_gold[i] >> j & 1);
  }
  r->auto_accepted = acc;
  r->final_exact_match = static_cast<double>(exact) / static_cast<double>(n);
  r->final_label_accuracy = static_cast<double>(decisions_right) / static_cast<double>(n * k);
  if (acc > 0)
    r->auto_accepted_precision = static_cast<double>(acc_exact) / static_cast<double>(acc);
  r->guarantee_held = !r->auto_accepted_precision || *r->auto_accepted_precision >= target;
  r->label_precision.assign(k, 1.0);
  for (int j = 0; j < k; ++j) {
    if (present[j] > 0) {
      r->label_precision[j] =
          static_cast<double>(present_right[j]) / static_cast<double>(present[j]);
    }
    r->label_guarantee_held = r->label_guarantee_held && r->label_precision[j] >= target;
  }
}

// One cycle's answers: the new audits and the top batch of the review order.
void AnswerCycle(const MultiLabelSimInput& in, const CyclePlan& plan, int batch, double noise,
                 Rng& rng, RunState* s) {
  const int k = static_cast<int>(in.labels.size());
  for (size_t j = 0; j < plan.model_audits && j < plan.new_audits.size(); ++j) {
    const size_t i = plan.new_audits[j];
    if (s->audit[i] >= 0 || s->train[i] >= 0) continue;
    s->audit[i] = AnswerSet(in.pool_gold[i], k, noise, rng);
    ++s->audits;
  }
  int given = 0;
  for (size_t i : plan.review_order) {
    if (given >= batch) break;
    if (s->train[i] >= 0 || s->audit[i] >= 0) continue;
    s->train[i] = AnswerSet(in.pool_gold[i], k, noise, rng);
    ++s->human;
    ++given;
  }
}

Result<MultiLabelRunResult> RunOnce(const MultiLabelSimInput& in, const LoopSimOptions& o, int run,
                                    std::vector<MultiLabelCycleMetrics>* cycles,
                                    const MultiLabelSimProgress& progress) {
  const auto t_run = SteadyClock::now();
  const size_t n = in.pool.size();
  const int k = static_cast<int>(in.labels.size());
  MultiLabelRunResult r;
  r.run = run;
  r.seed = o.seed + static_cast<uint64_t>(run) * 7919;
  r.pool_size = static_cast<int64_t>(n);
  Rng rng(r.seed);
  RunState s;
  s.train.assign(n, -1);
  s.audit.assign(n, -1);
  const int batch = o.config.review_batch;
  const int64_t need = o.config.min_audits_needed();
  CyclePlan plan;
  for (int cycle = 1;; ++cycle) {
    const auto t0 = SteadyClock::now();
    PlanInput pi;
    pi.labels = in.labels;
    pi.pool = in.pool;
    pi.train_label = s.train;
    pi.audit_label = s.audit;
    pi.text_dim = in.text_dim;
    pi.config = o.config;
    pi.model_options = o.model_options;
    pi.seed = r.seed * 1000003ULL + static_cast<uint64_t>(cycle);
    ASSIGN_OR_RETURN(plan, PlanMultiLabelCycle(pi));
    MultiLabelCycleMetrics m;
    m.run = run;
    m.cycle = cycle;
    m.training_size = plan.training_size;
    m.auto_accepted = plan.routing.accepted;
    m.certified = std::isfinite(plan.certification.ThresholdFor(0));
    m.threshold = m.certified ? plan.certification.ThresholdFor(0) : 0.0;
    int64_t acc_exact = 0, left = 0;
    for (size_t i = 0; i < n; ++i) {
      const Route route = plan.routing.decisions[i].route;
      if (route == Route::kAccept) acc_exact += plan.label_sets[i] == in.pool_gold[i];
      left += s.train[i] < 0 && s.audit[i] < 0 && route != Route::kAccept;
    }
    m.remaining = left;
    if (m.auto_accepted > 0) {
      m.realised_precision = static_cast<double>(acc_exact) / static_cast<double>(m.auto_accepted);
    }
    ASSIGN_OR_RETURN(m.test_exact_match, TestExactMatch(in, plan));
    if (m.certified && r.first_certificate_cycle < 0) r.first_certificate_cycle = cycle;
    r.estimated_precision_lower_bound = plan.audit_precision.lower_bound;
    r.final_test_exact_match = m.test_exact_match;
    s.accepted_history.push_back(m.auto_accepted);
    s.best_accepted = std::max(s.best_accepted, m.auto_accepted);
    r.cycles = cycle;
    // Stop? The plateau waits while a certificate is reachable and none is held (as
    // loop/simulate.h): unless the most confident tested region is shown more than epsilon wrong
    // or the draw region cannot hold the audits a certificate needs.
    bool waiting = o.wait_for_certificate && !m.certified;
    if (waiting && !plan.cold_start) {
      const ThresholdCertificate& first = plan.certification.global;
      if (!plan.certification.per_class && first.tested > 0 && first.errors > 0) {
        const double lower = 1.0 - ClopperPearsonUpper(first.audits - first.errors, first.audits,
                                                       1.0 - o.config.confidence);
        if (lower > 1.0 - o.config.target_precision) waiting = false;
      }
      if (plan.draw_region_size + plan.audits_total < need) waiting = false;
    }
    int64_t high_conf_audits = 0;
    for (size_t i = 0; i < n && !plan.probs.empty(); ++i) {
      high_conf_audits += s.audit[i] >= 0 && plan.probs[i * 2] >= 0.99f;
    }
    const auto& h = s.accepted_history;
    const bool plateau_allowed = !waiting && (high_conf_audits >= 2 * need || s.audits >= 8 * need);
    bool plateau = false;
    if (plateau_allowed && static_cast<int>(h.size()) > o.patience) {
      const int64_t then = *std::max_element(h.begin(), h.end() - o.patience);
      plateau =
          s.best_accepted - then < static_cast<int64_t>(o.min_gain * batch) &&
          m.auto_accepted >= static_cast<int64_t>(0.95 * static_cast<double>(s.best_accepted));
    }
    if (left == 0)
      r.stop_reason = "nothing left";
    else if (left <= batch)
      r.stop_reason = "the rest fits in one batch";
    else if (plateau)
      r.stop_reason = "coverage plateau";
    else if (cycle >= o.max_cycles)
      r.stop_reason = "max cycles";
    if (!r.stop_reason.empty()) {
      m.human_labels = s.human;
      m.audit_labels = s.audits;
      m.seconds = SecondsSince(t0);
      cycles->push_back(m);
      if (progress) progress(m);
      break;
    }
    AnswerCycle(in, plan, batch, o.noise, rng, &s);
    m.human_labels = s.human;
    m.audit_labels = s.audits;
    m.seconds = SecondsSince(t0);
    cycles->push_back(m);
    if (progress) progress(m);
  }
  // The rest is labelled by people.
  std::vector<int> remainder(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (s.train[i] >= 0 || s.audit[i] >= 0 || plan.routing.decisions[i].route == Route::kAccept) {
      continue;
    }
    remainder[i] = AnswerSet(in.pool_gold[i], k, o.noise, rng);
    ++r.remainder_by_people;
  }
  r.human_labels = s.human + r.remainder_by_people;
  r.audit_labels = s.audits;
  r.human_fraction = static_cast<double>(r.human_labels + r.audit_labels) / static_cast<double>(n);
  ScoreRun(in, plan, s, remainder, o.config.target_precision, &r);
  r.seconds = SecondsSince(t_run);
  return r;
}

// Scores of the unbought items for `strategy` (lower = asked first) from n x k probabilities.
double AlScore(const std::string& strategy, std::span<const float> p, Rng& rng) {
  if (strategy == "random") return rng.Uniform();
  if (strategy == "min-margin") return PredictSet(p).confidence;
  double sum = 0;
  for (float x : p) sum += std::abs(x - 0.5f);
  return sum / static_cast<double>(p.size());
}

Status AlRun(const MultiLabelSimInput& in, const MultiLabelAlOptions& o,
             const std::string& strategy, int repeat, const std::vector<size_t>& seed_items,
             std::vector<MultiLabelAlPoint>* out) {
  const size_t n = in.pool.size(), m = in.test.size();
  const int k = static_cast<int>(in.labels.size());
  std::vector<model::Example> all(in.pool.begin(), in.pool.end());
  all.insert(all.end(), in.test.begin(), in.test.end());
  std::vector<int> bought(n + m, -1);
  for (size_t i : seed_items) bought[i] = in.pool_gold[i];
  size_t labels = seed_items.size();
  Rng rng(o.seed * 31 + static_cast<uint64_t>(repeat) * 7919 + std::hash<std::string>{}(strategy));
  const size_t cap = o.max_labels ? std::min(o.max_labels, n) : n;
  for (;;) {
    const LabelCounts counts = CountLabels(bought, k, 2);
    std::vector<std::unique_ptr<model::Classifier>> models;
    std::vector<float> probs;
    RETURN_IF_ERROR(
        TrainAndPredictPerLabel(all, bought, counts, o.model, o.model_options, &models, &probs));
    MultiLabelAlPoint pt{strategy, repeat, labels, 0, 0};
    int64_t exact = 0, right = 0;
    for (size_t t = 0; t < m; ++t) {
      const int pred = PredictSet(std::span<const float>(probs).subspan((n + t) * k, k)).mask;
      exact += pred == in.test_gold[t];
      for (int j = 0; j < k; ++j) right += (pred >> j & 1) == (in.test_gold[t] >> j & 1);
    }
    pt.exact_match = static_cast<double>(exact) / static_cast<double>(m);
    pt.label_accuracy = static_cast<double>(right) / static_cast<double>(m * k);
    out->push_back(pt);
    if (labels >= cap) return Status::Ok();
    std::vector<std::pair<double, size_t>> cand;
    for (size_t i = 0; i < n; ++i) {
      if (bought[i] < 0) {
        cand.emplace_back(AlScore(strategy, std::span<const float>(probs).subspan(i * k, k), rng),
                          i);
      }
    }
    const size_t take = std::min({o.batch, cand.size(), cap - labels});
    if (take == 0) return Status::Ok();
    std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(take), cand.end());
    for (size_t j = 0; j < take; ++j) bought[cand[j].second] = in.pool_gold[cand[j].second];
    labels += take;
  }
}

}  // namespace

Result<std::vector<MultiLabelAlPoint>> SimulateMultiLabelAl(const MultiLabelSimInput& in,
                                                            const MultiLabelAlOptions& o) {
  const int k = static_cast<int>(in.labels.size());
  if (k < 1 || k > kMaxMultiLabels || in.pool.empty() || in.test.empty() ||
      in.pool_gold.size() != in.pool.size() || in.test_gold.size() != in.test.size()) {
    return InvalidArgument(
        "simulate al --multi-label: needs a pool, a test set and 1 to 30 labels");
  }
  for (const std::string& s : o.strategies) {
    if (s != "random" && s != "min-margin" && s != "mean-margin") {
      return InvalidArgument("simulate al --multi-label: unknown strategy '" + s +
                             "' (random, min-margin, mean-margin)");
    }
  }
  std::vector<MultiLabelAlPoint> out;
  for (int r = 0; r < std::max(1, o.repeats); ++r) {
    Rng rng(o.seed + static_cast<uint64_t>(r) * 104729);
    std::vector<size_t> order(in.pool.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
    order.resize(std::min(o.seed_size, order.size()));
    for (const std::string& s : o.strategies) RETURN_IF_ERROR(AlRun(in, o, s, r, order, &out));
  }
  return out;
}

Result<MultiLabelSimResult> SimulateMultiLabelLoop(const MultiLabelSimInput& in,
                                                   const LoopSimOptions& options,
                                                   const MultiLabelSimProgress& progress) {
  const int k = static_cast<int>(in.labels.size());
  if (k < 1 || k > kMaxMultiLabels) return InvalidArgument("simulate loop: 1 to 30 labels");
  if (in.pool.empty() || in.pool_gold.size() != in.pool.size() ||
      in.test_gold.size() != in.test.size()) {
    return InvalidArgument("simulate loop: pool and gold sizes disagree");
  }
  for (int m : in.pool_gold) {
    if (m <= 0 || m >= (1 << k))
      return InvalidArgument("simulate loop: gold label set out of range");
  }
  if (options.config.audit_region != "pool") {
    return InvalidArgument("simulate loop --multi-label: only --audit-region pool is simulated");
  }
  LoopSimOptions o = options;
  o.config.audit_stratified_per_cycle = 0;
  MultiLabelSimResult res;
  for (int run = 0; run < std::max(1, o.repeats); ++run) {
    ASSIGN_OR_RETURN(MultiLabelRunResult r, RunOnce(in, o, run, &res.cycles, progress));
    res.runs.push_back(std::move(r));
  }
  return res;
}

}  // namespace hitloop::loop
