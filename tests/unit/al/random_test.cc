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
  EXPECT_EQ(Pick("random", 3).size(), 3u);
}

TEST(RandomTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("random");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "random " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
