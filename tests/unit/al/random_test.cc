#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


const auto& PickRandom = hitloop::testing::PickFromThreeCandidates;

TEST(RandomTest, ReturnsDistinctPositionsAndCoversThePool) {
  auto s = CreateStrategy("random").value();
  std::vector<float> probs(1000 * 2, 0.5f);
  ScoringContext c;
  c.num_candidates = 1000;
  c.num_classes = 2;
  c.probs = probs;
  Rng rng(5);
  auto b = s->Select(c, 100, rng).value();
  EXPECT_EQ(std::set<size_t>(b.begin(), b.end()).size(), 100u);
  EXPECT_EQ(s->Select(c, 5000, rng).value().size(), 1000u);
  EXPECT_EQ(PickRandom("random", 3).size(), 3u);
}

TEST(RandomTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("random");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "random " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
