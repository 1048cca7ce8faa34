#pragma once
// Stabilising-predictions stopping rule (Bloodgood & Vijay-Shanker 2009, "A method for stopping
// active learning based on stabilizing predictions"): keep a fixed, unlabelled stop set; after
// each round compare the new model's predicted classes on it with the previous model's; once
// Cohen's κ between successive rounds stays ≥ threshold for `window` consecutive rounds, report
// "you can stop here". The rule never looks at gold labels.
// Not thread-safe (one instance per run).
#include <cstddef>
#include <span>
#include <vector>

namespace hitloop::al {

// Cohen's κ between two label sequences of equal length over `num_classes` classes; 1 when both
// are identical (including the degenerate single-class case).
double CohensKappa(std::span<const int> a, std::span<const int> b, int num_classes);

class StabilizingPredictions {
 public:
  explicit StabilizingPredictions(double threshold = 0.99, int window = 3)
      : threshold_(threshold), window_(window) {}
  // Feeds the predicted classes on the stop set for this round; returns true once the rule says
  // stop (and keeps returning true).
  bool Update(std::span<const int> predicted, int num_classes);
  bool should_stop() const { return stopped_; }
  double last_kappa() const { return last_kappa_; }

 private:
  double threshold_;
  int window_;
  std::vector<int> previous_;
  int streak_ = 0;
  bool stopped_ = false;
  double last_kappa_ = 0;
};

}  // namespace hitloop::al
