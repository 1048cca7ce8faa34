#include "al/stopping.h"

#include <gtest/gtest.h>

namespace hitloop::al {
namespace {

TEST(StoppingTest, CohensKappa) {
  std::vector<int> a = {0, 1, 0, 1}, b = {0, 1, 0, 1}, c = {1, 0, 1, 0};
  EXPECT_DOUBLE_EQ(CohensKappa(a, b, 2), 1.0);
  EXPECT_DOUBLE_EQ(CohensKappa(a, c, 2), -1.0);
  std::vector<int> same = {2, 2, 2};
  EXPECT_DOUBLE_EQ(CohensKappa(same, same, 3), 1.0);
}

TEST(StoppingTest, FiresAfterThreeStableRoundsAndStaysFired) {
  StabilizingPredictions rule(0.99, 3);
  std::vector<int> p1(100, 0), p2(100, 0);
  for (int i = 0; i < 50; ++i) p1[i] = p2[i] = 1;
  p2[0] = 0;  // one change: kappa 0.98 < 0.99
  EXPECT_FALSE(rule.Update(p1, 2));
  EXPECT_FALSE(rule.Update(p2, 2));
  EXPECT_LT(rule.last_kappa(), 0.99);
  EXPECT_FALSE(rule.Update(p2, 2));  // stable 1
  EXPECT_FALSE(rule.Update(p2, 2));  // stable 2
  EXPECT_TRUE(rule.Update(p2, 2));   // stable 3
  EXPECT_TRUE(rule.Update(p1, 2));   // stays fired
}

}  // namespace
}  // namespace hitloop::al
