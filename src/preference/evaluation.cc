#include "preference/evaluation.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace hitloop::preference {

uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<char> HoldOut(size_t n, double fraction, uint64_t seed) {
  std::vector<std::pair<uint64_t, size_t>> keys(n);
  for (size_t k = 0; k < n; ++k) keys[k] = {SplitMix64(seed * 0x9E3779B97F4A7C15ULL + k), k};
  std::sort(keys.begin(), keys.end());
  const size_t take = std::min(n, static_cast<size_t>(std::llround(fraction * static_cast<double>(n))));
  std::vector<char> out(n, 0);
  for (size_t i = 0; i < take; ++i) out[keys[i].second] = 1;
  return out;
}

namespace {
// Calls fn(item, better, worse) for every directed pair of a comparison.
template <typename Fn>
void ForEachDirected(const ProjectComparison& c, Fn fn) {
  if (c.judgement.both_bad) return;
  const auto& order = c.judgement.order;
  for (size_t g = 0; g < order.size(); ++g) {
    for (size_t h = g + 1; h < order.size(); ++h) {
      for (int better : order[g]) {
        for (int worse : order[h]) fn(c.item, better, worse);
      }
    }
  }
}
}  // namespace

std::vector<RewardPair> TrainingPairs(const ProjectPreferences& data, const std::vector<char>& use) {
  std::vector<RewardPair> out;
  for (size_t k = 0; k < data.comparisons.size(); ++k) {
    if (!use[k]) continue;
    ForEachDirected(data.comparisons[k], [&](size_t item, int better, int worse) {
      const PreferenceItem& it = data.items[item];
      out.push_back({LastUserTurn(it), it.responses[better].text, it.responses[worse].text});
    });
  }
  return out;
}

PairAccuracy ScorePairs(const ProjectPreferences& data, const std::vector<char>& use,
                        const std::function<double(size_t, int)>& score) {
  double right = 0.0;
  int64_t pairs = 0;
  for (size_t k = 0; k < data.comparisons.size(); ++k) {
    if (!use[k]) continue;
    ForEachDirected(data.comparisons[k], [&](size_t item, int better, int worse) {
      const double a = score(item, better), b = score(item, worse);
      right += a > b ? 1.0 : a == b ? 0.5 : 0.0;
      ++pairs;
    });
  }
  return {pairs > 0 ? right / static_cast<double>(pairs) : 0.0, pairs};
}

Agreement PairAgreement(const ProjectPreferences& data) {
  std::map<size_t, std::vector<const ProjectComparison*>> by_item;
  for (const auto& c : data.comparisons) {
    if (!c.judgement.both_bad) by_item[c.item].push_back(&c);
  }
  int64_t agree = 0, total = 0;
  for (const auto& [item, cs] : by_item) {
    const int n = static_cast<int>(data.items[item].responses.size());
    for (size_t x = 0; x < cs.size(); ++x) {
      for (size_t y = x + 1; y < cs.size(); ++y) {
        if (cs[x]->annotator == cs[y]->annotator) continue;
        for (int a = 0; a < n; ++a) {
          for (int b = a + 1; b < n; ++b) {
            agree += PairScore(cs[x]->judgement, a, b) == PairScore(cs[y]->judgement, a, b);
            ++total;
          }
        }
      }
    }
  }
  return {total > 0 ? static_cast<double>(agree) / static_cast<double>(total) : 0.0, total};
}

}  // namespace hitloop::preference
