#include "loop/audit_region.h"

#include <algorithm>

#include "loop/certify.h"

namespace hitloop::loop {

double ChooseDrawThreshold(std::span<const std::pair<float, uint8_t>> audits,
                           std::span<const float> confidences, const std::vector<double>& grid,
                           double epsilon, double delta, int64_t min_items) {
  if (grid.empty()) return 0.0;
  std::vector<std::pair<float, uint8_t>> a(audits.begin(), audits.end());
  std::sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  double t_low = grid.back();
  size_t pos = 0;
  int64_t errors = 0;
  for (size_t g = 0; g < grid.size(); ++g) {
    while (pos < a.size() && a[pos].first >= grid[g]) errors += a[pos++].second;
    const int64_t n = static_cast<int64_t>(pos);
    if (errors == 0 || n == 0) continue;
    const double lower = 1.0 - ClopperPearsonUpper(n - errors, n, delta);
    if (lower > epsilon) {  // blocks this candidate and every lower one
      t_low = g == 0 ? grid[0] : grid[g - 1];
      break;
    }
  }
  // Enough room: lower the threshold until the region holds min_items routable items.
  std::vector<float> c(confidences.begin(), confidences.end());
  std::sort(c.begin(), c.end(), std::greater<float>());
  auto region = [&](double t) {
    return static_cast<int64_t>(std::upper_bound(c.begin(), c.end(), static_cast<float>(t),
                                                 std::greater<float>()) - c.begin());
  };
  for (size_t g = 0; g < grid.size() && region(t_low) < min_items; ++g) {
    if (grid[g] < t_low) t_low = grid[g];
  }
  return t_low;
}

std::vector<int32_t> AdvanceRegionRuns(std::span<const int32_t> since, std::span<const uint8_t> member,
                                       int32_t draw, size_t n) {
  std::vector<int32_t> out(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const int32_t s = since.empty() ? 0 : since[i];
    const bool in = member.empty() || member[i];
    out[i] = !in ? kNotInRegion : (s == kNotInRegion ? draw : s);
  }
  return out;
}

int32_t ChooseAuditWindow(std::span<const int32_t> since, std::span<const int32_t> audit_draw,
                          std::span<const uint8_t> audit_whole_pool, std::span<const uint8_t> counted,
                          int32_t draws, int64_t want) {
  int32_t best = 0;
  int64_t best_n = -1;
  std::vector<size_t> audits;
  for (size_t j = 0; j < counted.size(); ++j) {
    if (counted[j]) audits.push_back(j);
  }
  for (int32_t c0 = std::max(0, draws - 1); c0 >= 0; --c0) {
    int64_t n = 0;
    for (size_t j : audits) {
      n += AuditInWindow(audit_draw[j], !audit_whole_pool.empty() && audit_whole_pool[j],
                         since.empty() ? 0 : since[j], c0);
    }
    if (n >= want) return c0;
    if (n > best_n) {
      best_n = n;
      best = c0;
    }
  }
  return best;
}

int64_t AuditOrder(int32_t draw, uint64_t item_key) {
  uint64_t z = item_key + 0x9E3779B97F4A7C15ULL;  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (static_cast<int64_t>(draw) + 1) * (int64_t{1} << 32) + static_cast<int64_t>(z >> 32);
}

}  // namespace hitloop::loop
