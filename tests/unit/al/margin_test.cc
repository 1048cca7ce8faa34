#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


const auto& PickMargin = hitloop::testing::PickFromThreeCandidates;

TEST(MarginTest, PicksTheClosestTopTwo) {
  EXPECT_EQ(PickMargin("margin", 1), std::vector<size_t>{1});
  EXPECT_EQ(PickMargin("margin", 3).size(), 3u);
  EXPECT_EQ(PickMargin("margin", 3).back(), 0u);
}

TEST(MarginTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("margin");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "margin " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
