#include <gtest/gtest.h>

#include <set>

#include "al/embedding.h"
#include "al/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::al {
namespace {


TEST(QbcTest, DisagreementWinsOverConfidentConsensus) {
  // Candidate 0: all members agree; candidate 1: members split between classes.
  std::vector<float> mean = {0.9f, 0.1f, 0.5f, 0.5f};
  std::vector<std::vector<float>> committee = {
      {0.9f, 0.1f, 0.9f, 0.1f}, {0.9f, 0.1f, 0.1f, 0.9f}, {0.9f, 0.1f, 0.8f, 0.2f},
      {0.9f, 0.1f, 0.2f, 0.8f}};
  ScoringContext c;
  c.num_candidates = 2;
  c.num_classes = 2;
  c.probs = mean;
  c.committee = &committee;
  Rng rng(1);
  for (const char* name : {"qbc-vote", "qbc-kl"}) {
    auto s = CreateStrategy(name).value();
    EXPECT_TRUE(s->requirements().committee);
    EXPECT_EQ(s->Select(c, 1, rng).value(), std::vector<size_t>{1}) << name;
  }
  ScoringContext no_committee = c;
  no_committee.committee = nullptr;
  EXPECT_EQ(CreateStrategy("qbc-kl").value()->Select(no_committee, 1, rng).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(QbcKlTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("qbc-kl");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom);
}

TEST(QbcVoteTest, NeverWorseThanRandomBeyondPinnedSlack) {
  const auto v = hitloop::testing::CompareWithRandom("qbc-vote");
  EXPECT_GE(v.strategy_auc, v.random_auc - hitloop::testing::kSlackVsRandom)
      << "qbc-vote " << v.strategy_auc << " vs random " << v.random_auc;
}

}  // namespace
}  // namespace hitloop::al
