#pragma once
// Novelty (out-of-distribution) score: how far an item is from everything people have labelled.
// Novel items go to people even when the model is confident (loop/router.h).
//
//   text block (feature index < text_dim): the share of the row's L1 feature mass that falls on
//     features never seen in any training row. 0 = every feature seen; 1 = nothing seen.
//   dense block (index >= text_dim): d / s - 1 clipped at 0, where d is the distance to the
//     nearest training-class centroid and s that class's 95th-percentile member distance.
//     0 = within the usual spread of some class; 0.5 = 1.5x beyond it.
//   score = max of the two blocks present. Default cut-off (LoopConfig::max_novelty): 0.5.
//
// Thread-safety: Score is const and safe to call concurrently after Fit.
#include <cstdint>
#include <span>
#include <vector>

#include "text/sparse.h"

namespace hitloop::loop {

class NoveltyScorer {
 public:
  // `rows[i]` has class labels[i] in [0, num_classes). Replaces any previous fit.
  void Fit(std::span<const text::SparseRow* const> rows, std::span<const int> labels,
           int num_classes, uint32_t text_dim);
  double Score(const text::SparseRow& row) const;
  bool fitted() const { return fitted_; }
  // Features at or after `limit` are ignored by Fit and Score (the representation blocks a
  // cycle appends after the featurizer's columns: model/representation.h). Set before Fit.
  void set_feature_limit(uint32_t limit) { limit_ = limit; }

 private:
  bool fitted_ = false;
  uint32_t text_dim_ = 0;
  std::vector<uint64_t> seen_;                 // bitset over the text block
  std::vector<std::vector<float>> centroids_;  // per class, dense block (empty if no dense data)
  std::vector<double> centroid_norm2_;
  std::vector<double> spread_;                 // per class, 95th-percentile distance (0 = class absent)
  uint32_t dense_dims_ = 0;
  uint32_t limit_ = UINT32_MAX;
};

}  // namespace hitloop::loop
