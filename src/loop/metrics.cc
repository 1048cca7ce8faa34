#include "loop/metrics.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hitloop::loop {

GoldMetrics ComputeGoldMetrics(std::span<const float> probs, std::span<const int> gold, int k) {
  GoldMetrics m;
  m.n = static_cast<int64_t>(gold.size());
  if (gold.empty() || k < 1) return m;
  constexpr int kBins = 15;
  std::vector<double> bin_n(kBins, 0), bin_conf(kBins, 0), bin_acc(kBins, 0);
  std::vector<double> tp(k, 0), fp(k, 0), fn(k, 0);
  std::vector<uint8_t> present(k, 0);
  double correct = 0;
  for (size_t i = 0; i < gold.size(); ++i) {
    const float* p = probs.data() + i * k;
    const int pred = static_cast<int>(std::max_element(p, p + k) - p);
    const double conf = p[pred];
    const int y = gold[i];
    if (y < 0 || y >= k) continue;
    present[y] = 1;
    const bool ok = pred == y;
    correct += ok;
    if (ok) {
      tp[y] += 1;
    } else {
      fp[pred] += 1;
      fn[y] += 1;
    }
    const int b = std::min(kBins - 1, static_cast<int>(conf * kBins));
    bin_n[b] += 1;
    bin_conf[b] += conf;
    bin_acc[b] += ok;
  }
  const double n = static_cast<double>(gold.size());
  m.accuracy = correct / n;
  double f1 = 0;
  int classes = 0;
  for (int c = 0; c < k; ++c) {
    if (!present[c]) continue;
    ++classes;
    const double d = 2 * tp[c] + fp[c] + fn[c];
    f1 += d > 0 ? 2 * tp[c] / d : 0;
  }
  m.macro_f1 = classes ? f1 / classes : 0;
  for (int b = 0; b < kBins; ++b) {
    if (bin_n[b] > 0) m.ece += std::fabs(bin_acc[b] - bin_conf[b]) / n;
  }
  return m;
}

}  // namespace hitloop::loop
