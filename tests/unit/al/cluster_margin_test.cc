#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


TEST(ClusterMarginTest, SpreadsABatchOverClustersOfUncertainItems) {
  // 40 uncertain candidates in two far-apart clusters; the two most uncertain are both in
  // cluster A, so plain margin takes only A; cluster-margin must take from both.
  const int n = 40;
  RowMatrix e(n, 2);
  std::vector<float> probs;
  for (int i = 0; i < n; ++i) {
    if (i < 2 || i % 2 == 0) e.row(i) << 1.0f, 0.001f * i;
    else e.row(i) << -1.0f, 0.001f * i;
    const float gap = 0.001f * i;
    probs.push_back(0.5f + gap / 2);
    probs.push_back(0.5f - gap / 2);
  }
  e.rowwise().normalize();
  ScoringContext c;
  c.num_candidates = n;
  c.num_classes = 2;
  c.probs = probs;
  c.embedding = &e;
  Rng rng(6);
  auto picked = CreateStrategy("cluster-margin").value()->Select(c, 2, rng).value();
  ASSERT_EQ(picked.size(), 2u);
  auto in_a = [](size_t i) { return i < 2 || i % 2 == 0; };
  EXPECT_NE(in_a(picked[0]), in_a(picked[1]));
  EXPECT_EQ(picked[0], 0u);
}

TEST(ClusterMarginTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("cluster-margin");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "cluster-margin " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
