#include "quality/aggregation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/rng.h"

namespace hitloop::quality {
namespace {

RatingTable Table(const std::vector<Rating>& ratings, std::vector<std::string> categories = {}) {
  auto t = BuildRatingTable(ratings, categories);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : RatingTable{};
}

// ---- Majority vote ----

TEST(AggregationMajorityTest, WinnersTiesAndThreshold) {
  auto t = Table({{1, "a", "x"},
                  {1, "b", "x"},
                  {1, "c", "y"},  // x wins 2/3
                  {2, "a", "x"},
                  {2, "b", "y"},  // tie
                  {3, "a", "x"},
                  {3, "b", "y"},
                  {3, "c", "z"},    // three-way tie
                  {4, "a", "z"}});  // lone rating
  auto m = MajorityVote(t);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 4u);
  const auto& o = *m;
  EXPECT_EQ(o[0].item_id, 1);
  EXPECT_TRUE(o[0].resolved());
  EXPECT_EQ(t.categories[o[0].label], "x");
  EXPECT_EQ(o[0].votes, 2);
  EXPECT_EQ(o[0].ratings, 3);
  EXPECT_FALSE(o[1].resolved());
  EXPECT_EQ(o[1].tied, (std::vector<int>{0, 1}));
  EXPECT_FALSE(o[2].resolved());
  EXPECT_EQ(o[2].tied.size(), 3u);
  EXPECT_TRUE(o[3].resolved());
  EXPECT_EQ(t.categories[o[3].label], "z");

  // Unanimity required: only the lone rating survives.
  auto strict = MajorityVote(t, {.min_fraction = 1.0});
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE((*strict)[0].resolved());
  EXPECT_TRUE((*strict)[0].tied.empty());
  EXPECT_TRUE((*strict)[3].resolved());

