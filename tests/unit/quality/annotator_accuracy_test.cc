#include "quality/annotator_accuracy.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hitloop::quality {
namespace {

// Reference values: Wilson by its closed form (Wilson 1927; Brown, Cai & DasGupta 2001, eq. 4);
// Clopper-Pearson at x = 0 / x = n by its closed form 1 - (a/2)^(1/n) / (a/2)^(1/n), and at
// 5/10 the textbook [0.187, 0.813] (e.g. R: binom.test(5, 10)$conf.int).
TEST(AnnotatorIntervalTest, WilsonKnownValues) {
  auto w = BinomialInterval(5, 10, 0.95);
  ASSERT_TRUE(w.ok());
  EXPECT_NEAR(w->lower, 0.2366, 1e-4);
  EXPECT_NEAR(w->upper, 0.7634, 1e-4);
  auto zero = BinomialInterval(0, 10, 0.95);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->lower, 0.0);
  EXPECT_NEAR(zero->upper, 0.2775, 1e-4);
  auto eight = BinomialInterval(8, 10, 0.95, IntervalMethod::kWilson);
  EXPECT_NEAR(eight->lower, 0.4902, 1e-4);
  EXPECT_NEAR(eight->upper, 0.9433, 1e-4);
}

TEST(AnnotatorIntervalTest, ClopperPearsonKnownValues) {
  auto cp = BinomialInterval(5, 10, 0.95, IntervalMethod::kClopperPearson);
  ASSERT_TRUE(cp.ok());
  EXPECT_NEAR(cp->lower, 0.1871, 1e-4);
  EXPECT_NEAR(cp->upper, 0.8129, 1e-4);
  auto zero = BinomialInterval(0, 10, 0.95, IntervalMethod::kClopperPearson);
  EXPECT_EQ(zero->lower, 0.0);
  EXPECT_NEAR(zero->upper, 1.0 - std::pow(0.025, 0.1), 1e-9);
  auto all = BinomialInterval(10, 10, 0.95, IntervalMethod::kClopperPearson);
  EXPECT_NEAR(all->lower, std::pow(0.025, 0.1), 1e-9);
  EXPECT_EQ(all->upper, 1.0);
  // Exact is wider than Wilson (conservative).
  auto w = BinomialInterval(5, 10, 0.95);
  EXPECT_LT(cp->lower, w->lower);
  EXPECT_GT(cp->upper, w->upper);
}

TEST(AnnotatorIntervalTest, RejectsBadArguments) {
  EXPECT_EQ(BinomialInterval(0, 0, 0.95).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BinomialInterval(-1, 5, 0.95).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BinomialInterval(6, 5, 0.95).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BinomialInterval(1, 5, 1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BinomialInterval(1, 5, 0.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BinomialInterval(1, 5, std::nan(""), IntervalMethod::kClopperPearson).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(AnnotatorAccuracyTest, AccuracyOnGoldQuestions) {
  std::map<int64_t, std::string> gold = {{1, "spam"}, {2, "ham"}, {3, "spam"}};
  std::vector<Rating> ratings = {
      {1, "bob", "spam"},   {2, "bob", "ham"},    {3, "bob", "ham"},  // 2 of 3
      {1, "alice", "spam"}, {99, "alice", "ham"},                     // 1 of 1; 99 not gold
      {98, "carol", "ham"},                                           // no gold: omitted
  };
  auto acc = AccuracyOnGold(ratings, gold);
  ASSERT_TRUE(acc.ok()) << acc.status().ToString();
  ASSERT_EQ(acc->size(), 2u);
  EXPECT_EQ((*acc)[0].annotator, "alice");
  EXPECT_EQ((*acc)[0].answered, 1);
  EXPECT_EQ((*acc)[0].correct, 1);
  EXPECT_EQ((*acc)[0].accuracy, 1.0);
  EXPECT_EQ((*acc)[1].annotator, "bob");
  EXPECT_EQ((*acc)[1].answered, 3);
  EXPECT_EQ((*acc)[1].correct, 2);
  EXPECT_NEAR((*acc)[1].accuracy, 2.0 / 3.0, 1e-12);
  // "1 of 1" is not trusted more than its interval allows.
  EXPECT_LT((*acc)[0].interval.lower, 0.25);
  EXPECT_LE((*acc)[1].interval.lower, (*acc)[1].accuracy);
  EXPECT_GE((*acc)[1].interval.upper, (*acc)[1].accuracy);

  auto cp =
      AccuracyOnGold(ratings, gold, {.confidence = 0.9, .method = IntervalMethod::kClopperPearson});
  ASSERT_TRUE(cp.ok());
  // 1 of 1 at 90%: the exact lower bound is (a/2)^(1/n) = 0.05.
  EXPECT_NEAR((*cp)[0].interval.lower, 0.05, 1e-9);
}

TEST(AnnotatorAccuracyTest, DegenerateInputs) {
  auto none = AccuracyOnGold({{1, "a", "x"}}, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(AccuracyOnGold({}, {{1, ""}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AccuracyOnGold({}, {}, {.confidence = 2.0}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(AnnotatorAccuracyTest, GoldFromItems) {
  std::vector<Item> items(4);
  items[0].id = 1;
  items[0].split = Split::kGold;
  items[0].labels = {"spam"};
  items[1].id = 2;
  items[1].split = Split::kPool;  // not gold
  items[1].labels = {"ham"};
  items[2].id = 3;
  items[2].split = Split::kGold;  // gold but unlabelled
  items[3].id = 4;
  items[3].split = Split::kGold;
  items[3].labels = {"ham"};
  auto gold = GoldFromItems(items);
  EXPECT_EQ(gold, (std::map<int64_t, std::string>{{1, "spam"}, {4, "ham"}}));
}

TEST(AnnotatorThroughputTest, ItemsPerHourAndMedian) {
  auto ann = [](std::string who, int64_t ms, LabelSource src = LabelSource::kHuman) {
    Annotation a;
    a.annotator = std::move(who);
    a.time_spent_ms = ms;
    a.source = src;
    return a;
  };
  auto t = Throughput({ann("bob", 60000), ann("bob", 120000), ann("bob", 0),
                       ann("model:v1", 5, LabelSource::kModel), ann("alice", 0)});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].annotator, "alice");
  EXPECT_EQ(t[0].annotations, 1);
  EXPECT_FALSE(t[0].items_per_hour.has_value());
  EXPECT_FALSE(t[0].median_seconds_per_item.has_value());
  EXPECT_EQ(t[1].annotator, "bob");
  EXPECT_EQ(t[1].annotations, 3);
  EXPECT_EQ(t[1].timed, 2);
  EXPECT_EQ(t[1].time_spent_ms, 180000);
  ASSERT_TRUE(t[1].items_per_hour.has_value());
  EXPECT_NEAR(*t[1].items_per_hour, 40.0, 1e-9);  // 2 items in 3 minutes
  EXPECT_NEAR(*t[1].median_seconds_per_item, 90.0, 1e-9);
  EXPECT_TRUE(Throughput({}).empty());
}

}  // namespace
}  // namespace hitloop::quality
