#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


const auto& PickEntropy = hitloop::testing::PickFromThreeCandidates;

TEST(EntropyTest, PicksTheFlattestDistribution) {
  EXPECT_EQ(PickEntropy("entropy", 1), std::vector<size_t>{2});
  EXPECT_EQ(PickEntropy("entropy", 3).back(), 0u);
}

TEST(EntropyTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("entropy");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "entropy " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
