#include "quality/agreement.h"

#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include <cmath>

#include "core/rng.h"

namespace hitloop::quality {
namespace {

// Expands per-item category counts into ratings "r0", "r1", ... (rater names reused across items;
// Fleiss' kappa does not care who the raters are).
std::vector<Rating> FromCounts(const std::vector<std::vector<int64_t>>& counts) {
  std::vector<Rating> out;
  for (size_t i = 0; i < counts.size(); ++i) {
    int rater = 0;
    for (size_t c = 0; c < counts[i].size(); ++c) {
      for (int64_t k = 0; k < counts[i][c]; ++k) {
        out.push_back(
            {static_cast<int64_t>(i), "r" + std::to_string(rater++), "c" + std::to_string(c)});
      }
    }
  }
  return out;
}

RatingTable AgreementTable(const std::vector<Rating>& ratings, std::vector<std::string> categories = {}) {
  auto t = BuildRatingTable(ratings, categories);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : RatingTable{};
}

// ---- Cohen ----

// Hand-computable 2x2 table (the worked example on Wikipedia's "Cohen's kappa" page): 50 items,
// yes/yes 20, yes/no 5, no/yes 10, no/no 15. p_o = 35/50 = 0.7; A says yes 25/50, B 30/50, so
// p_e = 0.5*0.6 + 0.5*0.4 = 0.5 and kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
TEST(AgreementCohenTest, HandComputedTwoByTwo) {
  auto k = CohensKappaFromCounts({{20, 5}, {10, 15}});
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_NEAR(k->value, 0.4, 1e-12);
  EXPECT_NEAR(k->observed_agreement, 0.7, 1e-12);
  EXPECT_NEAR(k->chance_agreement, 0.5, 1e-12);
  EXPECT_EQ(k->items_used, 50);

  // The same data as ratings, plus a third annotator and items only one of A/B rated.
  std::vector<Rating> ratings;
  int64_t item = 0;
  auto add = [&](int n, const char* a, const char* b) {
    for (int i = 0; i < n; ++i, ++item) {
      ratings.push_back({item, "A", a});
      ratings.push_back({item, "B", b});
      ratings.push_back({item, "C", "yes"});
    }
  };
  add(20, "yes", "yes");
  add(5, "yes", "no");
  add(10, "no", "yes");
  add(15, "no", "no");
  ratings.push_back({1000, "A", "no"});
  ratings.push_back({1001, "B", "yes"});
  auto t = AgreementTable(ratings);
  auto k2 = CohensKappa(t, "A", "B");
  ASSERT_TRUE(k2.ok()) << k2.status().ToString();
  EXPECT_NEAR(k2->value, 0.4, 1e-12);
  EXPECT_EQ(k2->items_used, 50);
}

TEST(AgreementCohenTest, PerfectAndDegenerate) {
  EXPECT_NEAR(CohensKappaFromCounts({{3, 0}, {0, 7}})->value, 1.0, 1e-12);
  // Both raters used only "yes": P_e = 1, kappa is 0/0.
  EXPECT_EQ(CohensKappaFromCounts({{9, 0}, {0, 0}}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CohensKappaFromCounts({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CohensKappaFromCounts({{0, 0}, {0, 0}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CohensKappaFromCounts({{1, 2}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CohensKappaFromCounts({{1, -2}, {0, 1}}).status().code(), StatusCode::kInvalidArgument);

  auto t = AgreementTable({{1, "A", "x"}, {2, "B", "y"}, {3, "A", "x"}, {3, "C", "y"}});
  EXPECT_EQ(CohensKappa(t, "A", "B").status().code(),
            StatusCode::kFailedPrecondition);  // no overlap
  EXPECT_EQ(CohensKappa(t, "A", "Z").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CohensKappa(t, "A", "A").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CohensKappa(RatingTable{}, "A", "B").status().code(), StatusCode::kInvalidArgument);
}

// ---- Fleiss ----

// Fleiss (1971), Psychological Bulletin 76(5), AgreementTable 1: 30 patients, 6 psychiatrists each, 5
// diagnoses (depression, personality disorder, schizophrenia, neurosis, other). The paper reports
// kappa = .430 (P-bar = .556, P-bar_e = .220); R's irr::kappam.fleiss(diagnoses) gives 0.430.
const std::vector<std::vector<int64_t>> kFleiss1971 = {
    {0, 0, 0, 6, 0}, {0, 3, 0, 0, 3}, {0, 1, 4, 0, 1}, {0, 0, 0, 0, 6}, {0, 3, 0, 3, 0},
    {2, 0, 4, 0, 0}, {0, 0, 4, 0, 2}, {2, 0, 3, 1, 0}, {2, 0, 0, 4, 0}, {0, 0, 0, 0, 6},
    {1, 0, 0, 5, 0}, {1, 1, 0, 4, 0}, {0, 3, 3, 0, 0}, {1, 0, 0, 5, 0}, {0, 2, 0, 3, 1},
    {0, 0, 5, 0, 1}, {3, 0, 0, 1, 2}, {5, 1, 0, 0, 0}, {0, 2, 0, 4, 0}, {1, 0, 2, 0, 3},
    {0, 0, 0, 0, 6}, {0, 1, 0, 5, 0}, {0, 2, 0, 1, 3}, {2, 0, 0, 4, 0}, {1, 0, 0, 4, 1},
    {0, 5, 0, 1, 0}, {4, 0, 0, 0, 2}, {0, 2, 0, 4, 0}, {1, 0, 5, 0, 0}, {0, 0, 0, 0, 6},
};

TEST(AgreementFleissTest, Fleiss1971Table1) {
  auto k = FleissKappaFromCounts(kFleiss1971);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_NEAR(k->value, 0.430, 5e-4);
  EXPECT_NEAR(k->observed_agreement, 0.556, 5e-4);
  EXPECT_NEAR(k->chance_agreement, 0.220, 5e-4);
  EXPECT_EQ(k->items_used, 30);
  EXPECT_EQ(k->ratings_used, 180);

  auto from_table = FleissKappa(AgreementTable(FromCounts(kFleiss1971)));
  ASSERT_TRUE(from_table.ok()) << from_table.status().ToString();
  EXPECT_NEAR(from_table->value, k->value, 1e-12);
}

// The worked example on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters, 5 categories;
// P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
TEST(AgreementFleissTest, WikipediaExample) {
  auto k = FleissKappaFromCounts({{0, 0, 0, 0, 14},
                                  {0, 2, 6, 4, 2},
                                  {0, 0, 3, 5, 6},
                                  {0, 3, 9, 2, 0},
                                  {2, 2, 8, 1, 1},
                                  {7, 7, 0, 0, 0},
                                  {3, 2, 6, 3, 0},
                                  {2, 5, 3, 2, 2},
                                  {6, 5, 2, 1, 0},
                                  {0, 2, 2, 3, 7}});
  ASSERT_TRUE(k.ok());
  EXPECT_NEAR(k->value, 0.210, 5e-4);
  EXPECT_NEAR(k->observed_agreement, 0.378, 5e-4);
  EXPECT_NEAR(k->chance_agreement, 0.213, 5e-4);
}

TEST(AgreementFleissTest, DegenerateInputs) {
  EXPECT_EQ(FleissKappaFromCounts({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FleissKappaFromCounts({{3, 0}, {1, 1}}).status().code(),
            StatusCode::kInvalidArgument);  // 3 vs 2 ratings
  EXPECT_EQ(FleissKappaFromCounts({{1, 0}, {0, 1}}).status().code(),
            StatusCode::kInvalidArgument);  // one rater
  EXPECT_EQ(FleissKappaFromCounts({{2, 0}, {1}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FleissKappaFromCounts({{3, 0}, {3, 0}}).status().code(),
            StatusCode::kFailedPrecondition);  // one category used
  EXPECT_EQ(FleissKappa(RatingTable{}).status().code(), StatusCode::kInvalidArgument);

  // Varying raters per item is refused with a pointer to alpha...
  auto ragged = AgreementTable({{1, "a", "x"}, {1, "b", "x"}, {2, "a", "x"}, {2, "b", "y"}, {2, "c", "y"}});
  auto r = FleissKappa(ragged);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("Krippendorff"), std::string::npos);
  // ...but single-rating items are simply skipped.
  auto with_single =
      AgreementTable({{1, "a", "x"}, {1, "b", "x"}, {2, "a", "x"}, {2, "b", "y"}, {3, "c", "y"}});
  auto s = FleissKappa(with_single);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->items_used, 2);
  // Only single ratings: nothing to compare.
  EXPECT_EQ(FleissKappa(AgreementTable({{1, "a", "x"}, {2, "b", "y"}})).status().code(),
            StatusCode::kFailedPrecondition);
}

// ---- Krippendorff ----

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12
// units, values 1..5, with missing data; unit 12 has a single value and is
// unpairable. n = 40 pairable values; nominal alpha = 0.743. (R: irr::kripp.alpha(nmm, "nominal").)
// Rows are observers A-D, columns units 1-12, 0 = missing.
std::vector<Rating> Krippendorff2011() {
  const int values[4][12] = {
      {1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
      {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 0},
      {0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3},
      {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0},
  };
  const char* names[4] = {"A", "B", "C", "D"};
  std::vector<Rating> out;
  for (int o = 0; o < 4; ++o) {
    for (int u = 0; u < 12; ++u) {
      if (values[o][u] != 0) out.push_back({u + 1, names[o], std::to_string(values[o][u])});
    }
  }
  return out;
}

TEST(AgreementKrippendorffTest, Krippendorff2011NominalExampleWithMissingData) {
  auto a = KrippendorffAlpha(AgreementTable(Krippendorff2011()));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_NEAR(a->value, 0.743, 5e-4);
  EXPECT_EQ(a->ratings_used, 40);
  EXPECT_EQ(a->items_used, 11);
}

TEST(AgreementKrippendorffTest, DegenerateInputs) {
  EXPECT_EQ(KrippendorffAlpha(RatingTable{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KrippendorffAlpha(AgreementTable({{1, "a", "x"}, {2, "b", "y"}})).status().code(),
            StatusCode::kFailedPrecondition);  // nothing pairable
  EXPECT_EQ(KrippendorffAlpha(AgreementTable({{1, "a", "x"}, {1, "b", "x"}, {2, "a", "x"}, {2, "c", "x"}}))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);  // one category only
  // Perfect agreement with variation is 1.
  auto perfect = KrippendorffAlpha(
      AgreementTable({{1, "a", "x"}, {1, "b", "x"}, {2, "a", "y"}, {2, "b", "y"}, {2, "c", "y"}}));
  ASSERT_TRUE(perfect.ok());
  EXPECT_NEAR(perfect->value, 1.0, 1e-12);
}

// ---- Percent agreement ----

TEST(AgreementPercentTest, MeanPairwiseAgreement) {
  // Item 1: x x y -> 1 of 3 pairs agree; item 2: x x -> 1; item 3 has one rating (skipped).
  auto p = PercentAgreement(AgreementTable(
      {{1, "a", "x"}, {1, "b", "x"}, {1, "c", "y"}, {2, "a", "x"}, {2, "b", "x"}, {3, "a", "y"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_NEAR(p->value, (1.0 / 3.0 + 1.0) / 2.0, 1e-12);
  EXPECT_EQ(p->items_used, 2);
  // Defined (1.0) where the kappas are not: one category only.
  auto one = PercentAgreement(AgreementTable({{1, "a", "x"}, {1, "b", "x"}}));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->value, 1.0);
  EXPECT_EQ(PercentAgreement(RatingTable{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PercentAgreement(AgreementTable({{1, "a", "x"}})).status().code(),
            StatusCode::kFailedPrecondition);
}

// Random small tables, many with holes, single categories or single raters: every statistic
// either succeeds with a finite value or returns a Status - never NaN, never a crash.
TEST(AgreementPercentTest, RandomTablesNeverYieldNaN) {
  const uint64_t seed = 20261128;
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Rng rng(seed);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<Rating> ratings;
    int items = 1 + static_cast<int>(rng.Below(5));
    int raters = 1 + static_cast<int>(rng.Below(4));
    int cats = 1 + static_cast<int>(rng.Below(3));
    for (int i = 0; i < items; ++i) {
      for (int r = 0; r < raters; ++r) {
        if (rng.Uniform() < 0.3) continue;
        ratings.push_back({i, "r" + std::to_string(r), "c" + std::to_string(rng.Below(cats))});
      }
    }
    auto t = BuildRatingTable(ratings);
    ASSERT_TRUE(t.ok());
    auto check = [&](const Result<AgreementStats>& s) {
      if (s.ok()) {
        EXPECT_TRUE(std::isfinite(s->value)) << "trial " << trial;
      } else {
        EXPECT_TRUE(s.status().code() == StatusCode::kInvalidArgument ||
                    s.status().code() == StatusCode::kFailedPrecondition)
            << s.status().ToString();
      }
    };
    check(PercentAgreement(*t));
    check(FleissKappa(*t));
    check(KrippendorffAlpha(*t));
    check(CohensKappa(*t, "r0", "r1"));
  }
}

}  // namespace
}  // namespace hitloop::quality

namespace hitloop::quality {
namespace {

// ---- Golden values from the published examples ----

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12
// units with missing values ("." = not rated). Published: nominal 0.743, interval 0.849; the six
// digits here are the same computation carried further (and ordinal 0.815, ratio 0.797).
RatingTable Krippendorff2011Table() {
  const char* rows[4] = {"1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3",
                         ". 3 3 3 2 3 4 2 2 5 1 .", "1 2 3 3 2 4 4 1 2 5 1 ."};
  std::vector<Rating> ratings;
  for (int coder = 0; coder < 4; ++coder) {
    std::string s = rows[coder];
    int unit = 0;
    for (size_t i = 0; i < s.size(); i += 2, ++unit) {
      if (s[i] != '.') ratings.push_back({unit, std::string(1, static_cast<char>('A' + coder)), std::string(1, s[i])});
    }
  }
  auto t = BuildRatingTable(ratings, {"1", "2", "3", "4", "5"});
  EXPECT_TRUE(t.ok());
  return *t;
}

TEST(AgreementGoldenTest, Krippendorff2011AllFourLevels) {
  RatingTable t = Krippendorff2011Table();
  auto nominal = KrippendorffAlpha(t, Level::kNominal);
  auto ordinal = KrippendorffAlpha(t, Level::kOrdinal);
  auto interval = KrippendorffAlpha(t, Level::kInterval);
  auto ratio = KrippendorffAlpha(t, Level::kRatio);
  ASSERT_TRUE(nominal.ok() && ordinal.ok() && interval.ok() && ratio.ok());
  EXPECT_NEAR(nominal->value, 0.743421, 5e-7);
  EXPECT_NEAR(ordinal->value, 0.815388, 5e-7);
  EXPECT_NEAR(interval->value, 0.849107, 5e-7);
  EXPECT_NEAR(ratio->value, 0.797403, 5e-7);
  EXPECT_EQ(nominal->ratings_used, 40);  // n: pairable values (unit 12 has one value)
  EXPECT_EQ(nominal->items_used, 11);
  // The same numbers through the summary, with intervals around them.
  auto s = SummarizeAgreement(t, {.bootstrap = {.replicates = 200}});
  ASSERT_TRUE(s.ok());
  for (Level level : kAllLevels) {
    const Estimate& e = s->alpha[static_cast<int>(level)];
    ASSERT_TRUE(e.defined) << LevelName(level);
    EXPECT_LE(e.lower, e.stats.value);
    EXPECT_GE(e.upper, e.stats.value);
    EXPECT_LT(e.lower, e.upper);
  }
  EXPECT_NEAR(s->alpha[static_cast<int>(Level::kOrdinal)].stats.value, 0.815388, 5e-7);
}

// Fleiss (1971) AgreementTable 1 (kFleiss1971 above; the same counts as the irr R package's `diagnoses`
// data, transcribed in JonasMoss/quadagree data_raw/fleiss1971.csv).
TEST(AgreementGoldenTest, Fleiss1971Diagnoses) {
  auto k = FleissKappaFromCounts(kFleiss1971);
  ASSERT_TRUE(k.ok());
  EXPECT_NEAR(k->value, 0.4302445, 5e-8);
  // From ratings (a table), and in the summary with its interval.
  RatingTable t = AgreementTable(FromCounts(kFleiss1971));
  auto from_table = FleissKappa(t);
  ASSERT_TRUE(from_table.ok());
  EXPECT_NEAR(from_table->value, 0.4302445, 5e-8);
  auto s = SummarizeAgreement(t, {.bootstrap = {.replicates = 500}});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->fleiss.defined);
  EXPECT_NEAR(s->fleiss.stats.value, 0.4302445, 5e-8);
  EXPECT_LT(s->fleiss.lower, 0.4302445);
  EXPECT_GT(s->fleiss.upper, 0.4302445);
  EXPECT_EQ(s->fleiss.replicates, 500);
  // Same seed, same interval; another seed, another one.
  auto again = SummarizeAgreement(t, {.bootstrap = {.replicates = 500}});
  EXPECT_EQ(again->fleiss.lower, s->fleiss.lower);
  auto other = SummarizeAgreement(t, {.bootstrap = {.replicates = 500, .seed = 7}});
  EXPECT_NE(other->fleiss.lower, s->fleiss.lower);
}

// Cohen's kappa on [[0,4,1],[0,8,0],[0,1,5]]: unweighted 0.4842, linear weights 0.4701.
TEST(AgreementGoldenTest, CohenUnweightedAndLinear) {
  const std::vector<std::vector<int64_t>> counts = {{0, 4, 1}, {0, 8, 0}, {0, 1, 5}};
  auto plain = CohensKappaFromCounts(counts);
  auto linear = CohensKappaFromCounts(counts, KappaWeights::kLinear);
  ASSERT_TRUE(plain.ok() && linear.ok());
  EXPECT_NEAR(plain->value, 0.4842, 5e-5);
  EXPECT_NEAR(linear->value, 0.4701, 5e-5);
}

TEST(AgreementSummaryTest, PairsNeedEnoughSharedItems) {
  // a and b share 12 items, c shares 3 with each.
  std::vector<Rating> r;
  for (int i = 0; i < 12; ++i) {
    r.push_back({i, "a", i % 3 == 0 ? "x" : "y"});
    r.push_back({i, "b", i % 4 == 0 ? "x" : "y"});
    if (i < 3) r.push_back({i, "c", "x"});
  }
  auto s = SummarizeAgreement(AgreementTable(r), {.bootstrap = {.replicates = 50}, .min_shared_items = 10});
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->pairs.size(), 1u);
  EXPECT_EQ(s->pairs[0].a, "a");
  EXPECT_EQ(s->pairs[0].b, "b");
  EXPECT_EQ(s->pairs[0].shared, 12);
  EXPECT_EQ(s->pairs_below_min, 2);
  // Unequal ratings per item: Fleiss is reported undefined with the reason, alpha is defined.
  EXPECT_FALSE(s->fleiss.defined);
  EXPECT_NE(s->fleiss.reason.find("same number of ratings"), std::string::npos);
  EXPECT_TRUE(s->alpha[0].defined);
  EXPECT_EQ(SummarizeAgreement(AgreementTable(r), {.bootstrap = {.confidence = 1.5}}).status().code(),
            StatusCode::kInvalidArgument);
}

// Many annotators, a few shared items per pair: the pairs' bootstraps run on several threads
// and each pair draws from its own stream, so the intervals are the same on 1 and 3 threads;
// each interval holds its point estimate and the replicates asked for.
TEST(AgreementSummaryTest, PairIntervalsDoNotDependOnThreads) {
  std::vector<Rating> r;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) {
    const int truth = static_cast<int>(rng() % 3);
    for (int j = 0; j < 4; ++j) {
      const int who = static_cast<int>((i * 7 + j * 13) % 40);
      const int said = rng() % 10 < 7 ? truth : static_cast<int>(rng() % 3);
      r.push_back({i, "w" + std::to_string(who), std::string(1, static_cast<char>('a' + said))});
    }
  }
  RatingTable t = AgreementTable(r);
  AgreementOptions one{.bootstrap = {.replicates = 300}, .pair_replicates = 300, .threads = 1};
  AgreementOptions three = one;
  three.threads = 3;
  auto s1 = SummarizeAgreement(t, one);
  auto s3 = SummarizeAgreement(t, three);
  ASSERT_TRUE(s1.ok() && s3.ok());
  ASSERT_GT(s1->pairs.size(), 20u);
  ASSERT_EQ(s1->pairs.size(), s3->pairs.size());
  for (size_t i = 0; i < s1->pairs.size(); ++i) {
    const PairAgreement& a = s1->pairs[i];
    const PairAgreement& b = s3->pairs[i];
    EXPECT_EQ(a.a, b.a);
    EXPECT_EQ(a.b, b.b);
    if (i > 0) EXPECT_LT(std::tie(s1->pairs[i - 1].a, s1->pairs[i - 1].b), std::tie(a.a, a.b));
    ASSERT_TRUE(a.kappa.defined);
    EXPECT_EQ(a.kappa.lower, b.kappa.lower);
    EXPECT_EQ(a.kappa.upper, b.kappa.upper);
    EXPECT_EQ(a.kappa.replicates, 300);
    EXPECT_LE(a.kappa.lower, a.kappa.stats.value);
    EXPECT_GE(a.kappa.upper, a.kappa.stats.value);
    EXPECT_LT(a.kappa.lower, a.kappa.upper);
  }
}

TEST(AgreementSummaryTest, NumericLabelsGiveValuesOthersTheirOrder) {
  EXPECT_EQ(CategoryValues({"1", "2.5", "10"}), (std::vector<double>{1, 2.5, 10}));
  EXPECT_EQ(CategoryValues({"low", "mid", "high"}), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(CategoryValues({"1", "x"}), (std::vector<double>{1, 2}));
}

}  // namespace
}  // namespace hitloop::quality
