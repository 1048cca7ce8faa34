#include "al/simulation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {

TEST(SimulationTest, CurvesFollowTheScheduleAndSeedSetsArePerClass) {
  auto input = hitloop::testing::MakeSimulationInput(300, 100, 3, 5);
  SimulationOptions o;
  o.strategies = {"random", "margin"};
  o.repeats = 2;
  o.seed_per_class = 2;
  o.batch = 7;
  o.max_labels = 30;
  o.model_options.threads = 1;
  auto r = RunSimulation(input, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->full_pool_accuracy, 0.6);
  std::set<std::pair<std::string, int>> runs;
  std::vector<size_t> labels;
  for (const auto& p : r->curve) {
    runs.insert({p.strategy, p.repeat});
    if (p.strategy == "margin" && p.repeat == 1) labels.push_back(p.labels);
    EXPECT_GE(p.cycle_seconds, 0);
    EXPECT_GE(p.macro_f1, 0);
    EXPECT_LE(p.macro_f1, 1);
  }
  EXPECT_EQ(runs.size(), 4u);
  // 6 seed labels, +7 per cycle, capped at 30.
  EXPECT_EQ(labels, (std::vector<size_t>{6, 13, 20, 27, 30}));
}

// A strategy's runs do not depend on which other strategies run beside it (its draws were
// seeded by its place in the list: margin beside random differed from margin alone).
TEST(SimulationTest, AStrategysRunsAreTheSameWhateverRunsBesideIt) {
  auto input = hitloop::testing::MakeSimulationInput(300, 100, 3, 5);
  auto accuracies = [&](std::vector<std::string> strategies) {
    SimulationOptions o;
    o.strategies = std::move(strategies);
    o.repeats = 2;
    o.batch = 7;
    o.max_labels = 40;
    o.full_pool_reference = false;
    o.model_options.threads = 1;
    auto r = RunSimulation(input, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::pair<size_t, double>> out;
    if (!r.ok()) return out;
    for (const auto& p : r->curve) {
      if (p.strategy == "random") out.push_back({p.labels, p.accuracy});
    }
    return out;
  };
  const auto alone = accuracies({"random"});
  ASSERT_FALSE(alone.empty());
  EXPECT_EQ(alone, accuracies({"margin", "random"}));
}

TEST(SimulationTest, SpeedRunsSkipTheReferenceModelAndReportTheCycleParts) {
  auto input = hitloop::testing::MakeSimulationInput(400, 100, 4, 8);
  SimulationOptions o;
  o.strategies = {"margin"};
  o.repeats = 1;
  o.batch = 20;
  o.max_labels = 80;
  o.full_pool_reference = false;
  auto r = RunSimulation(input, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(std::isnan(r->full_pool_accuracy));
  EXPECT_EQ(r->full_pool_train_seconds, 0.0);
  ASSERT_GE(r->curve.size(), 3u);
  for (size_t i = 0; i < r->curve.size(); ++i) {
    const auto& p = r->curve[i];
    EXPECT_GT(p.train_seconds, 0.0);
    EXPECT_LE(p.train_seconds + p.score_seconds, p.cycle_seconds + 1e-9);
    EXPECT_GT(p.cycle_cpu_seconds, 0.0);
    // Every cycle but the last (which has nothing left to buy) scores the pool.
    if (i + 1 < r->curve.size()) EXPECT_GT(p.score_seconds, 0.0);
  }
  EXPECT_EQ(r->curve.back().score_seconds, 0.0);
  EXPECT_EQ(r->curve.back().labels, 80u);
}

TEST(SimulationTest, RejectsBadOptions) {
  auto input = hitloop::testing::MakeSimulationInput(50, 20, 2, 5);
  SimulationOptions o;
  o.strategies = {"nope"};
  EXPECT_EQ(RunSimulation(input, o).status().code(), StatusCode::kNotFound);
  o.strategies = {"random"};
  o.batch = 0;
  EXPECT_EQ(RunSimulation(input, o).status().code(), StatusCode::kInvalidArgument);
  o.batch = 5;
  o.model = "nope";
  EXPECT_FALSE(RunSimulation(input, o).ok());
}

TEST(SimulationTest, AccuracyAndMacroF1) {
  auto [acc, f1] = AccuracyAndMacroF1({0, 0, 1, 1}, {0, 0, 1, 0}, 2);
  EXPECT_DOUBLE_EQ(acc, 0.75);
  // class 0: P 2/3 R 1 F1 0.8; class 1: P 1 R 0.5 F1 2/3.
  EXPECT_NEAR(f1, (0.8 + 2.0 / 3) / 2, 1e-12);
}

}  // namespace
}  // namespace hitloop::al
