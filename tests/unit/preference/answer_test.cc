#include "preference/answer.h"

#include <gtest/gtest.h>

namespace hitloop::preference {
namespace {

TEST(PreferenceAnswerTest, RoundTripsCriteriaStrengthAndDisplayOrder) {
  const std::vector<std::string> labels = {"harmlessness:B>A/much", "helpfulness:A=B", "shown:BA"};
  auto a = DecodeAnswer(labels, 2);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->judgements.size(), 2u);
  EXPECT_EQ(a->judgements[0].criterion, "harmlessness");
  EXPECT_EQ(a->judgements[0].strength, Strength::kMuch);
  EXPECT_EQ(PairScore(a->judgements[0], 0, 1), 0.0);
  EXPECT_TRUE(a->judgements[1].IsTie());
  EXPECT_EQ(PairScore(a->judgements[1], 0, 1), 0.5);
  EXPECT_EQ(a->shown, (std::vector<int>{1, 0}));
  EXPECT_EQ(EncodeAnswer(*a), labels);
}

TEST(PreferenceAnswerTest, RankingWithTiesAndBothBad) {
  auto a = DecodeAnswer({"C>A=B>D"}, 4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->judgements[0].order, (std::vector<std::vector<int>>{{2}, {0, 1}, {3}}));
  EXPECT_EQ(PairScore(a->judgements[0], 2, 3), 1.0);
  auto bad = DecodeAnswer({"bad"}, 2);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->judgements[0].both_bad);
  EXPECT_EQ(PairScore(bad->judgements[0], 0, 1), -1);
}

TEST(PreferenceAnswerTest, RejectsMalformedAnswers) {
  for (const char* s : {"A>A", "A>", ">A", "A>C", "A", "A>B/very", "A=>B"}) {
    EXPECT_FALSE(DecodeAnswer({s}, 2).ok()) << s;
  }
  EXPECT_FALSE(DecodeAnswer({"shown:AA"}, 2).ok());
  EXPECT_FALSE(DecodeAnswer({"x:A>B", "x:B>A"}, 2).ok());
  EXPECT_FALSE(DecodeAnswer({}, 2).ok());
}

}  // namespace
}  // namespace hitloop::preference
