#include "loop/simulate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <span>

#include "al/coverage.h"
#include "core/rng.h"
#include "loop/audit_region.h"
#include "loop/plan.h"
#include "loop/rules.h"

namespace hitloop::loop {
namespace {

using Clock = std::chrono::steady_clock;

// A simulated person: the gold label, or with probability `noise` a uniformly random other class.
int Answer(int gold, int k, double noise, Rng& rng) {
  if (noise <= 0 || rng.Uniform() >= noise) return gold;
  const int other = static_cast<int>(rng.Below(static_cast<uint64_t>(k - 1)));
  return other >= gold ? other + 1 : other;
}

// Simulated people for one run: every answer is the gold label, or with probability `noise` a
// uniformly random other class; each answer is counted in the run's result.
class SimulatedPeople {
 public:
  SimulatedPeople(std::span<const int> gold, int k, const LoopSimOptions& opt, Rng rng, LoopRunResult& run)
      : gold_(gold), k_(k), opt_(opt), rng_(rng), run_(run) {}

  // A review item per opt.overlap (simulate.h: OverlapPolicy); with kRule, `rule_overlap` answers
  // and on disagreement one adjudicator's answer is final (loop/answer.h does the same live).
  // Every answer counts as a human label.
  int Review(size_t i, int rule_overlap) {
    switch (opt_.overlap.policy) {
      case OverlapPolicy::kTwoThenThird: {
        const int a1 = Ask(i), a2 = Ask(i);
        return a1 == a2 ? a1 : Adjudicate(i);
      }
      case OverlapPolicy::kFixed: {
        std::map<int, int> votes;
        for (int a = 0; a < opt_.overlap.fixed; ++a) ++votes[Ask(i)];
        int best = -1, best_n = 0, tied = 0;
        for (const auto& [label, count] : votes) {
          if (count > best_n) {
            best = label;
            best_n = count;
            tied = 0;
          } else if (count == best_n) {
            ++tied;
          }
        }
        return tied ? Adjudicate(i) : best;
      }
      case OverlapPolicy::kRule:
        break;
    }
    std::map<int, int> votes;
    int first = -1;
    for (int a = 0; a < std::max(1, rule_overlap); ++a) {
      const int ans = Ask(i);
      if (first < 0) first = ans;
      ++votes[ans];
    }
    return votes.size() > 1 ? Adjudicate(i) : first;
  }

  // An audit: one person; when that answer disagrees with the model's label, a second person;
  // when the two disagree, an adjudicator's answer is final (audit_second_opinion; the live
  // loop does the same through loop/answer.h). Every answer counts as an audit label.
  int Audit(size_t i, int model_label) {
    const int a1 = Answer(gold_[i], k_, opt_.noise, rng_);
    ++run_.audit_labels;
    if (!opt_.config.audit_second_opinion || model_label < 0 || a1 == model_label) return a1;
    const int a2 = Answer(gold_[i], k_, opt_.noise, rng_);
    ++run_.audit_labels;
    ++run_.audit_second_opinions;
    if (a2 == a1) return a1;
    ++run_.audit_labels;
    ++run_.audit_adjudications;
    return Answer(gold_[i], k_, opt_.noise, rng_);
  }

 private:
  int Ask(size_t i) {
    ++run_.human_labels;
    return Answer(gold_[i], k_, opt_.noise, rng_);
  }
  int Adjudicate(size_t i) {
    ++run_.adjudications;
    return Ask(i);
  }

