#include "model/dual_cd.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/rng.h"

namespace hitloop::model {
namespace {

// w . x_i over [begin, end) of the CSR arrays, in four independent double accumulators: one
// running sum is a chain of dependent adds (4 cycles each), which made this loop latency-bound.
double SparseDot(const float* w, const CsrRows& x, size_t begin, size_t end) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const uint32_t* col = x.col.data();
  const float* val = x.val.data();
  size_t p = begin;
  for (; p + 4 <= end; p += 4) {
    s0 += static_cast<double>(w[col[p]]) * val[p];
    s1 += static_cast<double>(w[col[p + 1]]) * val[p + 1];
    s2 += static_cast<double>(w[col[p + 2]]) * val[p + 2];
    s3 += static_cast<double>(w[col[p + 3]]) * val[p + 3];
  }
  for (; p < end; ++p) s0 += static_cast<double>(w[col[p]]) * val[p];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

double ColdDualValue(double c) { return std::min(0.001 * c, 1e-8); }

DualCdStats SolveLogisticDual(const CsrRows& x, std::span<const int8_t> y,
                              const DualCdOptions& o, std::span<double> alpha,
                              std::vector<double>* w_out) {
  const size_t l = x.rows();
  const double c = o.c;
  // w is kept in float while solving: half the cache footprint of the random accesses that
  // dominate a sweep; dot products accumulate in double.
  std::vector<float> w(x.cols, 0.0f);
  // a[i] = alpha_i, b[i] = C - alpha_i (kept separately: both enter through logarithms and
  // either may be the tiny one).
  std::vector<double> a(l), b(l), sq(l, 0.0);
  const double lo = ColdDualValue(c);
  for (size_t i = 0; i < l; ++i) {
    double v = alpha[i];
    if (!(v > 0 && v < c)) v = lo;  // also catches NaN
    v = std::clamp(v, lo, c - lo);
    a[i] = v;
    b[i] = c - v;
    const double coef = y[i] * v;
    for (size_t p = x.row_start[i]; p < x.row_start[i + 1]; ++p) {
      const double xv = x.val[p];
      sq[i] += xv * xv;
      w[x.col[p]] += static_cast<float>(coef * xv);
    }
  }
  // Sweeps alternate between all examples and the "active" ones whose projected gradient was
  // still >= eps when last visited: after a warm start most dual variables are already optimal
  // and re-visiting them every sweep is most of the cost (the same idea as liblinear's
  // shrinking for its SVM dual solvers). Convergence is only declared after a sweep over ALL
  // examples whose largest |projected gradient| is below eps — liblinear's criterion.
  std::vector<size_t> all(l), active, next_active;
  std::iota(all.begin(), all.end(), size_t{0});
  active = all;
  bool full = true;
  Rng rng(o.seed);
  constexpr int kMaxNewton = 100;
  constexpr double kShrink = 0.1;  // step back towards 0 when Newton leaves the domain
  double inner_eps = 1e-2;
  const double inner_eps_min = std::min(1e-8, o.eps);
  DualCdStats stats;
  while (stats.passes < o.max_iter) {
    rng.Shuffle(active);
    double g_max = 0;
    size_t newton_steps = 0;
    next_active.clear();
    for (size_t i : active) {
      const size_t begin = x.row_start[i], end = x.row_start[i + 1];
      const double wx = SparseDot(w.data(), x, begin, end);
      const double q = sq[i], yw = y[i] * wx;
      // Minimise over one coordinate: g(z) = z ln z + (C - z) ln(C - z) + q/2 (z - z0)^2 + s yw
      // (z - z0), where z is alpha_i (s = +1) or C - alpha_i (s = -1), whichever keeps the
      // Newton iterate away from the boundary at C.
      double* z_var = &a[i];
      double* other = &b[i];
      double s = 1.0;
      if (0.5 * q * (b[i] - a[i]) + yw < 0) {
        std::swap(z_var, other);
        s = -1.0;
      }
      const double z0 = *z_var;
      double z = z0;
      if (c - z < 0.5 * c) z *= 0.1;
      double gp = q * (z - z0) + s * yw + std::log(z / (c - z));
      g_max = std::max(g_max, std::fabs(gp));
      if (std::fabs(gp) >= o.eps) next_active.push_back(i);
      int steps = 0;
      while (steps <= kMaxNewton && std::fabs(gp) >= inner_eps) {
        const double gpp = q + c / (c - z) / z;
        const double next = z - gp / gpp;
        z = next <= 0 ? z * kShrink : next;
        gp = q * (z - z0) + s * yw + std::log(z / (c - z));
        ++steps;
      }
      newton_steps += static_cast<size_t>(steps);
      if (steps > 0) {
        *z_var = z;
        *other = c - z;
        const double delta = s * (z - z0) * y[i];
        const float fd = static_cast<float>(delta);
        for (size_t p = begin; p < end; ++p) w[x.col[p]] += fd * x.val[p];
      }
    }
    ++stats.passes;
    if (full) ++stats.full_passes;
    if (g_max < o.eps) {
      if (full) {
        stats.converged = true;
        break;
      }
      active = all;  // the active set looks optimal: verify over every example
      full = true;
    } else if (full && next_active.size() * 2 > l) {
      // Most examples still move: keep sweeping over all of them (no gain from an active set).
    } else {
      active.swap(next_active);
      full = false;
    }
    if (newton_steps <= active.size() / 10) inner_eps = std::max(inner_eps_min, 0.1 * inner_eps);
  }
  for (size_t i = 0; i < l; ++i) alpha[i] = a[i];
  w_out->assign(w.begin(), w.end());
  return stats;
}

}  // namespace hitloop::model
