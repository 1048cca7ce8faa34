#include "model/selection.h"

#include <gtest/gtest.h>

#include "core/rng.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

// A simple, monotone stand-in for Clopper-Pearson: (errors + 3) / n.
double RuleOfThree(int64_t errors, int64_t n, double) {
  return n > 0 ? (static_cast<double>(errors) + 3.0) / static_cast<double>(n) : 1.0;
}

TEST(CertifiableCoverageTest, FixedSequenceStopsAtTheFirstFailure) {
  std::vector<std::pair<float, bool>> scored;
  for (int i = 0; i < 300; ++i) scored.push_back({0.99f - 0.0001f * i, true});
  for (int i = 0; i < 100; ++i) scored.push_back({0.4f - 0.001f * i, false});
  // 303 items with 3 errors: 6/303 = 0.0198 <= 0.02; 304 with 4: 7/304 > 0.02.
  auto [cov, thr] = CertifiableCoverage(scored, 0.02, 0.05, RuleOfThree);
  EXPECT_DOUBLE_EQ(cov, 303.0 / 400.0);
  EXPECT_FLOAT_EQ(static_cast<float>(thr), 0.4f - 0.002f);
  // A region too small to ever pass (needs 150 items) gives no coverage.
  scored.resize(100);
  EXPECT_EQ(CertifiableCoverage(scored, 0.02, 0.05, RuleOfThree).first, 0.0);
}

TEST(SelectModelTest, PicksTheClearlyBetterCandidate) {
  auto data = hitloop::testing::MakeSimulationInput(900, 10, 2, 31);
  // Candidate "noise": rows of random features carrying no information about the label.
  Rng rng(5);
  std::vector<text::SparseRow> noise(data.pool.rows.size());
  for (auto& r : noise) {
    for (uint32_t j = 0; j < 20; ++j) r.push_back({j * 50 + static_cast<uint32_t>(rng.Below(50)), 0.2f});
  }
  std::vector<Example> good, bad;
  for (size_t i = 0; i < noise.size(); ++i) {
    good.push_back({&data.pool.rows[i], ""});
    bad.push_back({&noise[i], ""});
  }
  SelectionOptions o;
  o.upper_bound = RuleOfThree;
  o.epsilon = 0.05;
  o.model_options.threads = 1;
  std::vector<SelectionCandidate> cands = {{"logreg", bad}, {"lsa+logreg", good}};
  auto r = SelectModel(cands, data.pool.labels, 2, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->chosen, 1u);
  ASSERT_EQ(r->scores.size(), 2u);
  EXPECT_TRUE(r->scores[0].ok && r->scores[1].ok);
  EXPECT_GT(r->scores[1].accuracy, r->scores[0].accuracy + 0.15);
  EXPECT_EQ(r->items, 900);
  // The rule that decided is reported; with coverage, it is the coverage rule.
  if (r->scores[1].coverage > 0) {
    EXPECT_EQ(r->rule, "coverage");
  } else {
    EXPECT_EQ(r->rule, "accuracy");
  }
}

TEST(SelectModelTest, AccuracyRuleWhenNothingCanBeCertifiedAndFailuresAreNeverChosen) {
  auto data = hitloop::testing::MakeSimulationInput(60, 10, 2, 32);
  std::vector<Example> ex;
  for (const auto& r : data.pool.rows) ex.push_back({&r, ""});
  SelectionOptions o;
  o.upper_bound = RuleOfThree;
  o.epsilon = 0.001;  // needs 3,000 items: nothing can pass
  o.model_options.threads = 1;
  std::vector<SelectionCandidate> cands = {{"no-such-model", ex}, {"logreg", ex}};
  auto r = SelectModel(cands, data.pool.labels, 2, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rule, "accuracy");
  EXPECT_EQ(r->chosen, 1u);
  EXPECT_FALSE(r->scores[0].ok);
  EXPECT_FALSE(r->scores[0].error.empty());
  std::vector<SelectionCandidate> none = {{"no-such-model", ex}};
  EXPECT_FALSE(SelectModel(none, data.pool.labels, 2, o).ok());
}

}  // namespace
}  // namespace hitloop::model
