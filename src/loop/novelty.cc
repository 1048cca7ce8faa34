#include "loop/novelty.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hitloop::loop {

void NoveltyScorer::Fit(std::span<const text::SparseRow* const> rows, std::span<const int> labels,
                        int num_classes, uint32_t text_dim) {
  text_dim_ = text_dim;
  seen_.assign((static_cast<size_t>(text_dim) + 63) / 64, 0);
  dense_dims_ = 0;
  for (const auto* r : rows) {
    for (const auto& f : *r) {
      if (f.index >= limit_) break;  // rows are sorted by index
      if (f.index < text_dim) {
        seen_[f.index >> 6] |= uint64_t{1} << (f.index & 63);
      } else {
        dense_dims_ = std::max(dense_dims_, f.index - text_dim + 1);
      }
    }
  }
  centroids_.assign(num_classes, {});
  centroid_norm2_.assign(num_classes, 0.0);
  spread_.assign(num_classes, 0.0);
  if (dense_dims_ > 0) {
    std::vector<int> count(num_classes, 0);
    for (auto& c : centroids_) c.assign(dense_dims_, 0.0f);
    for (size_t i = 0; i < rows.size(); ++i) {
      const int y = labels[i];
      ++count[y];
      for (const auto& f : *rows[i]) {
        if (f.index >= limit_) break;
        if (f.index >= text_dim) centroids_[y][f.index - text_dim] += f.value;
      }
    }
    for (int c = 0; c < num_classes; ++c) {
      if (count[c] == 0) continue;
      double n2 = 0;
      for (auto& v : centroids_[c]) {
        v /= static_cast<float>(count[c]);
        n2 += static_cast<double>(v) * v;
      }
      centroid_norm2_[c] = n2;
    }
    std::vector<std::vector<double>> dist(num_classes);
    for (size_t i = 0; i < rows.size(); ++i) {
      const int y = labels[i];
      double x2 = 0, dot = 0;
      for (const auto& f : *rows[i]) {
        if (f.index >= limit_) break;
        if (f.index < text_dim) continue;
        x2 += static_cast<double>(f.value) * f.value;
        dot += static_cast<double>(f.value) * centroids_[y][f.index - text_dim];
      }
      dist[y].push_back(std::sqrt(std::max(0.0, x2 - 2 * dot + centroid_norm2_[y])));
    }
    for (int c = 0; c < num_classes; ++c) {
      auto& d = dist[c];
      if (d.empty()) continue;
      const size_t q = std::min(d.size() - 1, static_cast<size_t>(0.95 * d.size()));
      std::nth_element(d.begin(), d.begin() + q, d.end());
      spread_[c] = std::max(d[q], 1e-9);
    }
  }
  fitted_ = true;
}

double NoveltyScorer::Score(const text::SparseRow& row) const {
  if (!fitted_) return 1.0;
  double text_mass = 0, unseen = 0, x2 = 0;
  bool has_dense = false;
  for (const auto& f : row) {
    if (f.index >= limit_) break;
    if (f.index < text_dim_) {
      const double m = std::fabs(f.value);
      text_mass += m;
      if (!(seen_[f.index >> 6] >> (f.index & 63) & 1)) unseen += m;
    } else {
      has_dense = true;
      x2 += static_cast<double>(f.value) * f.value;
    }
  }
  double score = text_mass > 0 ? unseen / text_mass : 0.0;
  if (has_dense && dense_dims_ > 0) {
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < centroids_.size(); ++c) {
      if (spread_[c] <= 0) continue;
      double dot = 0;
      for (const auto& f : row) {
        if (f.index >= limit_) break;
        if (f.index >= text_dim_ && f.index - text_dim_ < dense_dims_) {
          dot += static_cast<double>(f.value) * centroids_[c][f.index - text_dim_];
        }
      }
      const double d = std::sqrt(std::max(0.0, x2 - 2 * dot + centroid_norm2_[c]));
      best = std::min(best, d / spread_[c]);
    }
    if (std::isfinite(best)) score = std::max(score, std::max(0.0, best - 1.0));
  }
  return score;
}

}  // namespace hitloop::loop