  EXPECT_EQ(MajorityVote(t, {.min_fraction = 1.5}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MajorityVote(t, {.min_fraction = std::nan("")}).status().code(),
            StatusCode::kInvalidArgument);
  auto empty = MajorityVote(RatingTable{});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// ---- Dawid-Skene ----

struct Synthetic {
  std::vector<Rating> ratings;
  std::vector<int> truth;  // by item id
};

// `num_items` items with K classes (skewed prior); annotator 0 is good (accuracy `good_acc`), the
// others noisy (`noisy_acc`, errors spread unevenly: each noisy annotator prefers one wrong class
// 60% of the time, as real annotators have pet confusions). Each annotator rates an item with
// probability `coverage`; items nobody rated get one rating from a random annotator.
Synthetic MakeSynthetic(uint64_t seed, int num_items, int k, int raters, double good_acc,
                        double noisy_acc, double coverage) {
  Rng rng(seed);
  Synthetic s;
  std::vector<double> prior = {0.5, 0.3, 0.2};
  prior.resize(k, 0.0);
  double total = std::accumulate(prior.begin(), prior.end(), 0.0);
  std::vector<int> pet(raters);
  for (int a = 0; a < raters; ++a) pet[a] = static_cast<int>(rng.Below(k));
  for (int i = 0; i < num_items; ++i) {
    double u = rng.Uniform() * total;
    int y = 0;
    while (y + 1 < k && u >= prior[y]) u -= prior[y++];
    s.truth.push_back(y);
    bool any = false;
    for (int a = 0; a < raters; ++a) {
      bool last_chance = (a == raters - 1 && !any);
      if (!last_chance && rng.Uniform() >= coverage) continue;
      any = true;
      double acc = a == 0 ? good_acc : noisy_acc;
      int said = y;
      if (rng.Uniform() >= acc) {
        if (pet[a] != y && rng.Uniform() < 0.6) {
          said = pet[a];
        } else {
          int w = static_cast<int>(rng.Below(k - 1));  // uniform over the k - 1 wrong classes
          said = w >= y ? w + 1 : w;
        }
      }
      s.ratings.push_back({i, "ann" + std::to_string(a), "c" + std::to_string(said)});
    }
  }
  return s;
}

double Accuracy(const std::vector<int>& predicted, const RatingTable& t, const Synthetic& s) {
  int right = 0;
  for (int row = 0; row < t.num_items(); ++row) right += predicted[row] == s.truth[t.items[row]];
  return static_cast<double>(right) / t.num_items();
}

// Majority vote with ties broken uniformly at random (its fairest reading) for comparison.
std::vector<int> MajorityLabels(const RatingTable& t, Rng& rng) {
  auto m = MajorityVote(t);
  EXPECT_TRUE(m.ok());
  std::vector<int> out;
  for (const MajorityOutcome& o : *m) {
    out.push_back(o.resolved() ? o.label : o.tied[rng.Below(o.tied.size())]);
  }
  return out;
}

// One good annotator (90%) among four noisy ones (55%), everyone rates everything, 3 classes.
// Majority vote is dragged down by the noisy crowd; Dawid-Skene should learn to trust annotator 0.
// Floors with slack (measured when written: DS 0.88-0.92, majority 0.78-0.80):
// DS >= 0.85 and DS >= majority + 5 points, for each seed.
TEST(AggregationDawidSkeneTest, BeatsMajorityWithOneGoodAnnotator) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    Synthetic s = MakeSynthetic(seed, 600, 3, 5, 0.90, 0.55, 1.0);
    RatingTable t = Table(s.ratings);
    ASSERT_EQ(t.num_items(), 600);
    Rng tie_rng(seed);
    double majority = Accuracy(MajorityLabels(t, tie_rng), t, s);
    auto ds = DawidSkene(t, {.max_iterations = 500, .tolerance = 1e-5});
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    double ds_acc = Accuracy(ds->labels, t, s);
    std::printf("seed=%llu majority=%.3f dawid-skene=%.3f iterations=%d\n",
                static_cast<unsigned long long>(seed), majority, ds_acc, ds->iterations);
    EXPECT_GE(ds_acc, 0.85);
    EXPECT_GE(ds_acc, majority + 0.05);
    EXPECT_TRUE(ds->converged);
    // It also ranks the annotators: the good one is estimated well above every noisy one.
    int good = t.AnnotatorIndex("ann0");
    EXPECT_GE(ds->annotator_accuracy[good], 0.8);
    for (int a = 0; a < t.num_annotators(); ++a) {
      if (a != good) {
        EXPECT_LT(ds->annotator_accuracy[a], 0.7) << t.annotators[a];
      }
    }
  }
}

// Sparse design (each of 6 annotators rates ~half the items, items have varying rater counts):
// Dawid-Skene must not do worse than majority (floor: majority - 0.5 point).
TEST(AggregationDawidSkeneTest, SparseDesignNoWorseThanMajority) {
  for (uint64_t seed : {11u, 12u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    Synthetic s = MakeSynthetic(seed, 800, 3, 6, 0.92, 0.6, 0.5);
    RatingTable t = Table(s.ratings);
    Rng tie_rng(seed);
    double majority = Accuracy(MajorityLabels(t, tie_rng), t, s);
    auto ds = DawidSkene(t);
    ASSERT_TRUE(ds.ok());
    double ds_acc = Accuracy(ds->labels, t, s);
    std::printf("seed=%llu sparse majority=%.3f dawid-skene=%.3f\n",
                static_cast<unsigned long long>(seed), majority, ds_acc);
    EXPECT_GE(ds_acc, majority - 0.005);
  }
}

TEST(AggregationDawidSkeneTest, OutputsAreDistributions) {
  Synthetic s = MakeSynthetic(7, 200, 3, 4, 0.9, 0.6, 0.7);
  RatingTable t = Table(s.ratings);
  auto ds = DawidSkene(t);
  ASSERT_TRUE(ds.ok());
  ASSERT_EQ(ds->posteriors.size(), static_cast<size_t>(t.num_items()));
  for (const auto& p : ds->posteriors) {
    EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-9);
  }
  EXPECT_NEAR(std::accumulate(ds->class_priors.begin(), ds->class_priors.end(), 0.0), 1.0, 1e-9);
  ASSERT_EQ(ds->confusion.size(), static_cast<size_t>(t.num_annotators()));
  for (const auto& m : ds->confusion) {
    for (const auto& row : m) EXPECT_NEAR(std::accumulate(row.begin(), row.end(), 0.0), 1.0, 1e-9);
  }
  EXPECT_TRUE(std::isfinite(ds->log_likelihood));
  EXPECT_LE(ds->log_likelihood, 0.0);
}

TEST(AggregationDawidSkeneTest, UnanimousRatingsAreKept) {
  auto t = Table({{1, "a", "x"}, {1, "b", "x"}, {2, "a", "y"}, {2, "b", "y"}, {3, "a", "x"}});
  auto ds = DawidSkene(t);
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->labels, (std::vector<int>{0, 1, 0}));
  EXPECT_GT(ds->posteriors[0][0], 0.9);
}

