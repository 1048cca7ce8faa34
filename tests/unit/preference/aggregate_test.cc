#include "preference/aggregate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hitloop::preference {
namespace {

std::vector<Judgement> Judgements(const std::vector<std::string>& labels, int n) {
  std::vector<Judgement> out;
  for (const auto& l : labels) {
    auto a = DecodeAnswer({l}, n);
    EXPECT_TRUE(a.ok()) << l << ": " << a.status().ToString();
    out.push_back(a->judgements.front());
  }
  return out;
}

std::string Order(const ResolvedJudgement& r) { return EncodeAnswer(Answer{{r.judgement}, {}}).front(); }

TEST(ResolveJudgementsTest, TwoResponsesResolveToTheMajority) {
  auto r = ResolveJudgements(Judgements({"B>A", "A>B", "B>A"}, 2), 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Order(*r), "B>A");
  EXPECT_EQ(r->answers, 3);
  EXPECT_GT(r->confidence, 0.5);
  EXPECT_LT(r->confidence, 1.0);
  // A single answer decides, with a finite ability gap (the prior).
  auto one = ResolveJudgements(Judgements({"A>B"}, 2), 2);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(Order(*one), "A>B");
  EXPECT_LT(one->confidence, r->confidence + 0.5);
}

TEST(ResolveJudgementsTest, ATiedVoteAndTieAnswersResolveToATie) {
  auto split = ResolveJudgements(Judgements({"A>B", "B>A"}, 2), 2);
  ASSERT_TRUE(split.ok());
  EXPECT_TRUE(split->judgement.IsTie());
  EXPECT_EQ(Order(*split), "A=B");
  EXPECT_DOUBLE_EQ(split->confidence, 0.5);
  auto ties = ResolveJudgements(Judgements({"A=B", "A=B", "A>B"}, 2), 2);
  ASSERT_TRUE(ties.ok());
  EXPECT_EQ(Order(*ties), "A>B");  // two half-wins each and one win: A ahead
}

TEST(ResolveJudgementsTest, BothBadOnlyWhenEveryAnswerSaysSo) {
  auto all_bad = ResolveJudgements(Judgements({"bad", "bad"}, 2), 2);
  ASSERT_TRUE(all_bad.ok());
  EXPECT_TRUE(all_bad->judgement.both_bad);
  EXPECT_EQ(all_bad->both_bad, 2);
  auto mixed = ResolveJudgements(Judgements({"bad", "bad", "B>A"}, 2), 2);
  ASSERT_TRUE(mixed.ok());
  EXPECT_FALSE(mixed->judgement.both_bad);
  EXPECT_EQ(Order(*mixed), "B>A");
  EXPECT_EQ(mixed->both_bad, 2);
  EXPECT_EQ(mixed->answers, 1);
}

TEST(ResolveJudgementsTest, RankingsCombineIntoOneOrder) {
  // C is first twice and second once; A and B swap; D is always last.
  auto r = ResolveJudgements(Judgements({"C>A>B>D", "C>B>A>D", "A>C>B>D"}, 4), 4);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Order(*r), "C>A>B>D");
  ASSERT_EQ(r->log_ability.size(), 4u);
  EXPECT_GT(r->log_ability[2], r->log_ability[0]);
  EXPECT_GT(r->log_ability[1], r->log_ability[3]);
  // Symmetric disagreement leaves a tied group.
  auto t = ResolveJudgements(Judgements({"A>B>C", "B>A>C"}, 3), 3);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Order(*t), "A=B>C");
}

TEST(ResolveJudgementsTest, RefusesEmptyInputAndSingleResponses) {
  EXPECT_FALSE(ResolveJudgements({}, 2).ok());
  Judgement j;
  j.order = {{0}};
  EXPECT_FALSE(ResolveJudgements(std::vector<Judgement>{j}, 1).ok());
  j.order = {{0}, {5}};
  EXPECT_EQ(ResolveJudgements(std::vector<Judgement>{j}, 2).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::preference
