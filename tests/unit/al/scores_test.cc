#include "al/scores.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace hitloop::al {
namespace {

TEST(ScoresTest, UncertaintyMeasuresOrderConfidentBelowUncertain) {
  const std::vector<float> sure = {0.9f, 0.05f, 0.05f}, tie = {0.45f, 0.45f, 0.1f},
                           flat = {1 / 3.f, 1 / 3.f, 1 / 3.f};
  EXPECT_LT(LeastConfidence(sure), LeastConfidence(tie));
  EXPECT_LT(NegMargin(sure), NegMargin(tie));
  EXPECT_NEAR(NegMargin(tie), 0.0, 1e-6);
  EXPECT_LT(Entropy(sure), Entropy(tie));
  EXPECT_NEAR(Entropy(flat), std::log(3.0), 1e-5);
  // Margin and entropy disagree here: margin only looks at the top two.
  const std::vector<float> a = {0.5f, 0.5f, 0.0f}, b = {0.4f, 0.3f, 0.3f};
  EXPECT_GT(NegMargin(a), NegMargin(b));
  EXPECT_LT(Entropy(a), Entropy(b));
}

TEST(ScoresTest, TopKReturnsLargestAndBreaksTiesRandomly) {
  std::vector<double> s = {0.1, 0.9, 0.5, 0.9, 0.2};
  Rng rng(1);
  auto top = TopK(s, 3, rng);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(std::set<size_t>(top.begin(), top.begin() + 2), (std::set<size_t>{1, 3}));
  EXPECT_EQ(top[2], 2u);
  std::vector<double> flat(100, 1.0);
  std::set<size_t> firsts;
  for (int i = 0; i < 20; ++i) firsts.insert(TopK(flat, 1, rng)[0]);
  EXPECT_GT(firsts.size(), 5u);  // not always position 0
  EXPECT_EQ(TopK(s, 10, rng).size(), 5u);
}

}  // namespace
}  // namespace hitloop::al
