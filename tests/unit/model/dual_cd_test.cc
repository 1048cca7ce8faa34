#include "model/dual_cd.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"

namespace hitloop::model {
namespace {

// A seeded sparse binary problem: more features than examples (the regime the solver serves),
// labels from a hidden weight vector with 10% flipped (so the optimum is not separable).
struct Problem {
  CsrRows x;
  std::vector<int8_t> y;
};

Problem MakeProblem(size_t rows, uint32_t cols, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> truth(cols);
  for (auto& t : truth) t = rng.Uniform() * 2 - 1;
  Problem p;
  p.x.cols = cols;
  p.x.row_start.push_back(0);
  for (size_t i = 0; i < rows; ++i) {
    double dot = 0;
    for (int j = 0; j < 12; ++j) {
      const uint32_t c = static_cast<uint32_t>(rng.Below(cols));
      const float v = static_cast<float>(0.2 + rng.Uniform());
      p.x.col.push_back(c);
      p.x.val.push_back(v);
      dot += truth[c] * v;
    }
    p.x.row_start.push_back(p.x.col.size());
    int8_t y = dot > 0 ? 1 : -1;
    if (rng.Uniform() < 0.1) y = static_cast<int8_t>(-y);
    p.y.push_back(y);
  }
  return p;
}

// Largest |component| of the primal gradient  w - C sum_i y_i sigma(-y_i w.x_i) x_i.
double PrimalGradientInf(const Problem& p, const std::vector<double>& w, double c) {
  std::vector<double> g = w;
  for (size_t i = 0; i < p.x.rows(); ++i) {
    double wx = 0;
    for (size_t q = p.x.row_start[i]; q < p.x.row_start[i + 1]; ++q) wx += w[p.x.col[q]] * p.x.val[q];
    const double s = 1.0 / (1.0 + std::exp(p.y[i] * wx));
    for (size_t q = p.x.row_start[i]; q < p.x.row_start[i + 1]; ++q) {
      g[p.x.col[q]] -= c * p.y[i] * s * p.x.val[q];
    }
  }
  double m = 0;
  for (double v : g) m = std::max(m, std::fabs(v));
  return m;
}

TEST(DualCdTest, ReachesThePrimalOptimumAndKeepsWConsistentWithAlpha) {
  const Problem p = MakeProblem(300, 1000, 3);
  DualCdOptions o;
  o.c = 2.0;
  o.eps = 1e-6;
  std::vector<double> alpha(p.x.rows(), ColdDualValue(o.c)), w;
  const DualCdStats st = SolveLogisticDual(p.x, p.y, o, alpha, &w);
  EXPECT_TRUE(st.converged);
  ASSERT_EQ(w.size(), 1000u);
  // Stationarity of the primal objective at the returned w.
  EXPECT_LT(PrimalGradientInf(p, w, o.c), 1e-4);
  // w = sum_i y_i alpha_i x_i, alpha_i in (0, C).
  std::vector<double> w2(p.x.cols, 0.0);
  for (size_t i = 0; i < p.x.rows(); ++i) {
    EXPECT_GT(alpha[i], 0.0);
    EXPECT_LT(alpha[i], o.c);
    for (size_t q = p.x.row_start[i]; q < p.x.row_start[i + 1]; ++q) {
      w2[p.x.col[q]] += p.y[i] * alpha[i] * p.x.val[q];
    }
  }
  // (w is accumulated in float inside the solver.)
  for (uint32_t j = 0; j < p.x.cols; ++j) EXPECT_NEAR(w[j], w2[j], 1e-4 * (1 + std::fabs(w2[j])));
}

TEST(DualCdTest, WarmStartFromASubsetConvergesToTheSameOptimumInFewerPasses) {
  const Problem full = MakeProblem(400, 1500, 7);
  // The first 350 rows: "last cycle's labels".
  Problem part;
  part.x.cols = full.x.cols;
  part.x.row_start.assign(full.x.row_start.begin(), full.x.row_start.begin() + 351);
  part.x.col.assign(full.x.col.begin(), full.x.col.begin() + part.x.row_start.back());
  part.x.val.assign(full.x.val.begin(), full.x.val.begin() + part.x.row_start.back());
  part.y.assign(full.y.begin(), full.y.begin() + 350);

  DualCdOptions o;
  o.c = 10.0;
  o.eps = 1e-3;
  std::vector<double> a_part(350, ColdDualValue(o.c)), w_part;
  SolveLogisticDual(part.x, part.y, o, a_part, &w_part);

  std::vector<double> cold(400, ColdDualValue(o.c)), w_cold;
  const auto st_cold = SolveLogisticDual(full.x, full.y, o, cold, &w_cold);
  std::vector<double> warm(400, ColdDualValue(o.c)), w_warm;
  std::copy(a_part.begin(), a_part.end(), warm.begin());
  const auto st_warm = SolveLogisticDual(full.x, full.y, o, warm, &w_warm);

  EXPECT_TRUE(st_cold.converged);
  EXPECT_TRUE(st_warm.converged);
  EXPECT_LT(st_warm.passes, st_cold.passes);
  double diff = 0, norm = 0;
  for (uint32_t j = 0; j < full.x.cols; ++j) {
    diff = std::max(diff, std::fabs(w_warm[j] - w_cold[j]));
    norm = std::max(norm, std::fabs(w_cold[j]));
  }
  EXPECT_LT(diff, 0.01 * norm);
}

TEST(DualCdTest, SameSeedSameResultAndOutOfRangeStartsAreClamped) {
  const Problem p = MakeProblem(200, 800, 11);
  DualCdOptions o;
  o.c = 1.0;
  std::vector<double> a1(200, ColdDualValue(1.0)), a2(200, -5.0), w1, w2;  // a2: infeasible start
  a2[3] = std::nan("");
  a2[4] = 7.0;
  SolveLogisticDual(p.x, p.y, o, a1, &w1);
  std::vector<double> a3 = a1;
  std::fill(a3.begin(), a3.end(), ColdDualValue(1.0));
  std::vector<double> w3;
  SolveLogisticDual(p.x, p.y, o, a3, &w3);
  EXPECT_EQ(w1, w3);  // deterministic
  SolveLogisticDual(p.x, p.y, o, a2, &w2);
  for (double a : a2) {
    EXPECT_GT(a, 0.0);
    EXPECT_LT(a, 1.0);
  }
  EXPECT_EQ(w1, w2);  // invalid starts are treated as cold starts
}

}  // namespace
}  // namespace hitloop::model
