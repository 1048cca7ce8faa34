#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


TEST(KCenterTest, CoversFarApartRegionsFirst) {
  // Three tight groups; one item of group A is already labelled.
  RowMatrix e(9, 2), labeled(1, 2);
  for (int i = 0; i < 3; ++i) {
    e.row(i) << 1.0f, 0.01f * i;            // group A
    e.row(3 + i) << 0.0f + 0.01f * i, 1.0f;  // group B
    e.row(6 + i) << -1.0f, 0.01f * i;       // group C
  }
  e.rowwise().normalize();
  labeled.row(0) << 1.0f, 0.0f;
  std::vector<float> probs(9 * 2, 0.5f);
  ScoringContext c;
  c.num_candidates = 9;
  c.num_classes = 2;
  c.probs = probs;
  c.embedding = &e;
  c.labeled_embedding = &labeled;
  Rng rng(4);
  auto picked = CreateStrategy("kcenter").value()->Select(c, 2, rng).value();
  ASSERT_EQ(picked.size(), 2u);
  std::set<size_t> groups = {picked[0] / 3, picked[1] / 3};
  EXPECT_EQ(groups, (std::set<size_t>{1, 2}));
}

TEST(KCenterTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("kcenter");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "kcenter " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