  std::span<const int> gold_;
  int k_;
  const LoopSimOptions& opt_;
  Rng rng_;
  LoopRunResult& run_;
};

// Oracle diagnostics (simulator only: gold scores, never decides) over the items people have not
// labelled, most confident first: the largest share of the pool one threshold could accept at
// precision >= 1 - epsilon, and the gold precision of the most confident half.
void FillOracleMetrics(const CyclePlan& plan, std::span<const int> train_label,
                       std::span<const int> audit_label, std::span<const int> gold, int k,
                       double epsilon, LoopCycleMetrics& cm) {
  if (plan.probs.empty()) return;
  const size_t n = gold.size();
  std::vector<std::pair<float, uint8_t>> open_items;
  for (size_t i = 0; i < n; ++i) {
    if (train_label[i] >= 0 || audit_label[i] >= 0) continue;
    const float* p = plan.probs.data() + i * k;
    const int pred = static_cast<int>(std::max_element(p, p + k) - p);
    open_items.emplace_back(p[pred], pred == gold[i] ? 1 : 0);
  }
  const size_t best = al::OracleCoverage(open_items, 1.0 - epsilon);
  std::sort(open_items.begin(), open_items.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  cm.oracle_accept = static_cast<double>(best) / static_cast<double>(n);
  const size_t half = open_items.size() / 2;
  int64_t half_ok = 0;
  for (size_t j = 0; j < half; ++j) half_ok += open_items[j].second;
  cm.top_half_precision = half ? static_cast<double>(half_ok) / static_cast<double>(half) : 0.0;
}

// The certificate's figures of one cycle: certified, its threshold, and the audits/errors in the
// region of the certified threshold (or of the first failing test when none is certified).
void FillCertificateMetrics(const CyclePlan& plan, LoopCycleMetrics& cm) {
  const Certification& cert = plan.certification;
  if (cert.per_class) {
    double lowest = 2;
    for (const auto& c : cert.classes) {
      if (c.certified) lowest = std::min(lowest, c.threshold);
    }
    cm.certified = lowest <= 1;
    cm.threshold = cm.certified ? lowest : 0;
  } else {
    cm.certified = cert.global.certified;
    cm.threshold = cm.certified ? cert.global.threshold : 0;
  }
  cm.estimated_precision_lower_bound = plan.audit_precision.lower_bound;
  const ThresholdCertificate none;
  const ThresholdCertificate* tc = &cert.global;
  if (cert.per_class) {  // the class with the lowest certified threshold, else class 0
    tc = cert.classes.empty() ? &none : &cert.classes[0];
    for (const auto& c : cert.classes) {
      if (c.certified && (!tc->certified || c.threshold < tc->threshold)) tc = &c;
    }
  }
  cm.cert_audits = tc->audits;
  cm.cert_errors = tc->errors;
  cm.first_tested_threshold = tc->tested > 0 && std::isfinite(tc->first_threshold) ? tc->first_threshold : 0.0;
  cm.first_tested_audits = tc->first_audits;
  cm.first_tested_errors = tc->first_errors;
  cm.candidates = static_cast<int>(plan.threshold_grid.size());
  cm.lowest_candidate = plan.threshold_grid.empty() ? 0.0 : plan.threshold_grid.back();
}


// The stopping rule (simulate.h; uses no gold): "" to go on, else why the run stops.
std::string StopReason(const LoopSimOptions& opt, const CyclePlan& plan, bool certified,
                       std::span<const int> audit_label, const std::vector<int64_t>& accepted_history,
                       int64_t remaining, int cycle, int k) {
  const double epsilon = 1.0 - opt.config.target_precision;
  const int64_t min_audits = opt.config.min_audits_needed();
  const Certification& cert = plan.certification;
  // Audits a high threshold (0.99) could be tested on: the plateau rule waits for enough of
  // them (or for 8 x MinAuditsNeeded audits in all) before it gives up on coverage.
  int64_t high_conf_audits = 0;
  if (!plan.probs.empty()) {
    for (size_t i = 0; i < audit_label.size(); ++i) {
      if (audit_label[i] < 0) continue;
      const float* p = plan.probs.data() + i * k;
      high_conf_audits += *std::max_element(p, p + k) >= 0.99f;
    }
  }
  // A certificate is reachable unless the candidate region is too small to hold the audits a
  // certificate needs, or the most confident testable region is already shown (Clopper-Pearson
  // lower bound at delta) to be more than epsilon wrong. The plateau never stops a run while
  // one is reachable and none is held: the audits may still certify.
  bool waiting_for_certificate = opt.wait_for_certificate && !certified;
  if (waiting_for_certificate && !plan.cold_start) {
    const ThresholdCertificate none;
    const ThresholdCertificate& first = cert.per_class ? none : cert.global;
    if (first.tested > 0 && first.errors > 0) {
      const double lower = 1.0 - ClopperPearsonUpper(first.audits - first.errors, first.audits,
                                                     1.0 - opt.config.confidence);
      if (lower > epsilon) waiting_for_certificate = false;
    }
    if (plan.draw_region_size + plan.audits_total < min_audits) waiting_for_certificate = false;
  }
  if (remaining == 0) return "every item final";
  if (remaining <= opt.config.review_batch) return "the rest fits in one batch";
  if (cycle + 1 >= opt.max_cycles) return "max cycles";
  if (cycle >= opt.patience && !waiting_for_certificate &&
      (high_conf_audits >= 2 * min_audits || plan.audits_total >= 8 * min_audits)) {
    // Plateau: the best coverage grew by less than min_gain x batch over the last `patience`
    // cycles, and this cycle is not in a dip (a dip after a failing audit recovers as audits
    // accumulate; stopping in one would hand people everything the dip withdrew).
    const int64_t accepted = accepted_history.back();
    const int64_t before = *std::max_element(accepted_history.begin(),
                                             accepted_history.end() - opt.patience);
    const int64_t best = *std::max_element(accepted_history.begin(), accepted_history.end());
    const bool in_dip = static_cast<double>(accepted) < 0.95 * static_cast<double>(best);
    if (!in_dip && static_cast<double>(best - before) <
                       opt.min_gain * static_cast<double>(opt.config.review_batch)) {
      return "coverage plateau";
    }
  }
  return "";
}

}  // namespace

Result<OverlapSpec> ParseOverlapPolicy(const std::string& text) {
  OverlapSpec spec;
  if (text == "rule") return spec;
  if (text == "2+1") {
    spec.policy = OverlapPolicy::kTwoThenThird;
    return spec;
  }
  std::string n = text;
  if (n.rfind("fixed:", 0) == 0) n = n.substr(6);
  if (!n.empty() && n.size() <= 2 && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    spec.policy = OverlapPolicy::kFixed;
    spec.fixed = std::stoi(n);
    if (spec.fixed >= 1 && spec.fixed <= 15) return spec;
  }
  return InvalidArgument("overlap policy '" + text +
                         "': expected rule, 1, fixed:N (N in 1..15) or 2+1 (two, a third on disagreement)");
}

// One run's per-item state between cycles (what the store holds in the live loop).
struct RunState {
  explicit RunState(size_t n)
      : train_label(n, -1), audit_label(n, -1), auto_label(n, -1), was_auto(n, 0),
        audit_stratified(n, 0), audit_whole_pool(n, 0), region_since(n, 0), audit_draw(n, -1) {}
  std::vector<int> train_label, audit_label, auto_label;
  std::vector<uint8_t> was_auto, audit_stratified, audit_whole_pool;
  std::vector<int32_t> region_since, audit_draw;
  int64_t audited_items = 0;  // items drawn by the uniform (certifying) draws
};

// The run stops: people label what is left (counted as human labels) and the run's figures are
// filled from the last cycle.
void FinishRun(std::span<const int> gold, const CyclePlan& plan, const LoopCycleMetrics& cm,
               const RunState& st, int64_t accepted, int64_t accepted_ok, double epsilon,
               SimulatedPeople& people, LoopRunResult& run) {
  const size_t n = gold.size();
  int64_t correct = 0, people_correct = 0;
  for (size_t i = 0; i < n; ++i) {
    int label = -1;
    if (st.audit_label[i] >= 0) {
      label = st.audit_label[i];
    } else if (st.train_label[i] >= 0) {
      label = st.train_label[i];
      ++run.people_items;
      people_correct += label == gold[i];
    } else if (st.was_auto[i]) {
      label = st.auto_label[i];
    } else {
      label = people.Review(i, plan.routing.decisions[i].overlap);
      ++run.remainder_by_people;
      ++run.people_items;
      people_correct += label == gold[i];
    }
    correct += label == gold[i];
  }
  run.people_accuracy = run.people_items
                            ? static_cast<double>(people_correct) / static_cast<double>(run.people_items)
                            : 1.0;
  run.answers_per_item = run.people_items ? static_cast<double>(run.human_labels) /
                                                static_cast<double>(run.people_items)
                                          : 0.0;
  run.auto_accepted = accepted;
  run.final_accuracy = static_cast<double>(correct) / static_cast<double>(n);
  if (accepted) run.auto_accepted_precision = static_cast<double>(accepted_ok) / accepted;
  run.guarantee_held = !accepted || cm.realised_precision >= 1.0 - epsilon;
  run.certified_at_stop = cm.certified;
  run.estimated_precision_lower_bound = plan.audit_precision.lower_bound;
  run.final_test_accuracy = cm.test.accuracy;
}

// People answer the cycle's new audits, then the top `review_batch` of the review queue.
void AnswerCycle(CyclePlan& plan, int review_batch, int cycle, SimulatedPeople& people,
                 RunState& st) {
  st.region_since = std::move(plan.region_since_next);
  for (size_t j = 0; j < plan.new_audits.size(); ++j) {
    const size_t i = plan.new_audits[j];
    st.audit_label[i] = people.Audit(i, plan.routing.decisions[i].predicted);
    st.audit_draw[i] = j < plan.model_audits ? cycle : kNotAModelDraw;
    st.audit_whole_pool[i] = j < plan.model_audits && plan.draw_whole_pool;
    st.was_auto[i] = 0;
    ++st.audited_items;
  }
  for (size_t i : plan.stratified_audits) {  // monitoring: counted, never certifies
    st.audit_label[i] = people.Audit(i, plan.routing.decisions[i].predicted);
    st.audit_stratified[i] = 1;
    st.audit_draw[i] = cycle;
    st.was_auto[i] = 0;
  }
  const size_t batch = std::min(plan.review_order.size(), static_cast<size_t>(review_batch));
  for (size_t j = 0; j < batch; ++j) {
    const size_t i = plan.review_order[j];
    if (st.audit_label[i] >= 0) continue;  // cannot happen (audits come from routable items)
    st.train_label[i] = people.Review(i, plan.routing.decisions[i].overlap);
    st.was_auto[i] = 0;
  }
}

Result<LoopSimResult> SimulateLoop(const LoopSimInput& in, const LoopSimOptions& opt,
                                   const LoopSimProgress& progress) {
  const int k = static_cast<int>(in.labels.size());
  const size_t n = in.pool.size();
  if (k < 2) return InvalidArgument("simulate loop: need at least 2 classes");
  if (n == 0 || in.pool_gold.size() != n) return InvalidArgument("simulate loop: empty pool or gold size mismatch");
  if (!in.pool_meta.empty() && in.pool_meta.size() != n) return InvalidArgument("simulate loop: meta size mismatch");
  if (in.test.size() != in.test_gold.size()) return InvalidArgument("simulate loop: test gold size mismatch");
  if (opt.repeats < 1) return InvalidArgument("simulate loop: repeats must be >= 1");
  if (opt.config.review_batch < 1) return InvalidArgument("simulate loop: batch must be >= 1");
  if (opt.noise < 0 || opt.noise >= 1) return InvalidArgument("simulate loop: noise must be in [0, 1)");
  const double epsilon = 1.0 - opt.config.target_precision;

  LoopSimResult result;
  std::vector<std::string_view> texts;
  if (opt.rules) {
    texts.reserve(n);
    for (const auto& e : in.pool) texts.push_back(e.text);
  }
  for (int r = 0; r < opt.repeats; ++r) {
    const auto t_run = Clock::now();
    const uint64_t run_seed = opt.seed * 1000003ULL + static_cast<uint64_t>(r);
    RunState st(n);
    auto& train_label = st.train_label;
    auto& audit_label = st.audit_label;
    auto& auto_label = st.auto_label;
    auto& was_auto = st.was_auto;
    LoopRunResult run;
    run.run = r;
    run.seed = run_seed;
    run.pool_size = static_cast<int64_t>(n);
    std::vector<int64_t> accepted_history;  // auto-accepted count per cycle
    model::ClassifierOptions mopt = opt.model_options;
    mopt.seed = opt.model_options.seed + static_cast<uint64_t>(r);
    SimulatedPeople people{in.pool_gold, k, opt, Rng(run_seed ^ 0xA5A5A5A5ULL), run};
    for (int cycle = 0;; ++cycle) {
      const auto t_cycle = Clock::now();
      PlanInput pi;
      pi.labels = in.labels;
      pi.pool = in.pool;
      pi.train_label = train_label;
      pi.audit_label = audit_label;
      pi.audit_stratified = st.audit_stratified;
      pi.was_auto = was_auto;
      pi.meta_json = in.pool_meta;
      pi.text_dim = in.text_dim;
      pi.config = opt.config;
      pi.model_options = mopt;
      pi.seed = run_seed * 31 + static_cast<uint64_t>(cycle);
      pi.blocks = in.blocks;
      pi.accepted_label = auto_label;  // trained on only with config.train_on_accepted
      pi.region_since = st.region_since;
      pi.audit_draw = st.audit_draw;
      pi.audit_whole_pool = st.audit_whole_pool;
      pi.draw_index = cycle;
      RuleLabels rl;
      if (opt.rules) {
        RuleInput rin;
        rin.labels = in.labels;
        rin.texts = texts;
        rin.train_label = train_label;
        rin.config = opt.config.autolabel;
        rin.config.labeler.clear();
        ASSIGN_OR_RETURN(rl, ComputeRuleLabels(rin));
        pi.rule_label = rl.label;
        pi.rule_id = rl.rule;
        pi.rule_confidence = rl.confidence;
        pi.review_rep = rl.review_rep;
        pi.rule_names = rl.names;
      }
      ASSIGN_OR_RETURN(CyclePlan plan, PlanCycle(pi));

      LoopCycleMetrics cm;
      cm.run = r;
      cm.cycle = cycle;
      cm.training_size = plan.training_size;
      int64_t accepted = 0, accepted_ok = 0, remaining = 0;
      for (size_t i = 0; i < n; ++i) {
        const auto& d = plan.routing.decisions[i];
        was_auto[i] = d.route == Route::kAccept;
        auto_label[i] = was_auto[i] ? d.predicted : -1;
        if (was_auto[i]) {
          ++accepted;
          accepted_ok += d.predicted == in.pool_gold[i];
        } else if (train_label[i] < 0 && audit_label[i] < 0) {
          ++remaining;
        }
      }
      cm.auto_accepted = accepted;
      for (const RuleCertificate& rc : plan.rules) {
        cm.rule_accepted += rc.accepted;
        cm.rules_certified += rc.certified;
      }
      cm.requeued = plan.routing.requeued;
      cm.remaining = remaining;
      cm.realised_precision = accepted ? static_cast<double>(accepted_ok) / accepted : 1.0;
      FillCertificateMetrics(plan, cm);
      FillOracleMetrics(plan, train_label, audit_label, in.pool_gold, k, epsilon, cm);
      cm.audits_certifying = plan.audits_total;
      cm.draw_threshold = plan.draw_whole_pool ? 0.0 : plan.draw_threshold;
      cm.audit_window_start = plan.audit_window_start;
      if (cm.certified && run.first_certificate_cycle < 0) {
        run.first_certificate_cycle = cycle;
        run.audits_to_first_certificate = run.audit_labels;
        run.audited_items_to_first_certificate = st.audited_items;
      }
      if (plan.model && !in.test.empty()) {
        std::vector<float> probs(in.test.size() * k);
        RETURN_IF_ERROR(plan.model->Predict(in.test, probs));
        cm.test = ComputeGoldMetrics(probs, in.test_gold, k);
      }
      cm.human_labels = run.human_labels;
      cm.audit_labels = run.audit_labels;

      // Stopping rule (uses no gold).
      accepted_history.push_back(accepted);
      const std::string stop = StopReason(opt, plan, cm.certified, audit_label, accepted_history,
                                          remaining, cycle, k);
      if (!stop.empty()) {
        FinishRun(in.pool_gold, plan, cm, st, accepted, accepted_ok, epsilon, people, run);
        run.cycles = cycle + 1;
        run.stop_reason = stop;
        cm.seconds = std::chrono::duration<double>(Clock::now() - t_cycle).count();
        result.cycles.push_back(cm);
        if (progress) progress(cm);
        break;
      }

      AnswerCycle(plan, opt.config.review_batch, cycle, people, st);
      cm.human_labels = run.human_labels;
      cm.audit_labels = run.audit_labels;
      cm.seconds = std::chrono::duration<double>(Clock::now() - t_cycle).count();
      result.cycles.push_back(cm);
      if (progress) progress(cm);
    }
    run.human_fraction = static_cast<double>(run.human_labels + run.audit_labels) /
                         static_cast<double>(n);
    run.seconds = std::chrono::duration<double>(Clock::now() - t_run).count();
    result.runs.push_back(run);
  }
  return result;
}

}  // namespace hitloop::loop
