#include "preference/bradley_terry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "core/rng.h"
#include "support/paths.h"

namespace hitloop::preference {
namespace {

// Stigler (1994) journal citations as shipped in R's BradleyTerry2 (`citations`): rows cited,
// columns citing, order Biometrika, Comm. Statist., JASA, JRSS-B. A citation is a win of the
// cited journal. Published log-abilities relative to Biometrika: 0, -2.9491, -0.4796, 0.2690.
TEST(BradleyTerryTest, StiglerCitationsGolden) {
  const std::vector<std::vector<double>> cited_by = {
      {714, 730, 498, 221}, {33, 425, 68, 17}, {320, 813, 1072, 142}, {284, 276, 325, 188}};
  auto fit = FitBradleyTerryMatrix(cited_by);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_TRUE(fit->converged);
  const double base = fit->log_ability[0];
  EXPECT_NEAR(fit->log_ability[1] - base, -2.9491, 5e-5);
  EXPECT_NEAR(fit->log_ability[2] - base, -0.4796, 5e-5);
  EXPECT_NEAR(fit->log_ability[3] - base, 0.2690, 5e-5);
}

std::vector<PairOutcome> ReadFood(std::vector<std::string>* names) {
  std::ifstream in(std::string(HITLOOP_SOURCE_DIR) + "/tests/data/preference/food.csv");
  EXPECT_TRUE(in.good());
  std::string line;
  std::getline(in, line);  // header
  std::map<std::string, int> index;
  auto id = [&](const std::string& s) {
    auto [it, fresh] = index.emplace(s, static_cast<int>(names->size()));
    if (fresh) names->push_back(s);
    return it->second;
  };
  std::vector<PairOutcome> out;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string left, right, winner;
    std::getline(ss, left, ',');
    std::getline(ss, right, ',');
    std::getline(ss, winner, ',');
    const double score = winner == "left" ? 1.0 : winner == "right" ? 0.0 : 0.5;
    out.push_back({id(left), id(right), score, 1.0});
  }
  return out;
}

// evalica's food.csv with ties as half wins, scores scaled to geometric mean 1.
TEST(BradleyTerryTest, EvalicaFoodGoldenWithTiesAsHalfWins) {
  std::vector<std::string> names;
  const auto outcomes = ReadFood(&names);
  ASSERT_EQ(outcomes.size(), 30u);
  auto fit = FitBradleyTerry(static_cast<int>(names.size()), outcomes);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const std::map<std::string, double> expected = {{"Tacos", 2.509025}, {"Sushi", 1.101156},
                                                  {"Burger", 0.854906}, {"Pasta", 0.740381},
                                                  {"Pizza", 0.571837}};
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_NEAR(std::exp(fit->log_ability[i]), expected.at(names[i]), 1e-6) << names[i];
  }
}

TEST(BradleyTerryTest, NoMleWithoutPriorWhenAnItemNeverLost) {
  std::vector<PairOutcome> o = {{0, 1, 1.0, 3}, {0, 2, 1.0, 2}, {1, 2, 1.0, 1}, {2, 1, 1.0, 1}};
  auto fit = FitBradleyTerry(3, o);
  EXPECT_EQ(fit.status().code(), StatusCode::kFailedPrecondition);
  FitOptions opt;
  opt.prior = 1.0;
  auto shrunk = FitBradleyTerry(3, o, opt);
  ASSERT_TRUE(shrunk.ok());
  EXPECT_GT(shrunk->log_ability[0], shrunk->log_ability[1]);
  EXPECT_TRUE(std::isfinite(shrunk->log_ability[0]));
}

TEST(BradleyTerryTest, RejectsBadInput) {
  std::vector<PairOutcome> self = {{1, 1, 1.0, 1}};
  EXPECT_EQ(FitBradleyTerry(2, self).status().code(), StatusCode::kInvalidArgument);
  std::vector<PairOutcome> range = {{0, 5, 1.0, 1}};
  EXPECT_EQ(FitBradleyTerry(2, range).status().code(), StatusCode::kInvalidArgument);
  std::vector<PairOutcome> score = {{0, 1, 1.5, 1}};
  EXPECT_EQ(FitBradleyTerry(2, score).status().code(), StatusCode::kInvalidArgument);
  std::vector<PairOutcome> weight = {{0, 1, 1.0, -1}};
  EXPECT_EQ(FitBradleyTerry(2, weight).status().code(), StatusCode::kInvalidArgument);
}

// Recovery: with many comparisons from known abilities the fit orders items correctly and the
// estimates land within a few standard errors.
TEST(BradleyTerryTest, RecoversSimulatedAbilities) {
  const uint64_t seed = 7;
  Rng rng(seed);
  const int n = 8;
  std::vector<double> truth(n);
  for (int i = 0; i < n; ++i) truth[i] = 0.4 * (i - 3.5);
  std::vector<PairOutcome> o;
  for (int k = 0; k < 4000; ++k) {
    int a = static_cast<int>(rng.Below(n)), b = static_cast<int>(rng.Below(n - 1));
    if (b >= a) ++b;
    const double p = 1.0 / (1.0 + std::exp(truth[b] - truth[a]));
    o.push_back({a, b, rng.Uniform() < p ? 1.0 : 0.0, 1.0});
  }
  auto fit = FitBradleyTerry(n, o);
  ASSERT_TRUE(fit.ok()) << "seed " << seed;
  for (int i = 0; i < n; ++i) {
    EXPECT_NEAR(fit->log_ability[i], truth[i], 4 * fit->std_error[i]) << "seed " << seed << " item " << i;
  }
}

}  // namespace
}  // namespace hitloop::preference
