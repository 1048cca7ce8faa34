#include "loop/simulate.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "synthetic.h"

namespace hitloop::loop {
namespace {

// The simulator's input for a synthetic pool (no test set, 1,024 text features).
LoopSimInput PoolInput(const testing::SyntheticPool& pool) {
  LoopSimInput in;
  in.labels = pool.labels;
  in.pool = pool.examples;
  in.pool_gold = pool.gold;
  in.text_dim = 1024;
  return in;
}

TEST(SimulateLoop, SavesHumanEffortKeepsPrecisionAndCountsEveryItem) {
  auto pool = testing::MakeSyntheticPool(3000, 2, 11, 0.15);
  auto test = testing::MakeSyntheticPool(500, 2, 12, 0.15);
  LoopSimInput in = PoolInput(pool);
  in.test = test.examples;
  in.test_gold = test.gold;
  LoopSimOptions o;
  o.config.review_batch = 60;
  o.config.seed_batch = 60;
  o.config.max_novelty = 1.0;
  o.repeats = 3;
  o.seed = 5;
  auto r = SimulateLoop(in, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->runs.size(), 3u);
  for (const auto& run : r->runs) {
    EXPECT_EQ(run.pool_size, 3000);
    EXPECT_LT(run.human_fraction, 0.6) << "seed " << run.seed;
    EXPECT_GE(run.final_accuracy, 0.97) << "seed " << run.seed;
    EXPECT_GT(run.auto_accepted, 0) << "seed " << run.seed;
    EXPECT_TRUE(run.guarantee_held) << "seed " << run.seed;
    // Every item is final: people + audits + accepted cover the pool (overlap 1, no adjudication;
    // an audit that disagreed with the model had a second answer and maybe an adjudicator).
    EXPECT_EQ(run.human_labels - run.adjudications + run.audit_labels - run.audit_second_opinions -
                  run.audit_adjudications + run.auto_accepted,
              run.pool_size)
        << "seed " << run.seed;
    EXPECT_GE(run.first_certificate_cycle, 0) << "seed " << run.seed;
    EXPECT_GT(run.audits_to_first_certificate, 0) << "seed " << run.seed;
  }
  EXPECT_FALSE(r->cycles.empty());
}

TEST(SimulateLoop, OverlapWithAdjudicationRecoversFromNoisyPeople) {
  auto pool = testing::MakeSyntheticPool(1500, 2, 21, 0.15);
  LoopSimInput in = PoolInput(pool);
  LoopSimOptions o;
  o.config.review_batch = 1500;  // everything by people in one go: isolates the people's accuracy
  o.config.seed_batch = 1500;
  o.config.audit_per_cycle = 0;
  o.noise = 0.2;
  o.seed = 9;
  auto single = SimulateLoop(in, o);
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  RoutingRule all;
  all.pool = "general";
  all.overlap = 2;
  o.config.routing = {all};
  auto overlap = SimulateLoop(in, o);
  ASSERT_TRUE(overlap.ok());
  // One answer: ~0.8 correct. Two answers + an adjudicator on disagreement:
  // 0.8^2 + 2 * 0.8 * 0.2 * 0.8 = 0.896 correct.
  EXPECT_NEAR(single->runs[0].final_accuracy, 0.8, 0.04);
  EXPECT_NEAR(overlap->runs[0].final_accuracy, 0.896, 0.04);
  EXPECT_GT(overlap->runs[0].adjudications, 300);
}

// --overlap-policy: with everything labelled by people, the three policies give the
// people's accuracy and answers per item their formulas predict for noise p = 0.15 on two classes:
// fixed:3 majority 1 - (3p^2(1-p) + p^3) = 0.939 at 3 answers; 2+1 the same accuracy (the third
// decides exactly when two disagree) at 2 + 2p(1-p) = 2.255 answers; 1 answer 0.85.
TEST(SimulateLoop, OverlapPoliciesMatchTheirFormulas) {
  auto pool = testing::MakeSyntheticPool(3000, 2, 23, 0.15);
  LoopSimInput in = PoolInput(pool);
  LoopSimOptions o;
  o.config.review_batch = 3000;
  o.config.seed_batch = 3000;
  o.config.audit_per_cycle = 0;
  o.noise = 0.15;
  o.seed = 4;
  auto run = [&](const std::string& policy) {
    auto spec = ParseOverlapPolicy(policy);
    EXPECT_TRUE(spec.ok()) << policy;
    o.overlap = *spec;
    auto r = SimulateLoop(in, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->runs[0].people_items, 3000) << policy;
    return r->runs[0];
  };
  const LoopRunResult one = run("1"), three = run("fixed:3"), dyn = run("2+1");
  EXPECT_NEAR(one.people_accuracy, 0.85, 0.02);
  EXPECT_DOUBLE_EQ(one.answers_per_item, 1.0);
  EXPECT_NEAR(three.people_accuracy, 0.939, 0.015);
  EXPECT_DOUBLE_EQ(three.answers_per_item, 3.0);  // two classes: three answers never tie
  EXPECT_EQ(three.adjudications, 0);
  EXPECT_NEAR(dyn.people_accuracy, 0.939, 0.015);
  EXPECT_NEAR(dyn.answers_per_item, 2.255, 0.04);
  EXPECT_NEAR(dyn.adjudications, 0.255 * 3000, 60);

  EXPECT_FALSE(ParseOverlapPolicy("fixed:0").ok());
  EXPECT_FALSE(ParseOverlapPolicy("3+1").ok());
  EXPECT_FALSE(ParseOverlapPolicy("fixed:").ok());
  EXPECT_EQ(ParseOverlapPolicy("rule")->policy, OverlapPolicy::kRule);
  EXPECT_EQ(ParseOverlapPolicy("4")->fixed, 4);
}

// The guarantee over many seeded runs of the whole loop (the stopping rule; audits drawn from the
// pool with Clopper-Pearson, the defaults, and from the candidate region with the betting bound):
// the realised precision of the final auto-accepted set (vs gold) is >= 1 - epsilon in at least
// 1 - delta of the runs (+ binomial slack), and the runs do certify.
TEST(SimulateLoop, GuaranteeHoldsOverAHundredSeededRuns) {
  auto pool = testing::MakeSyntheticPool(800, 2, 31, 0.45);
  LoopSimInput in = PoolInput(pool);
  for (const auto& [region, bound] : {std::pair<std::string, std::string>{"pool", "clopper-pearson"},
                                      {"candidate", "betting"}}) {
    LoopSimOptions o;
    o.config.target_precision = 0.95;
    o.config.confidence = 0.9;
    o.config.review_batch = 80;
    o.config.seed_batch = 80;
    o.config.audit_per_cycle = 40;
    o.config.max_novelty = 1.0;
    o.config.audit_region = region;
    o.config.bound = bound;
    o.model_options.threads = 1;
    o.repeats = 100;
    o.seed = 2026;
    auto r = SimulateLoop(in, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->runs.size(), 100u);
    int held = 0, certified = 0, accepted_runs = 0;
    for (const auto& run : r->runs) {
      held += run.guarantee_held;
      certified += run.first_certificate_cycle >= 0;
      accepted_runs += run.auto_accepted > 0;
    }
    // delta = 0.1: at most 10 failures expected; 3 sigma of slack (sqrt(100 * 0.1 * 0.9) = 3).
    EXPECT_GE(held, 81) << "seed 2026, " << region << ", " << bound;
    EXPECT_GE(certified, 50) << "seed 2026, " << region << ": the check must not be vacuous";
    EXPECT_GE(accepted_runs, 50) << "seed 2026, " << region;
  }
}

// Audits with noisy people: a first answer that disagrees with the model's label gets a second
// person, and an adjudicator when those two disagree; every answer is counted.
TEST(SimulateLoop, NoisyAuditsGetASecondPersonAndAnAdjudicator) {
  auto pool = testing::MakeSyntheticPool(2000, 2, 41, 0.15);
  LoopSimInput in = PoolInput(pool);
  LoopSimOptions o;
  o.config.review_batch = 100;
  o.config.seed_batch = 100;
  o.config.max_novelty = 1.0;
  o.noise = 0.1;
  o.seed = 3;
  o.max_cycles = 6;
  auto r = SimulateLoop(in, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& run = r->runs[0];
  EXPECT_GT(run.audit_second_opinions, 0);
  EXPECT_GT(run.audit_adjudications, 0);
  EXPECT_LT(run.audit_adjudications, run.audit_second_opinions);
  o.config.audit_second_opinion = false;
  auto single = SimulateLoop(in, o);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->runs[0].audit_second_opinions, 0);
  EXPECT_EQ(single->runs[0].audit_adjudications, 0);
}

TEST(SimulateLoop, RejectsBadOptions) {
  auto pool = testing::MakeSyntheticPool(100, 2, 1);
  LoopSimInput in;
  in.labels = pool.labels;
  in.pool = pool.examples;
  in.pool_gold = pool.gold;
  LoopSimOptions o;
  o.noise = 1.5;
  EXPECT_FALSE(SimulateLoop(in, o).ok());
  o.noise = 0;
  o.repeats = 0;
  EXPECT_FALSE(SimulateLoop(in, o).ok());
}

TEST(SimulateLoop, RuleLabelsFromDuplicatesSaveHumanLabelsAndKeepEveryItemFinal) {
  // 3,000 items, each text three times (1,000 exact-duplicate groups of the same class).
  auto pool = testing::MakeSyntheticPool(3000, 2, 11, 0.15);
  std::vector<std::string> texts(3000);
  for (size_t i = 0; i < 3000; ++i) {
    const size_t g = i % 1000;
    pool.gold[i] = pool.gold[g];
    texts[i] = "document number " + std::to_string(g) + " about topic " + std::to_string(pool.gold[g]) +
               " with several ordinary words in it";
    pool.examples[i].text = texts[i];
  }
  LoopSimInput in = PoolInput(pool);
  LoopSimOptions o;
  o.config.review_batch = 60;
  o.config.seed_batch = 60;
  o.config.max_novelty = 1.0;
  o.config.autolabel.duplicates = "exact";
  o.repeats = 2;
  o.seed = 5;
  auto plain = SimulateLoop(in, o);
  o.rules = true;
  auto ruled = SimulateLoop(in, o);
  ASSERT_TRUE(plain.ok() && ruled.ok()) << ruled.status().ToString();
  int64_t rule_accepted = 0;
  for (const auto& c : ruled->cycles) rule_accepted = std::max(rule_accepted, c.rule_accepted);
  EXPECT_GT(rule_accepted, 0);
  for (size_t r = 0; r < 2; ++r) {
    const auto& a = plain->runs[r];
    const auto& b = ruled->runs[r];
    EXPECT_TRUE(b.guarantee_held);
    EXPECT_GE(b.final_accuracy, 0.97);
    // Copies of labelled items are not shown to people again.
    EXPECT_LT(b.human_labels, a.human_labels) << "run " << r;
  }
}

}  // namespace
}  // namespace hitloop::loop
