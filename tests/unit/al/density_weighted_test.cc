#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


TEST(DensityWeightedTest, PrefersUncertainItemsInDenseRegions) {
  // Candidates 0..8 sit in one tight cluster, candidate 9 is an outlier; 0 and 9 are equally
  // uncertain, the rest are confident.
  RowMatrix e(10, 2);
  for (int i = 0; i < 9; ++i) e.row(i) << 1.0f, 0.01f * i;
  e.row(9) << -1.0f, 0.0f;
  e.rowwise().normalize();
  std::vector<float> probs;
  for (int i = 0; i < 10; ++i) {
    const bool uncertain = i == 0 || i == 9;
    probs.push_back(uncertain ? 0.5f : 0.95f);
    probs.push_back(uncertain ? 0.5f : 0.05f);
  }
  ScoringContext c;
  c.num_candidates = 10;
  c.num_classes = 2;
  c.probs = probs;
  c.embedding = &e;
  Rng rng(2);
  auto s = CreateStrategy("density-weighted").value();
  EXPECT_EQ(s->Select(c, 1, rng).value(), std::vector<size_t>{0});
}

TEST(DensityWeightedTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("density-weighted");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "density-weighted " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