TEST(AggregationDawidSkeneTest, DegenerateInputs) {
  EXPECT_EQ(DawidSkene(RatingTable{}).status().code(), StatusCode::kInvalidArgument);
  auto t = Table({{1, "a", "x"}, {1, "b", "x"}, {2, "a", "x"}});
  EXPECT_EQ(DawidSkene(t, {.max_iterations = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DawidSkene(t, {.tolerance = 0.0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DawidSkene(t, {.smoothing = -1.0}).status().code(), StatusCode::kInvalidArgument);

  // One category only: trivially certain, not NaN.
  auto one = DawidSkene(t);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->labels, (std::vector<int>{0, 0}));
  EXPECT_NEAR(one->posteriors[1][0], 1.0, 1e-12);

  // One annotator, no smoothing (zeros in the confusion matrix): still finite.
  auto solo = Table({{1, "a", "x"}, {2, "a", "y"}, {3, "a", "x"}});
  auto r = DawidSkene(solo, {.smoothing = 0.0});
  ASSERT_TRUE(r.ok());
  for (const auto& p : r->posteriors) {
    for (double v : p) EXPECT_TRUE(std::isfinite(v));
  }
  EXPECT_EQ(r->labels, (std::vector<int>{0, 1, 0}));

  // Running out of iterations is reported, not an error.
  Synthetic s = MakeSynthetic(5, 100, 3, 5, 0.9, 0.55, 1.0);
  auto capped = DawidSkene(Table(s.ratings), {.max_iterations = 1, .tolerance = 1e-12});
  ASSERT_TRUE(capped.ok());
  EXPECT_FALSE(capped->converged);
  EXPECT_EQ(capped->iterations, 1);
}

}  // namespace
}  // namespace hitloop::quality

namespace hitloop::quality {
namespace {

// Dawid & Skene (1979), Table 1: 45 patients, 5 anaesthetists, 4 classes; observer 1 rated every
// patient three times (315 ratings). Transcribed from the paper's table as in the widely copied
// generate_sample_data() of the Python dawid_skene.py implementations.
const char* const kDawidSkene1979[45][5] = {
    {"111", "1", "1", "1", "1"}, {"333", "4", "3", "3", "4"}, {"112", "2", "1", "2", "2"},
    {"222", "3", "1", "2", "1"}, {"222", "3", "2", "2", "2"}, {"222", "3", "3", "2", "2"},
    {"122", "2", "1", "1", "1"}, {"333", "3", "4", "3", "3"}, {"222", "2", "2", "2", "3"},
    {"232", "2", "2", "2", "3"}, {"444", "4", "4", "4", "4"}, {"222", "3", "3", "4", "3"},
    {"111", "1", "1", "1", "1"}, {"222", "3", "2", "1", "2"}, {"121", "1", "1", "1", "1"},
    {"111", "2", "1", "1", "1"}, {"111", "1", "1", "1", "1"}, {"111", "1", "1", "1", "1"},
    {"222", "2", "2", "2", "1"}, {"222", "1", "3", "2", "2"}, {"222", "2", "2", "2", "2"},
    {"222", "2", "2", "2", "1"}, {"222", "3", "2", "2", "2"}, {"221", "2", "2", "2", "2"},
    {"111", "1", "1", "1", "1"}, {"111", "1", "1", "1", "1"}, {"232", "2", "2", "2", "2"},
    {"111", "1", "1", "1", "1"}, {"111", "1", "1", "1", "1"}, {"112", "1", "1", "2", "1"},
    {"111", "1", "1", "1", "1"}, {"333", "3", "2", "3", "3"}, {"111", "1", "1", "1", "1"},
    {"222", "2", "2", "2", "2"}, {"222", "3", "2", "3", "2"}, {"433", "4", "3", "4", "3"},
    {"221", "2", "2", "3", "2"}, {"232", "3", "2", "3", "3"}, {"333", "3", "4", "3", "2"},
    {"111", "1", "1", "1", "1"}, {"111", "1", "1", "1", "1"}, {"121", "2", "1", "1", "1"},
    {"232", "2", "2", "2", "2"}, {"121", "1", "1", "1", "1"}, {"222", "2", "2", "2", "2"}};

TEST(AggregationGoldenTest, DawidSkene1979Anaesthetists) {
  std::vector<Rating> ratings;
  for (int p = 0; p < 45; ++p) {
    for (int o = 0; o < 5; ++o) {
      for (const char* c = kDawidSkene1979[p][o]; *c; ++c) {
        ratings.push_back({p + 1, "observer" + std::to_string(o + 1), std::string(1, *c)});
      }
    }
  }
  ASSERT_EQ(ratings.size(), 315u);
  auto t = BuildRatingTable(ratings, {"1", "2", "3", "4"}, {.keep_repeats = true});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->num_ratings(), 315);
  // EM to convergence from the vote shares, no smoothing: the paper's maximum likelihood fit.
  auto fit = DawidSkene(*t, {.max_iterations = 10000, .tolerance = 1e-10, .smoothing = 0.0});
  ASSERT_TRUE(fit.ok());
  EXPECT_TRUE(fit->converged);
  EXPECT_NEAR(fit->class_priors[0], 0.3996, 5e-5);
  EXPECT_NEAR(fit->class_priors[1], 0.4220, 5e-5);
  EXPECT_NEAR(fit->class_priors[2], 0.1118, 5e-5);
  EXPECT_NEAR(fit->class_priors[3], 0.0667, 5e-5);
  // Where it departs from the plurality vote (ties to the lowest class): patients 2, 12, 36.
  auto votes = MajorityVote(*t, {.ties = TieRule::kFirstLabel});
  ASSERT_TRUE(votes.ok());
  std::vector<int64_t> departs;
  for (int row = 0; row < t->num_items(); ++row) {
    if ((*votes)[row].label != fit->labels[row]) departs.push_back(t->items[row]);
  }
  EXPECT_EQ(departs, (std::vector<int64_t>{2, 12, 36}));
}

TEST(AggregationResolveTest, MajorityTieRuleAndAutoPicksByGold) {
  // Items 1-2: a tie between y and x -> the label first in the category order (y here).
  auto t = BuildRatingTable({{1, "a", "x"}, {1, "b", "y"}, {2, "a", "y"}, {2, "b", "x"}},
                            {"y", "x"});
  ASSERT_TRUE(t.ok());
  auto mv = Resolve(*t, AggregateMethod::kMajority);
  ASSERT_TRUE(mv.ok());
  EXPECT_EQ(mv->labels, (std::vector<int>{0, 0}));
  EXPECT_EQ(mv->confidence, (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(ParseAggregateMethod("bogus").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Resolve(*t, AggregateMethod::kMajority, {{1, 5}}).status().code(),
            StatusCode::kInvalidArgument);

  // One good annotator among four noisy ones (the synthetic crowd above): Dawid-Skene wins on
  // gold, so auto takes it; given gold that sides with majority vote, auto takes majority.
  Synthetic syn = MakeSynthetic(1, 600, 3, 5, 0.90, 0.55, 1.0);
  auto table = BuildRatingTable(syn.ratings, {"c0", "c1", "c2"});
  ASSERT_TRUE(table.ok());
  std::map<int64_t, int> gold;
  for (int i = 0; i < 60; ++i) gold[i] = syn.truth[i];
  auto a = Resolve(*table, AggregateMethod::kAuto, gold);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->method, AggregateMethod::kDawidSkene);
  EXPECT_GT(a->dawid_skene_correct, a->majority_correct);
  EXPECT_EQ(a->gold_items, 60);
  // Gold that agrees with majority vote everywhere DS and MV differ: auto follows the gold.
  auto mv_all = Resolve(*table, AggregateMethod::kMajority);
  auto ds_all = Resolve(*table, AggregateMethod::kDawidSkene);
  std::map<int64_t, int> mv_gold;
  for (int row = 0; row < table->num_items(); ++row) {
    if (mv_all->labels[row] != ds_all->labels[row]) mv_gold[table->items[row]] = mv_all->labels[row];
  }
  ASSERT_FALSE(mv_gold.empty());
  auto b = Resolve(*table, AggregateMethod::kAuto, mv_gold);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->method, AggregateMethod::kMajority);
  // No gold: enough redundancy, so Dawid-Skene.
  auto c = Resolve(*table, AggregateMethod::kAuto);
  EXPECT_EQ(c->method, AggregateMethod::kDawidSkene);
}

}  // namespace
}  // namespace hitloop::quality
