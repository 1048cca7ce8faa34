#include "loop/multilabel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/rng.h"

namespace hitloop::loop {
namespace {

// L labels, each with its own block of 20 features; an item carries each label with probability
// 0.35 (at least one), draws 3 features from each of its labels' blocks and 2 shared noise
// features; a fraction `mixed` also draws 1 feature from a label it does not carry.
struct MultiPool {
  std::vector<text::SparseRow> rows;
  std::vector<int> gold;  // masks
  std::vector<model::Example> examples;
  std::vector<std::string> labels;
};

MultiPool MakeMultiPool(int n, int k, uint64_t seed, double mixed = 0.2) {
  MultiPool p;
  Rng rng(seed);
  for (int c = 0; c < k; ++c) p.labels.push_back("l" + std::to_string(c));
  p.rows.resize(n);
  for (int i = 0; i < n; ++i) {
    int mask = 0;
    for (int c = 0; c < k; ++c) mask |= (rng.Uniform() < 0.35 ? 1 : 0) << c;
    if (mask == 0) mask = 1 << rng.Below(k);
    text::SparseRow& r = p.rows[i];
    for (int c = 0; c < k; ++c) {
      if (!(mask >> c & 1)) continue;
      for (int j = 0; j < 3; ++j)
        r.push_back({static_cast<uint32_t>(c * 20 + rng.Below(20)), 1.0f});
    }
    for (int j = 0; j < 2; ++j) r.push_back({static_cast<uint32_t>(k * 20 + rng.Below(40)), 1.0f});
    if (rng.Uniform() < mixed) {
      const int o = static_cast<int>(rng.Below(k));
      r.push_back({static_cast<uint32_t>(o * 20 + rng.Below(20)), 1.0f});
    }
    text::Canonicalize(&r);
    text::L2Normalize(&r);
    p.gold.push_back(mask);
  }
  for (size_t i = 0; i < p.rows.size(); ++i) p.examples.push_back({&p.rows[i], "", i + 1});
  return p;
}

struct MultiState {
  std::vector<int> train, audit;
  std::vector<uint8_t> stratified;
  explicit MultiState(size_t n) : train(n, -1), audit(n, -1), stratified(n, 0) {}
};

PlanInput MultiInput(const MultiPool& p, const MultiState& s) {
  PlanInput in;
  in.labels = p.labels;
  in.pool = p.examples;
  in.train_label = s.train;
  in.audit_label = s.audit;
  in.audit_stratified = s.stratified;
  in.text_dim = 1024;
  in.config.max_novelty = 1.0;  // synthetic features; novelty is tested elsewhere
  in.seed = 5;
  return in;
}

TEST(LabelSet, MaskNamesAndTextRoundTrip) {
  const std::vector<std::string> names = {"a", "b", "c"};
  const std::vector<std::string> ca = {"c", "a"};
  EXPECT_EQ(LabelSetMask(names, ca), 0b101);
  EXPECT_EQ(LabelSetNames(names, 0b101), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(LabelSetText(names, 0b101), "a,c");
  const std::vector<std::string> bad = {"a", "z"};
  EXPECT_EQ(LabelSetMask(names, bad), -1);
}

TEST(PredictSet, IsTheLabelsAtHalfOrMoreWithTheWeakestDecisionAsConfidence) {
  const std::vector<float> p = {0.9f, 0.2f, 0.7f};
  const SetPrediction s = PredictSet(p);
  EXPECT_EQ(s.mask, 0b101);
  EXPECT_NEAR(s.confidence, 0.7, 1e-6);  // min(0.9, 0.8, 0.7)
  // Nothing at 0.5: the most likely label is forced in, and its decision is weak.
  const std::vector<float> q = {0.1f, 0.3f, 0.05f};
  const SetPrediction t = PredictSet(q);
  EXPECT_EQ(t.mask, 0b010);
  EXPECT_NEAR(t.confidence, 0.5, 1e-6);
}

TEST(PerLabelTraining, OneBinaryModelPerWarmLabelAndAColdLabelGetsItsRate) {
  auto p = MakeMultiPool(1500, 4, 11);
  std::vector<int> train(p.gold.size(), -1);
  for (size_t i = 0; i < 400; ++i) train[i] = p.gold[i] & 0b0111;  // label 3 never given
  const LabelCounts counts = CountLabels(train, 4, 2);
  EXPECT_EQ(counts.training, 400);
  EXPECT_FALSE(counts.cold[0]);
  EXPECT_TRUE(counts.cold[3]);
  EXPECT_EQ(counts.positives[3], 0);
  std::vector<std::unique_ptr<model::Classifier>> models;
  std::vector<float> probs;
  ASSERT_TRUE(
      TrainAndPredictPerLabel(p.examples, train, counts, "logreg", {}, &models, &probs).ok());
  ASSERT_EQ(models.size(), 4u);
  EXPECT_NE(models[0], nullptr);
  EXPECT_EQ(models[3], nullptr);
  EXPECT_EQ(models[0]->num_classes(), 2);
  // Each warm label is learnt on its own: per-label accuracy on unseen items.
  for (int j = 0; j < 3; ++j) {
    int right = 0, total = 0;
    for (size_t i = 400; i < p.gold.size(); ++i) {
      right += (probs[i * 4 + j] >= 0.5f) == ((p.gold[i] >> j & 1) != 0);
      ++total;
    }
    EXPECT_GT(static_cast<double>(right) / total, 0.9) << "label " << j;
  }
  for (size_t i = 0; i < p.gold.size(); ++i) {
    EXPECT_FLOAT_EQ(probs[i * 4 + 3], 1.0f / 402.0f);  // (0 + 1) / (400 + 2)
  }
}

TEST(PlanMultiLabelCycle, ColdStartWhileEveryLabelIsCold) {
  auto p = MakeMultiPool(500, 3, 12);
  MultiState s(p.gold.size());
  auto plan = PlanMultiLabelCycle(MultiInput(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->cold_start);
  EXPECT_TRUE(plan->label_probs.empty());
  // The seed batch less the items drawn for an audit too (no item is queued both ways).
  EXPECT_LE(plan->review_order.size(), 50u);
  EXPECT_GE(plan->review_order.size(), 40u);
  EXPECT_EQ(plan->new_audits.size(), 50u);
  for (size_t i : plan->new_audits) {
    EXPECT_EQ(std::count(plan->review_order.begin(), plan->review_order.end(), i), 0) << i;
  }
}

TEST(PlanMultiLabelCycle, SetCertificateIsNeverComputedFromActiveLearningLabels) {
  auto p = MakeMultiPool(2000, 3, 13);
  MultiState s(p.gold.size());
  for (size_t i = 0; i < 1000; ++i) s.train[i] = p.gold[i];  // many right answers, no audits
  auto plan = PlanMultiLabelCycle(MultiInput(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->cold_start);
  EXPECT_EQ(plan->audits_total, 0);
  EXPECT_FALSE(plan->certification.global.certified);
  EXPECT_EQ(plan->routing.accepted, 0);
}

TEST(PlanMultiLabelCycle, StratifiedAuditsNeverCertify) {
  auto p = MakeMultiPool(2000, 3, 14);
  MultiState s(p.gold.size());
  for (size_t i = 0; i < 300; ++i) s.train[i] = p.gold[i];
  for (size_t i = 300; i < 800; ++i) {
    s.audit[i] = p.gold[i];
    s.stratified[i] = 1;  // monitoring draws over-sample strata: not a uniform sample
  }
  auto plan = PlanMultiLabelCycle(MultiInput(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->audits_total, 0);
  EXPECT_EQ(plan->routing.accepted, 0);
}

TEST(PlanMultiLabelCycle, UniformAuditsOfExactSetsCertifyAndOnlyConfidentSetsAreAccepted) {
  auto p = MakeMultiPool(3000, 3, 15);
  MultiState s(p.gold.size());
  for (size_t i = 0; i < 300; ++i) s.train[i] = p.gold[i];
  for (size_t i = 300; i < 800; ++i) s.audit[i] = p.gold[i];
  auto plan = PlanMultiLabelCycle(MultiInput(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_TRUE(plan->multi_label());
  EXPECT_EQ(plan->training_size, 300);
  EXPECT_EQ(plan->audits_total, 500);
  ASSERT_TRUE(plan->certification.global.certified);
  const double t = plan->certification.global.threshold;
  EXPECT_GT(plan->routing.accepted, 0);
  int64_t accepted = 0, exact = 0;
  for (size_t i = 800; i < p.gold.size(); ++i) {
    const RouteDecision& d = plan->routing.decisions[i];
    if (d.route != Route::kAccept) continue;
    ++accepted;
    exact += plan->label_sets[i] == p.gold[i];
    // Every label decision of an accepted set clears the threshold.
    for (int j = 0; j < 3; ++j) {
      const float q = plan->label_probs[i * 3 + j];
      EXPECT_GE(std::max(q, 1.0f - q), t - 1e-6) << i;
    }
  }
  EXPECT_GE(static_cast<double>(exact) / accepted, 0.97);
  for (size_t i = 0; i < 800; ++i) EXPECT_EQ(plan->routing.decisions[i].route, Route::kNone);
}

TEST(PlanMultiLabelCycle, AuditedSetsThatDifferInOneLabelAreErrors) {
  auto p = MakeMultiPool(3000, 3, 16);
  MultiState s(p.gold.size());
  for (size_t i = 0; i < 300; ++i) s.train[i] = p.gold[i];
  // The auditors' sets differ from the truth in label 2 on a quarter of the audits.
  for (size_t i = 300; i < 800; ++i) s.audit[i] = i % 4 == 0 ? p.gold[i] ^ 0b100 : p.gold[i];
  auto plan = PlanMultiLabelCycle(MultiInput(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->certification.global.certified);
  EXPECT_EQ(plan->routing.accepted, 0);
}

TEST(PlanMultiLabelCycle, ReviewOrderIsTheMinimumPerLabelMargin) {
  auto p = MakeMultiPool(2000, 3, 17, 0.5);
  MultiState s(p.gold.size());
  for (size_t i = 0; i < 200; ++i) s.train[i] = p.gold[i];
  auto plan = PlanMultiLabelCycle(MultiInput(p, s));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_GT(plan->review_order.size(), 10u);
  // The weakest label decision's margin (0 when the set had to be forced: no label reached 0.5).
  auto min_margin = [&](size_t i) {
    double m = 1.0;
    bool any = false;
    for (int j = 0; j < 3; ++j) {
      m = std::min(m, std::abs(plan->label_probs[i * 3 + j] - 0.5));
      any |= plan->label_probs[i * 3 + j] >= 0.5f;
    }
    return any ? m : 0.0;
  };
  for (size_t r = 1; r < plan->review_order.size(); ++r) {
    EXPECT_LE(min_margin(plan->review_order[r - 1]), min_margin(plan->review_order[r]) + 1e-6);
  }
  // The first pick is the pool's least sure item (by its weakest label).
  double least = 1.0;
  for (size_t i = 200; i < p.gold.size(); ++i) least = std::min(least, min_margin(i));
  EXPECT_NEAR(min_margin(plan->review_order[0]), least, 1e-6);
}

}  // namespace
}  // namespace hitloop::loop
