#include "al/stopping.h"

#include <vector>

namespace hitloop::al {

double CohensKappa(std::span<const int> a, std::span<const int> b, int k) {
  const size_t n = a.size();
  if (n == 0 || n != b.size()) return 0.0;
  std::vector<double> ca(k, 0), cb(k, 0);
  double agree = 0;
  for (size_t i = 0; i < n; ++i) {
    agree += a[i] == b[i];
    ca[a[i]] += 1;
    cb[b[i]] += 1;
  }
  const double po = agree / n;
  double pe = 0;
  for (int c = 0; c < k; ++c) pe += (ca[c] / n) * (cb[c] / n);
  if (pe >= 1.0) return po >= 1.0 ? 1.0 : 0.0;
  return (po - pe) / (1.0 - pe);
}

bool StabilizingPredictions::Update(std::span<const int> predicted, int num_classes) {
  if (!previous_.empty() && previous_.size() == predicted.size()) {
    last_kappa_ = CohensKappa(previous_, predicted, num_classes);
    streak_ = last_kappa_ >= threshold_ ? streak_ + 1 : 0;
    if (streak_ >= window_) stopped_ = true;
  }
  previous_.assign(predicted.begin(), predicted.end());
  return stopped_;
}

}  // namespace hitloop::al
