#include "loop/simulate.h"

#include <gtest/gtest.h>

#include "synthetic.h"

namespace hitloop::loop {
namespace {

TEST(SimulateLoop, SavesHumanEffortKeepsPrecisionAndCountsEveryItem) {
  auto pool = testing::MakeSyntheticPool(3000, 2, 11, 0.15);
  auto test = testing::MakeSyntheticPool(500, 2, 12, 0.15);
  LoopSimInput in;
  in.labels = pool.labels;
  in.pool = pool.examples;
  in.pool_gold = pool.gold;
  in.test = test.examples;
  in.test_gold = test.gold;
  in.text_dim = 1024;
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
    // Every item is final: people + audits + accepted cover the pool (overlap 1, no adjudication).
    EXPECT_EQ(run.human_labels - run.adjudications + run.audit_labels + run.auto_accepted, run.pool_size)
        << "seed " << run.seed;
  }
  EXPECT_FALSE(r->cycles.empty());
}

TEST(SimulateLoop, OverlapWithAdjudicationRecoversFromNoisyPeople) {
  auto pool = testing::MakeSyntheticPool(1500, 2, 21, 0.15);
  LoopSimInput in;
  in.labels = pool.labels;
  in.pool = pool.examples;
  in.pool_gold = pool.gold;
  in.text_dim = 1024;
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
  LoopSimInput in;
  in.labels = pool.labels;
  in.pool = pool.examples;
  in.pool_gold = pool.gold;
  in.text_dim = 1024;
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
