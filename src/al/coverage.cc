#include "al/coverage.h"

#include <algorithm>

namespace hitloop::al {

size_t OracleCoverage(std::vector<std::pair<float, uint8_t>> items, double precision) {
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  int64_t ok = 0;
  size_t best = 0;
  for (size_t j = 0; j < items.size(); ++j) {
    ok += items[j].second;
    const bool cut = j + 1 == items.size() || items[j + 1].first < items[j].first;
    if (cut && static_cast<double>(ok) >= precision * static_cast<double>(j + 1)) best = j + 1;
  }
  return best;
}

size_t OracleCoverage(const std::vector<float>& probs, const std::vector<int>& gold, int k,
                      double precision) {
  std::vector<std::pair<float, uint8_t>> items;
  items.reserve(gold.size());
  for (size_t i = 0; i < gold.size() && (i + 1) * k <= probs.size(); ++i) {
    const float* p = probs.data() + i * k;
    const int pred = static_cast<int>(std::max_element(p, p + k) - p);
    items.emplace_back(p[pred], pred == gold[i] ? 1 : 0);
  }
  return OracleCoverage(std::move(items), precision);
}

}  // namespace hitloop::al
