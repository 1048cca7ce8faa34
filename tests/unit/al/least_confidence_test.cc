#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


const auto& PickLeastConfidence = hitloop::testing::PickFromThreeCandidates;

TEST(LeastConfidenceTest, PicksTheLowestTopProbability) {
  EXPECT_EQ(PickLeastConfidence("least-confidence", 1), std::vector<size_t>{2});
  EXPECT_EQ(PickLeastConfidence("least-confidence", 2), (std::vector<size_t>{2, 1}));
}

TEST(LeastConfidenceTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("least-confidence");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "least-confidence " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
