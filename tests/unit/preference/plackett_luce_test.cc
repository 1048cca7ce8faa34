#include "preference/plackett_luce.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"

namespace hitloop::preference {
namespace {

// K = 2 rankings are Bradley-Terry comparisons; a two-way tie is half a win to each side. The
// two fits must agree to the last digits (same MM update term for term).
TEST(PlackettLuceTest, ReducesExactlyToBradleyTerryForPairs) {
  Rng rng(11);
  const int n = 6;
  std::vector<PairOutcome> pairs;
  std::vector<Ranking> rankings;
  for (int k = 0; k < 300; ++k) {
    int a = static_cast<int>(rng.Below(n)), b = static_cast<int>(rng.Below(n - 1));
    if (b >= a) ++b;
    const double u = rng.Uniform();
    const double score = u < 0.15 ? 0.5 : (u < 0.5 + 0.05 * (a - b) ? 1.0 : 0.0);
    pairs.push_back({a, b, score, 1.0});
    Ranking r;
    if (score == 0.5) r.groups = {{a, b}};
    else if (score == 1.0) r.groups = {{a}, {b}};
    else r.groups = {{b}, {a}};
    rankings.push_back(r);
  }
  auto bt = FitBradleyTerry(n, pairs);
  auto pl = FitPlackettLuce(n, rankings);
  ASSERT_TRUE(bt.ok()) << bt.status().ToString();
  ASSERT_TRUE(pl.ok()) << pl.status().ToString();
  for (int i = 0; i < n; ++i) {
    EXPECT_NEAR(bt->log_ability[i], pl->log_ability[i], 1e-9);
    EXPECT_NEAR(bt->std_error[i], pl->std_error[i], 1e-9);
  }
}

// Full rankings drawn from known abilities (Gumbel trick: sort log p + Gumbel noise) are
// recovered in order.
TEST(PlackettLuceTest, RecoversAbilitiesFromFullRankings) {
  const uint64_t seed = 3;
  Rng rng(seed);
  const int n = 5;
  const std::vector<double> truth = {1.0, 0.5, 0.0, -0.5, -1.0};
  std::vector<Ranking> rankings;
  for (int k = 0; k < 3000; ++k) {
    std::vector<std::pair<double, int>> keyed;
    for (int i = 0; i < n; ++i) keyed.push_back({truth[i] - std::log(-std::log(rng.Uniform() + 1e-300)), i});
    std::sort(keyed.rbegin(), keyed.rend());
    Ranking r;
    for (auto& [key, i] : keyed) r.groups.push_back({i});
    rankings.push_back(r);
  }
  auto fit = FitPlackettLuce(n, rankings);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  for (int i = 0; i < n; ++i) EXPECT_NEAR(fit->log_ability[i], truth[i], 0.08) << "seed " << seed;
}

TEST(PlackettLuceTest, TiesAndValidation) {
  std::vector<Ranking> dup = {{{{0, 1}, {1}}, 1.0}};
  EXPECT_EQ(FitPlackettLuce(3, dup).status().code(), StatusCode::kInvalidArgument);
  std::vector<Ranking> single = {{{{0}}, 1.0}};
  EXPECT_EQ(FitPlackettLuce(3, single).status().code(), StatusCode::kInvalidArgument);
  // A three-way tie in every ranking keeps the abilities equal.
  FitOptions opt;
  opt.prior = 0.5;
  std::vector<Ranking> tied = {{{{0, 1, 2}}, 1.0}, {{{2, 0, 1}}, 1.0}};
  auto fit = FitPlackettLuce(3, tied, opt);
  ASSERT_TRUE(fit.ok());
  for (double v : fit->log_ability) EXPECT_NEAR(v, 0.0, 1e-9);
  // Pairs implied by a ranking with a tie.
  auto pairs = RankingToPairs({{{0}, {1, 2}}, 1.0});
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].a_score, 1.0);
  EXPECT_EQ(pairs[2].a_score, 0.5);
}

}  // namespace
}  // namespace hitloop::preference
