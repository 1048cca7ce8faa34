#include "preference/position_bias.h"

#include <gtest/gtest.h>

namespace hitloop::preference {
namespace {

Judgement Winner(int r) {
  Judgement j;
  j.order = {{r}, {1 - r}};
  return j;
}

// 60 decided comparisons, the left response winning 45: P(left) 0.75 with a Wilson interval that
// excludes 0.5; ties, both-bad, unknown orders and three-response items are counted apart.
TEST(PositionBiasTest, CountsLeftWinsWithAWilsonIntervalAndSetsTheRestApart) {
  ProjectPreferences d;
  PreferenceItem pair, triple;
  pair.responses = {{"", "a", ""}, {"", "b", ""}};
  triple.responses = {{"", "a", ""}, {"", "b", ""}, {"", "c", ""}};
  d.items = {pair, triple};
  for (int i = 0; i < 60; ++i) {
    const std::vector<int> shown = i % 2 ? std::vector<int>{1, 0} : std::vector<int>{0, 1};
    const int left = shown[0];
    d.comparisons.push_back({0, "ann", Winner(i < 45 ? left : 1 - left), shown});
  }
  Judgement tie, bad;
  tie.order = {{0, 1}};
  bad.both_bad = true;
  d.comparisons.push_back({0, "ann", tie, {0, 1}});
  d.comparisons.push_back({0, "ann", bad, {1, 0}});
  d.comparisons.push_back({0, "ann", Winner(0), {}});
  Judgement three;
  three.order = {{2}, {0}, {1}};
  d.comparisons.push_back({1, "ann", three, {2, 0, 1}});

  auto b = MeasurePositionBias(d);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->decided, 60);
  EXPECT_EQ(b->left_wins, 45);
  EXPECT_DOUBLE_EQ(b->p_left, 0.75);
  // Wilson 95% for 45/60: [0.6277, 0.8422].
  EXPECT_NEAR(b->interval.lower, 0.6277, 2e-4);
  EXPECT_NEAR(b->interval.upper, 0.8422, 2e-4);
  EXPECT_EQ(b->ties, 1);
  EXPECT_EQ(b->both_bad, 1);
  EXPECT_EQ(b->order_unknown, 1);
  EXPECT_EQ(b->not_pairwise, 1);
}

TEST(PositionBiasTest, NothingDecidedAndBadConfidence) {
  ProjectPreferences d;
  auto b = MeasurePositionBias(d);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->decided, 0);
  EXPECT_EQ(b->interval.lower, 0.0);
  EXPECT_EQ(b->interval.upper, 1.0);
  EXPECT_EQ(MeasurePositionBias(d, 1.0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::preference
