#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


// Three candidates: confident, a two-way tie, and an even three-way spread.
std::vector<float> kProbs = {0.98f, 0.01f, 0.01f, 0.49f, 0.49f, 0.02f, 0.34f, 0.33f, 0.33f};

ScoringContext Ctx() {
  ScoringContext c;
  c.num_candidates = 3;
  c.num_classes = 3;
  c.probs = kProbs;
  return c;
}

std::vector<size_t> Pick(const std::string& name, size_t batch) {
  auto s = CreateStrategy(name).value();
  Rng rng(3);
  return s->Select(Ctx(), batch, rng).value();
}

TEST(EntropyTest, PicksTheFlattestDistribution) {
  EXPECT_EQ(Pick("entropy", 1), std::vector<size_t>{2});
  EXPECT_EQ(Pick("entropy", 3).back(), 0u);
}

TEST(EntropyTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("entropy");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "entropy " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
