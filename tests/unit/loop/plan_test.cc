#include "loop/plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "synthetic.h"

namespace hitloop::loop {
namespace {

struct State {
  std::vector<int> train, audit;
  std::vector<uint8_t> was_auto;
  explicit State(size_t n) : train(n, -1), audit(n, -1), was_auto(n, 0) {}
};

PlanInput Input(const testing::SyntheticPool& p, const State& s, LoopConfig cfg = {}) {
  PlanInput in;
  in.labels = p.labels;
  in.pool = p.examples;
  in.train_label = s.train;
  in.audit_label = s.audit;
  in.was_auto = s.was_auto;
  in.text_dim = 1024;
  in.config = cfg;
  in.config.max_novelty = 1.0;  // synthetic features are all "seen" quickly; novelty is tested elsewhere
  in.seed = 3;
  return in;
}

TEST(PlanCycle, ColdStartQueuesARandomSeedBatchAndDrawsAudits) {
  auto p = testing::MakeSyntheticPool(500, 2, 1);
  State s(p.gold.size());
  auto plan = PlanCycle(Input(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->cold_start);
  EXPECT_EQ(plan->model, nullptr);
  EXPECT_EQ(plan->routing.accepted, 0);
  // 50 random seed items less those drawn for an audit too (AnItemDrawnForAnAuditIsNot...).
  EXPECT_LE(plan->review_order.size(), 50u);
  EXPECT_GE(plan->review_order.size(), 40u);
  EXPECT_EQ(plan->new_audits.size(), 50u);
  // Random, not the first 50 positions.
  EXPECT_GT(*std::max_element(plan->review_order.begin(), plan->review_order.end()), 100u);
}

TEST(PlanCycle, ThresholdIsNeverCertifiedFromActiveLearningLabels) {
  auto p = testing::MakeSyntheticPool(2000, 2, 2);
  State s(p.gold.size());
  // 1,000 correct people's labels picked by "active learning", no audits at all.
  for (size_t i = 0; i < 1000; ++i) s.train[i] = p.gold[i];
  auto plan = PlanCycle(Input(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->cold_start);
  EXPECT_EQ(plan->audits_total, 0);
  EXPECT_FALSE(plan->certification.global.certified);
  EXPECT_EQ(plan->routing.accepted, 0);
}

TEST(PlanCycle, AuditedItemsAreNeverTrainedOnNorOfferedToActiveLearning) {
  auto p = testing::MakeSyntheticPool(2000, 2, 3);
  State s(p.gold.size());
  for (size_t i = 0; i < 200; ++i) s.train[i] = p.gold[i];
  for (size_t i = 200; i < 600; ++i) s.audit[i] = p.gold[i];
  auto plan = PlanCycle(Input(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->training_size, 200);
  EXPECT_EQ(plan->audits_total, 400);
  for (size_t i : plan->review_order) EXPECT_TRUE(i >= 600) << i;
  for (size_t i : plan->new_audits) EXPECT_TRUE(i >= 600) << i;
  EXPECT_TRUE(plan->certification.global.certified);
  EXPECT_GT(plan->routing.accepted, 0);
  for (size_t i = 0; i < 600; ++i) EXPECT_EQ(plan->routing.decisions[i].route, Route::kNone);
}

// Regression (the 60-minute soak, 2026-12-07): the audit draw did not leave out the review batch
// the same cycle picked, so 54 items a cycle were queued twice and 35 were answered by two
// people, the audited item becoming a training label too. The audit draw stays uniform; the
// review batch goes without those items.
TEST(PlanCycle, AnItemDrawnForAnAuditIsNotAlsoInTheReviewBatch) {
  for (bool cold : {true, false}) {
    auto p = testing::MakeSyntheticPool(2000, 2, 4);
    State s(p.gold.size());
    if (!cold) {
      for (size_t i = 0; i < 200; ++i) s.train[i] = p.gold[i];
    }
    LoopConfig cfg;
    cfg.seed_batch = 1000;
    cfg.review_batch = 1000;
    cfg.audit_per_cycle = 500;
    auto plan = PlanCycle(Input(p, s, cfg));
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    ASSERT_EQ(plan->cold_start, cold);
    ASSERT_EQ(plan->new_audits.size(), 500u);
    const std::set<size_t> audited(plan->new_audits.begin(), plan->new_audits.end());
    EXPECT_GT(plan->review_order.size(), 500u);  // ~1,000 less the ~270 audited
    EXPECT_LT(plan->review_order.size(), 1000u);  // the overlap was real, and is gone
    for (size_t r = 0; r < plan->review_order.size(); ++r) {
      const size_t i = plan->review_order[r];
      EXPECT_EQ(audited.count(i), 0u) << "cold " << cold << " item " << i;
      EXPECT_DOUBLE_EQ(plan->priority[i], static_cast<double>(plan->review_order.size() - r));
    }
    for (size_t i : audited) EXPECT_EQ(plan->priority[i], 0.0);
  }
}

TEST(PlanCycle, FailingAuditTightensThresholdAndRequeuesAutoLabels) {
  auto p = testing::MakeSyntheticPool(3000, 2, 4);
  State s(p.gold.size());
  for (size_t i = 0; i < 300; ++i) s.train[i] = p.gold[i];
  for (size_t i = 300; i < 800; ++i) s.audit[i] = p.gold[i];
  auto first = PlanCycle(Input(p, s));
  ASSERT_TRUE(first.ok());
  ASSERT_GT(first->routing.accepted, 0);
  for (size_t i = 0; i < p.gold.size(); ++i) {
    s.was_auto[i] = first->routing.decisions[i].route == Route::kAccept;
  }
  // The audit answers now disagree with the model in the lower confidence range: a failing audit.
  int flipped = 0;
  for (size_t i = 300; i < 800; ++i) {
    const float* pr = first->probs.data() + i * 2;
    const float conf = std::max(pr[0], pr[1]);
    if (conf < 0.99f && flipped < 40) {
      s.audit[i] = 1 - p.gold[i];
      ++flipped;
    }
  }
  ASSERT_GT(flipped, 10);
  auto second = PlanCycle(Input(p, s));
  ASSERT_TRUE(second.ok());
  EXPECT_LT(second->routing.accepted, first->routing.accepted);
  EXPECT_GT(second->routing.requeued, 0);
  if (second->certification.global.certified) {
    EXPECT_GT(second->certification.global.threshold, first->certification.global.threshold);
  }
}

TEST(PlanCycle, NewClassIsNeverAutoAcceptedBeforeItsOwnCertificate) {
  auto p = testing::MakeSyntheticPool(3000, 3, 5);
  State s(p.gold.size());
  for (size_t i = 0; i < 600; ++i) s.train[i] = p.gold[i];
  // Audits exist only for items of classes 0 and 1: class 2 (new) has none of its own.
  int audits = 0;
  for (size_t i = 600; i < p.gold.size() && audits < 500; ++i) {
    if (p.gold[i] != 2) {
      s.audit[i] = p.gold[i];
      ++audits;
    }
  }
  LoopConfig cfg;
  cfg.new_classes = {"c2"};
  auto plan = PlanCycle(Input(p, s, cfg));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_TRUE(plan->certification.global.certified);
  int64_t accepted_new = 0, accepted_old = 0;
  for (const auto& d : plan->routing.decisions) {
    if (d.route != Route::kAccept) continue;
    (d.predicted == 2 ? accepted_new : accepted_old) += 1;
  }
  EXPECT_EQ(accepted_new, 0);
  EXPECT_GT(accepted_old, 0);
  // A class with too few people's labels is cold: nothing is accepted into it either.
  State cold(p.gold.size());
  for (size_t i = 0; i < 600; ++i) {
    if (p.gold[i] != 2) cold.train[i] = p.gold[i];
  }
  cold.audit = s.audit;
  auto plan2 = PlanCycle(Input(p, cold));
  ASSERT_TRUE(plan2.ok());
  EXPECT_TRUE(plan2->cold_class[2]);
  for (const auto& d : plan2->routing.decisions) {
    if (d.route == Route::kAccept) EXPECT_NE(d.predicted, 2);
  }
}

TEST(PlanCycle, SeedQueryMatchesGoFirst) {
  auto p = testing::MakeSyntheticPool(400, 2, 6);
  State s(p.gold.size());
  std::vector<double> boost(p.gold.size(), 0.0);
  boost[123] = 2;
  boost[321] = 1;
  auto in = Input(p, s);
  in.seed_boost = boost;
  auto plan = PlanCycle(in);
  ASSERT_TRUE(plan.ok());
  ASSERT_GE(plan->review_order.size(), 2u);
  EXPECT_EQ(plan->review_order[0], 123u);
  EXPECT_EQ(plan->review_order[1], 321u);
}

}  // namespace
}  // namespace hitloop::loop

namespace hitloop::loop {
namespace {

// An underconfident model: every confidence lies in [0.55, 0.75]; the top 20% of the pool is
// error-free, the rest is wrong 10% of the time. The fixed grid's first testable candidate (0.7)
// mixes in the noisy range and fails; the quantile grid tests the pure top of the pool first.
TEST(DecideFromPredictions, QuantileGridCertifiesThePureTopOfAnUnderconfidentModel) {
  const size_t n = 10000;
  const uint64_t seed = 17;
  Rng rng(seed);
  CyclePlan plan;
  plan.probs.resize(n * 2);
  for (size_t i = 0; i < n; ++i) {
    const float conf = 0.55f + 0.2f * static_cast<float>(i) / n;
    plan.probs[2 * i] = conf;
    plan.probs[2 * i + 1] = 1 - conf;
  }
  plan.novelty.assign(n, 0.0);
  plan.cold_class = {0, 0};
  std::vector<int> train(n, -1), audit(n, -1);
  for (int a = 0; a < 2000; ++a) {
    const size_t i = rng.Below(n);
    audit[i] = (i >= n * 8 / 10 || rng.Uniform() >= 0.1) ? 0 : 1;
  }
  std::vector<model::Example> ex(n);
  PlanInput in;
  in.labels = {"a", "b"};
  in.pool = ex;
  in.train_label = train;
  in.audit_label = audit;
  in.config.grid = "fixed";  // the default
  ASSERT_TRUE(DecideFromPredictions(in, &plan).ok());
  EXPECT_FALSE(plan.certification.global.certified) << "seed " << seed;
  EXPECT_EQ(plan.routing.accepted, 0);
  in.config.grid = "quantile";
  CyclePlan q;
  q.probs = plan.probs;
  q.novelty = plan.novelty;
  q.cold_class = plan.cold_class;
  ASSERT_TRUE(DecideFromPredictions(in, &q).ok());
  ASSERT_TRUE(q.certification.global.certified) << "seed " << seed;
  EXPECT_GT(q.routing.accepted, static_cast<int64_t>(n / 10));
  EXPECT_LT(q.routing.accepted, static_cast<int64_t>(n / 4));
}

// Rule labels: items 1500..1699 carry rule 0's label (the gold class); 200 >= the 149
// audits a certificate needs at epsilon 0.02, so the rule is worth certifying.
struct Rules {
  std::vector<int> label;
  std::vector<uint8_t> id;
  std::vector<float> conf;
  std::vector<int64_t> rep;
  Rules(const testing::SyntheticPool& p, size_t n) : label(n, -1), id(n, 0), conf(n, 0.0f), rep(n, -1) {
    for (size_t i = 1500; i < 1700; ++i) {
      label[i] = p.gold[i];
      conf[i] = 1.0f;
    }
  }
  void Into(PlanInput& in) const {
    in.rule_label = label;
    in.rule_id = id;
    in.rule_confidence = conf;
    in.review_rep = rep;
    in.rule_names = {"duplicate-exact"};
  }
};

TEST(PlanCycle, ARuleRegionIsHeldWhilePendingAndAuditedOnItsOwnSample) {
  auto p = testing::MakeSyntheticPool(2000, 2, 21);
  State s(p.gold.size());
  for (size_t i = 0; i < 1000; ++i) s.train[i] = p.gold[i];
  Rules r(p, p.gold.size());
  PlanInput in = Input(p, s);
  r.Into(in);
  auto plan = PlanCycle(in);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->rules.size(), 1u);
  EXPECT_EQ(plan->rules[0].candidates, 200);
  EXPECT_EQ(plan->rules[0].held, 200);
  EXPECT_FALSE(plan->rules[0].too_small);
  EXPECT_FALSE(plan->rules[0].certified);
  EXPECT_FALSE(plan->rules[0].rejected);
  size_t rule_audits = 0, model_audits = 0;
  for (size_t i : plan->new_audits) (r.label[i] >= 0 ? rule_audits : model_audits)++;
  EXPECT_EQ(rule_audits, 50u);
  EXPECT_EQ(model_audits, 50u);
  for (size_t i = 1500; i < 1700; ++i) {
    EXPECT_EQ(plan->routing.decisions[i].route, Route::kNone) << i;
  }
  for (size_t i : plan->review_order) EXPECT_LT(r.label[i], 0);
  // A region smaller than 149 items can never certify: the model routes it, nothing is held.
  Rules small(p, p.gold.size());
  for (size_t i = 1600; i < 1700; ++i) small.label[i] = -1;
  PlanInput in2 = Input(p, s);
  small.Into(in2);
  auto plan2 = PlanCycle(in2);
  ASSERT_TRUE(plan2.ok());
  EXPECT_TRUE(plan2->rules[0].too_small);
  EXPECT_EQ(plan2->rules[0].held, 0);
  size_t model_routed = 0;
  for (size_t i = 1500; i < 1600; ++i) model_routed += plan2->routing.decisions[i].route != Route::kNone;
  EXPECT_EQ(model_routed, 100u);
}

TEST(PlanCycle, ACertifiedRuleAcceptsItsLabelsAndTheModelNeverCertifiesFromRuleAudits) {
  auto p = testing::MakeSyntheticPool(2000, 2, 22);
  State s(p.gold.size());
  for (size_t i = 0; i < 1000; ++i) s.train[i] = p.gold[i];
  // 150 of the 200 rule items audited, all agree.
  Rules r(p, p.gold.size());
  for (size_t i = 1500; i < 1650; ++i) s.audit[i] = p.gold[i];
  PlanInput in = Input(p, s);
  r.Into(in);
  auto plan = PlanCycle(in);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->rules[0].audits, 150);
  EXPECT_TRUE(plan->rules[0].certified);
  EXPECT_LE(plan->rules[0].error_upper, 0.02);
  EXPECT_EQ(plan->rules[0].accepted, 50);
  for (size_t i = 1650; i < 1700; ++i) {
    const RouteDecision& d = plan->routing.decisions[i];
    EXPECT_EQ(d.route, Route::kAccept);
    EXPECT_EQ(d.rule, 0);
    EXPECT_EQ(d.predicted, p.gold[i]);
  }
  // 150 clean audits, but all from the rule's region: the model's threshold has none.
  EXPECT_EQ(plan->audits_total, 0);
  EXPECT_FALSE(plan->certification.global.certified);
  // A certified rule keeps being watched, at a tenth of the rate.
  size_t rule_audits = 0;
  for (size_t i : plan->new_audits) rule_audits += r.label[i] >= 0;
  EXPECT_EQ(rule_audits, 5u);
}

TEST(PlanCycle, ARejectedRuleSendsItsItemsToPeopleAndWithdrawsNothingSilently) {
  auto p = testing::MakeSyntheticPool(2000, 2, 23);
  State s(p.gold.size());
  for (size_t i = 0; i < 1000; ++i) s.train[i] = p.gold[i];
  Rules r(p, p.gold.size());
  // The rule is wrong on every other audited item.
  for (size_t i = 1500; i < 1540; ++i) {
    s.audit[i] = (i % 2) ? p.gold[i] : 1 - p.gold[i];
  }
  for (size_t i = 1540; i < 1700; ++i) s.was_auto[i] = 1;  // accepted by the rule earlier
  PlanInput in = Input(p, s);
  r.Into(in);
  auto plan = PlanCycle(in);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->rules[0].rejected);
  EXPECT_EQ(plan->rules[0].to_review, 160);
  for (size_t i = 1540; i < 1700; ++i) {
    EXPECT_EQ(plan->routing.decisions[i].route, Route::kReview) << i;
  }
  EXPECT_GE(plan->routing.requeued, 160);
  for (size_t i : plan->new_audits) EXPECT_LT(r.label[i], 0);  // no more audits for it
}

TEST(PlanCycle, ADuplicateWaitsWhileItsGroupsRepresentativeIsWithPeople) {
  auto p = testing::MakeSyntheticPool(2000, 2, 24);
  State s(p.gold.size());
  for (size_t i = 0; i < 20; ++i) s.train[i] = p.gold[i];
  Rules r(p, p.gold.size());
  std::fill(r.label.begin(), r.label.end(), -1);
  PlanInput in = Input(p, s);
  r.Into(in);
  // Nothing is certified, so everything routable goes to review: 1001..1009 wait for 1000.
  for (size_t i = 1001; i < 1010; ++i) r.rep[i] = 1000;
  in.review_rep = r.rep;
  auto plan = PlanCycle(in);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->routing.decisions[1000].route, Route::kReview);
  for (size_t i = 1001; i < 1010; ++i) EXPECT_EQ(plan->routing.decisions[i].route, Route::kNone);
  EXPECT_EQ(plan->held_duplicates, 9);
  for (size_t i : plan->review_order) EXPECT_TRUE(i < 1001 || i >= 1010) << i;
}

TEST(PlanCycle, StratifiedAuditsSpreadOverClassAndBandAndNeverCertify) {
  auto p = testing::MakeSyntheticPool(3000, 2, 4);
  State s(p.gold.size());
  for (size_t i = 0; i < 300; ++i) s.train[i] = p.gold[i];
  for (size_t i = 300; i < 800; ++i) s.audit[i] = p.gold[i];
  PlanInput in = Input(p, s);
  in.config.audit_stratified_per_cycle = 12;
  auto plan = PlanCycle(in);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_TRUE(plan->certification.global.certified);
  ASSERT_GT(plan->routing.accepted, 0);
  // The draw: accepted items only, none also in the uniform draw, over more than one stratum.
  ASSERT_EQ(plan->stratified_audits.size(), 12u);
  std::set<size_t> uniform(plan->new_audits.begin(), plan->new_audits.end());
  std::set<std::pair<int, int>> strata;
  for (size_t i : plan->stratified_audits) {
    const RouteDecision& d = plan->routing.decisions[i];
    EXPECT_EQ(d.route, Route::kAccept);
    EXPECT_EQ(uniform.count(i), 0u);
    strata.insert({d.predicted, ConfidenceBand(d.confidence)});
  }
  EXPECT_GE(strata.size(), 2u);
  // The audited items are counted per stratum (through the current model).
  int64_t counted = 0;
  for (const AuditStratum& st : plan->strata) counted += st.audits;
  EXPECT_EQ(counted, 500);
  // The same 500 clean audits marked as stratified draws: certification must not use them.
  std::vector<uint8_t> stratified(p.gold.size(), 0);
  for (size_t i = 300; i < 800; ++i) stratified[i] = 1;
  in.audit_stratified = stratified;
  auto blind = PlanCycle(in);
  ASSERT_TRUE(blind.ok());
  EXPECT_EQ(blind->audits_total, 0);
  EXPECT_FALSE(blind->certification.global.certified);
  EXPECT_EQ(blind->routing.accepted, 0);
}

TEST(ConfidenceBands, EdgesAndNames) {
  EXPECT_EQ(ConfidenceBand(0.0), 0);
  EXPECT_EQ(ConfidenceBand(0.5), 1);
  EXPECT_EQ(ConfidenceBand(0.949), 3);
  EXPECT_EQ(ConfidenceBand(0.99), 5);
  EXPECT_EQ(ConfidenceBand(1.0), 5);
  EXPECT_EQ(ConfidenceBandName(0), "[0,0.5)");
  EXPECT_EQ(ConfidenceBandName(3), "[0.9,0.95)");
  EXPECT_EQ(ConfidenceBandName(5), "[0.99,1]");
}

}  // namespace
}  // namespace hitloop::loop
