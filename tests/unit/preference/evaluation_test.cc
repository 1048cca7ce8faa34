#include "preference/evaluation.h"

#include <gtest/gtest.h>

#include <numeric>

namespace hitloop::preference {
namespace {

TEST(EvaluationTest, HoldOutIsSeededAndSized) {
  auto a = HoldOut(1600, 0.2, 1), b = HoldOut(1600, 0.2, 1), c = HoldOut(1600, 0.2, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::accumulate(a.begin(), a.end(), 0), 320);
  // Pinned: bench/preference/sklearn_peer.py draws the same split (splitmix64 keys).
  EXPECT_EQ(SplitMix64(0), 0xE220A8397B1DCDAFULL);
}

ProjectPreferences TwoPeople() {
  ProjectPreferences d;
  PreferenceItem item;
  item.prompt = "q";
  item.responses = {{"", "a", ""}, {"", "bb", ""}, {"", "ccc", ""}};
  d.items = {item, item};
  Judgement x, y, t;
  x.order = {{0}, {1}, {2}};
  y.order = {{1}, {0}, {2}};
  t.order = {{0, 1}};
  d.comparisons = {{0, "ann", x, {}}, {0, "bob", y, {}}, {1, "ann", x, {}}, {1, "ann", y, {}}};
  return d;
}

TEST(EvaluationTest, PairAgreementCountsDistinctAnnotatorsOnly) {
  auto d = TwoPeople();
  auto agree = PairAgreement(d);
  EXPECT_EQ(agree.pairs, 3);           // item 0: ann vs bob on 3 response pairs; item 1 same person
  EXPECT_NEAR(agree.rate, 2.0 / 3.0, 1e-12);  // they differ on (0, 1) only
}

TEST(EvaluationTest, TrainingPairsAndScoring) {
  auto d = TwoPeople();
  std::vector<char> use = {1, 0, 0, 0};
  auto pairs = TrainingPairs(d, use);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].chosen, "a");
  EXPECT_EQ(pairs[0].rejected, "bb");
  // "shorter wins" is right on all three pairs of the first answer.
  auto acc = ScorePairs(d, use, [&](size_t item, int r) { return -static_cast<double>(d.items[item].responses[r].text.size()); });
  EXPECT_EQ(acc.pairs, 3);
  EXPECT_DOUBLE_EQ(acc.accuracy, 1.0);
}

}  // namespace
}  // namespace hitloop::preference
