#include "preference/active.h"

#include <gtest/gtest.h>

#include <set>

namespace hitloop::preference {
namespace {

TEST(ActiveTest, PrefersCloseUncertainPairsAndSpreadsABatch) {
  Abilities a;
  a.log_ability = {0.0, 0.05, 3.0, -3.0};
  a.std_error = {1.0, 1.0, 1.0, 1.0};
  auto pairs = SelectActivePairs(a, 3);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0], std::make_pair(0, 1));  // closest pair first
  std::set<std::pair<int, int>> distinct(pairs.begin(), pairs.end());
  EXPECT_EQ(distinct.size(), 3u);
  // A very uncertain item is asked about before a well-known close pair.
  a.std_error = {0.01, 0.01, 5.0, 0.01};
  auto p2 = SelectActivePairs(a, 1);
  EXPECT_TRUE(p2[0].first == 2 || p2[0].second == 2);
}

TEST(ActiveTest, LeastSureAndSpearman) {
  std::vector<double> m = {0.5, -0.1, 2.0, 0.1};
  EXPECT_EQ(LeastSure(m, 2), (std::vector<size_t>{1, 3}));
  std::vector<double> x = {1, 2, 3, 4}, y = {10, 20, 30, 40}, z = {4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(SpearmanRho(x, y), 1.0);
  EXPECT_DOUBLE_EQ(SpearmanRho(x, z), -1.0);
  std::vector<double> tied = {1, 1, 2, 2};
  EXPECT_NEAR(SpearmanRho(x, tied), 0.8944271909999159, 1e-12);
}

}  // namespace
}  // namespace hitloop::preference
