#include "preference/plackett_luce.h"

#include <cmath>
#include <limits>
#include <string>

#include "preference/fit_common.h"

namespace hitloop::preference {
namespace {

// A ranking with ties expands to at most this many strict orders (product of group sizes).
constexpr double kMaxExpandedOrders = 4096;

struct Order {
  std::vector<int> items;  // best first
  double weight = 0.0;
};

// The strict orders standing for `r`: every combination of cyclic rotations of its tied groups,
// each with weight r.weight / prod(group sizes) (see the header).
void Expand(const Ranking& r, std::vector<Order>* out) {
  double combos = 1;
  for (const auto& g : r.groups) combos *= static_cast<double>(g.size());
  std::vector<size_t> rot(r.groups.size(), 0);
  while (true) {
    Order o;
    o.weight = r.weight / combos;
    for (size_t g = 0; g < r.groups.size(); ++g) {
      const auto& group = r.groups[g];
      for (size_t k = 0; k < group.size(); ++k) o.items.push_back(group[(k + rot[g]) % group.size()]);
    }
    out->push_back(std::move(o));
    size_t g = 0;
    for (; g < rot.size(); ++g) {
      if (++rot[g] < r.groups[g].size()) break;
      rot[g] = 0;
    }
    if (g == rot.size()) return;
  }
}

}  // namespace

Result<Abilities> FitPlackettLuce(int n, std::span<const Ranking> rankings, const FitOptions& options) {
  if (n < 1) return InvalidArgument("Plackett-Luce: need at least one item");
  if (options.prior < 0) return InvalidArgument("Plackett-Luce: prior must be >= 0");
  std::vector<Order> orders;
  std::vector<char> seen(n, 0);
  for (size_t k = 0; k < rankings.size(); ++k) {
    const Ranking& r = rankings[k];
    const std::string where = "ranking " + std::to_string(k) + ": ";
    if (!(r.weight >= 0.0) || !std::isfinite(r.weight)) return InvalidArgument(where + "weight must be >= 0");
    size_t count = 0;
    double combos = 1;
    std::fill(seen.begin(), seen.end(), 0);
    for (const auto& g : r.groups) {
      if (g.empty()) return InvalidArgument(where + "empty group");
      combos *= static_cast<double>(g.size());
      for (int i : g) {
        if (i < 0 || i >= n) return InvalidArgument(where + "item index out of range");
        if (seen[i]) return InvalidArgument(where + "item " + std::to_string(i) + " listed twice");
        seen[i] = 1;
        ++count;
      }
    }
    if (count < 2) return InvalidArgument(where + "a ranking needs at least two items");
    if (combos > kMaxExpandedOrders) return InvalidArgument(where + "too many ties to expand");
    if (r.weight == 0.0) continue;
    Expand(r, &orders);
  }
  std::vector<double> wins(n, 0.0);
  std::vector<std::vector<int>> beats(n);
  for (const Order& o : orders) {
    for (size_t s = 0; s + 1 < o.items.size(); ++s) {
      wins[o.items[s]] += o.weight;
      beats[o.items[s]].push_back(o.items[s + 1]);  // chains give the same reachability
    }
  }
  if (options.prior == 0.0 && !internal::StronglyConnected(beats)) {
    return FailedPrecondition(
        "Plackett-Luce: the maximum-likelihood abilities do not exist (some items were never ranked "
        "above or never below the rest); use a prior > 0");
  }
  auto denominator = [&orders](const std::vector<double>& p, std::vector<double>* d) {
    std::fill(d->begin(), d->end(), 0.0);
    std::vector<double> suffix;
    for (const Order& o : orders) {
      const size_t k = o.items.size();
      suffix.assign(k + 1, 0.0);
      for (size_t s = k; s-- > 0;) suffix[s] = suffix[s + 1] + p[o.items[s]];
      // The item at position t was in the choice set of stages 0..min(t, k-2).
      double acc = 0.0;
      for (size_t t = 0; t < k; ++t) {
        if (t + 1 < k) acc += o.weight / suffix[t];
        (*d)[o.items[t]] += acc;
      }
    }
  };
  Abilities out = internal::RunMm(wins, denominator, options);
  // Diagonal information: each stage contributes q(1-q) for each member (q = its choice share).
  std::vector<double> info(n, 0.0);
  for (const Order& o : orders) {
    const size_t k = o.items.size();
    double total = 0.0;
    for (int i : o.items) total += std::exp(out.log_ability[i]);
    for (size_t s = 0; s + 1 < k; ++s) {
      for (size_t t = s; t < k; ++t) {
        const double q = std::exp(out.log_ability[o.items[t]]) / total;
        info[o.items[t]] += o.weight * q * (1 - q);
      }
      total -= std::exp(out.log_ability[o.items[s]]);
    }
  }
  out.std_error.resize(n);
  for (int i = 0; i < n; ++i) {
    const double t = info[i] + options.prior / 4.0;
    out.std_error[i] = t > 0 ? 1.0 / std::sqrt(t) : std::numeric_limits<double>::infinity();
  }
  return out;
}

std::vector<PairOutcome> RankingToPairs(const Ranking& ranking) {
  std::vector<PairOutcome> out;
  for (size_t g = 0; g < ranking.groups.size(); ++g) {
    const auto& group = ranking.groups[g];
    for (size_t x = 0; x < group.size(); ++x) {
      for (size_t y = x + 1; y < group.size(); ++y) out.push_back({group[x], group[y], 0.5, ranking.weight});
      for (size_t h = g + 1; h < ranking.groups.size(); ++h) {
        for (int other : ranking.groups[h]) out.push_back({group[x], other, 1.0, ranking.weight});
      }
    }
  }
  return out;
}

}  // namespace hitloop::preference
