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

// Density weighting is NOT better than random order on this synthetic set (isotropic clusters:
// weighting by density keeps asking about cluster cores). Measured over seeds 1-12 once the
// simulator seeded strategies by name: mean curve area 0.032 under random's, 9 of 12 seeds more
// than kSlackVsRandom under, the worst 0.075 (seed 3); the old "never worse than random beyond
// 0.02" held only for the one seed it was pinned at. What is pinned now: it stays within 0.08 of
// random (a broken weighting — e.g. always the densest items — falls far below), and it is
// reported, not defaulted (docs/ACTIVE_LEARNING.md).
TEST(DensityWeightedTest, StaysWithinItsMeasuredDistanceOfRandom) {
  for (uint64_t seed : {3, 7}) {
    const auto v = hitloop::testing::CompareWithRandom("density-weighted", seed);
    EXPECT_GE(v.strategy_auc, v.random_auc - 0.08)
        << "seed " << seed << ": density-weighted " << v.strategy_auc << " vs random " << v.random_auc;
  }
}

}  // namespace
}  // namespace hitloop::al
