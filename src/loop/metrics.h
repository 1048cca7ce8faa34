#pragma once
// Gold-set metrics recorded before and after each cycle: accuracy, macro-F1 (mean F1 over the
// classes present in gold) and expected calibration error (Guo et al. 2017, "On calibration of
// modern neural networks": 15 equal-width confidence bins, |accuracy - confidence| weighted by
// bin size). Pure; thread-safe.
#include <cstdint>
#include <span>

namespace hitloop::loop {

struct GoldMetrics {
  int64_t n = 0;
  double accuracy = 0.0;
  double macro_f1 = 0.0;
  double ece = 0.0;
};

// probs: gold.size() x num_classes row-major; gold[i] in [0, num_classes).
GoldMetrics ComputeGoldMetrics(std::span<const float> probs, std::span<const int> gold,
                               int num_classes);

}  // namespace hitloop::loop
