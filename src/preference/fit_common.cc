#include "preference/fit_common.h"

#include <algorithm>
#include <cmath>

namespace hitloop::preference::internal {
namespace {
// Items reachable from 0 along `edges`.
int Reach(const std::vector<std::vector<int>>& edges) {
  std::vector<char> seen(edges.size(), 0);
  std::vector<int> stack = {0};
  seen[0] = 1;
  int count = 1;
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    for (int w : edges[v]) {
      if (!seen[w]) {
        seen[w] = 1;
        ++count;
        stack.push_back(w);
      }
    }
  }
  return count;
}
}  // namespace

bool StronglyConnected(const std::vector<std::vector<int>>& beats) {
  const int n = static_cast<int>(beats.size());
  if (n <= 1) return true;
  std::vector<std::vector<int>> reverse(n);
  for (int i = 0; i < n; ++i) {
    for (int j : beats[i]) reverse[j].push_back(i);
  }
  return Reach(beats) == n && Reach(reverse) == n;
}

Abilities RunMm(const std::vector<double>& wins,
                const std::function<void(const std::vector<double>&, std::vector<double>*)>& denominator,
                const FitOptions& options) {
  const size_t n = wins.size();
  std::vector<double> p(n, 1.0), d(n, 0.0);
  if (options.initial.size() == n) {
    for (size_t i = 0; i < n; ++i) p[i] = std::exp(options.initial[i]);
  }
  Abilities out;
  const double half_prior = options.prior / 2.0;
  for (int it = 1; it <= options.max_iterations; ++it) {
    denominator(p, &d);
    double max_change = 0.0;
    std::vector<double> next(n);
    for (size_t i = 0; i < n; ++i) {
      // The prior's virtual games against the reference (ability 1): prior/2 wins, prior games.
      const double num = wins[i] + half_prior;
      const double den = d[i] + options.prior / (p[i] + 1.0);
      next[i] = den > 0 ? num / den : p[i];
    }
    if (options.prior == 0.0) {
      // Without the reference the likelihood is scale-free: keep the geometric mean at 1.
      double mean_log = 0.0;
      for (double v : next) mean_log += std::log(v);
      mean_log /= static_cast<double>(n);
      for (double& v : next) v /= std::exp(mean_log);
    }
    for (size_t i = 0; i < n; ++i) {
      max_change = std::max(max_change, std::fabs(std::log(next[i]) - std::log(p[i])));
    }
    p.swap(next);
    out.iterations = it;
    if (max_change < options.tolerance) {
      out.converged = true;
      break;
    }
  }
  out.log_ability.resize(n);
  double mean_log = 0.0;
  for (size_t i = 0; i < n; ++i) {
    out.log_ability[i] = std::log(p[i]);
    mean_log += out.log_ability[i];
  }
  mean_log /= static_cast<double>(n);
  for (double& v : out.log_ability) v -= mean_log;
  return out;
}

}  // namespace hitloop::preference::internal
