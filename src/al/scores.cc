#include "al/scores.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hitloop::al {

double LeastConfidence(std::span<const float> p) {
  return 1.0 - *std::max_element(p.begin(), p.end());
}

double NegMargin(std::span<const float> p) {
  float a = -1, b = -1;  // top two
  for (float v : p) {
    if (v > a) { b = a; a = v; }
    else if (v > b) { b = v; }
  }
  if (b < 0) b = 0;
  return -(static_cast<double>(a) - b);
}

double Entropy(std::span<const float> p) {
  double h = 0;
  for (float v : p) {
    if (v > 0) h -= v * std::log(static_cast<double>(v));
  }
  return h;
}

std::vector<size_t> TopK(std::span<const double> scores, size_t batch, Rng& rng) {
  const size_t n = scores.size();
  batch = std::min(batch, n);
  // A random permutation first, then a stable partial sort: equal scores keep the random order.
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  rng.Shuffle(idx);
  std::vector<std::pair<double, size_t>> keyed(n);
  for (size_t j = 0; j < n; ++j) keyed[j] = {scores[idx[j]], j};
  auto cmp = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  std::partial_sort(keyed.begin(), keyed.begin() + batch, keyed.end(), cmp);
  std::vector<size_t> out(batch);
  for (size_t j = 0; j < batch; ++j) out[j] = idx[keyed[j].second];
  return out;
}

}  // namespace hitloop::al
