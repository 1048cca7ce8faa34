// Cluster-margin (after Citovsky et al. 2021, "Batch active learning at scale"): take the
// kCandidateFactor × batch candidates with the smallest margin, cluster their embeddings into
// `batch` groups, and take the smallest-margin item of each group, so a batch covers different
// regions instead of many near-duplicates of one confusing case.
// Deviation from the paper, for speed and simplicity: the clustering is seeded k-means++ with a
// few Lloyd iterations over the margin-filtered set each round (the paper clusters the whole
// pool once with average-linkage HAC and samples clusters round-robin).
#include <algorithm>
#include <limits>

#include "al/scores.h"
#include "al/strategies.h"

namespace hitloop::al {
namespace {

constexpr size_t kCandidateFactor = 10;
constexpr int kLloydIterations = 5;

class ClusterMarginStrategy final : public Strategy {
 public:
  std::string name() const override { return "cluster-margin"; }
  Requirements requirements() const override { return {.embedding = true}; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    RETURN_IF_ERROR(ValidateContext(ctx, requirements()));
    const auto margin = ScoreRows(ctx.probs, ctx.num_candidates, ctx.num_classes,
                                  [](std::span<const float> p) { return NegMargin(p); });
    const auto top = TopK(margin, batch * kCandidateFactor, rng);
    batch = std::min(batch, top.size());
    if (batch == 0 || top.size() <= batch) return top;
    const RowMatrix& e = *ctx.embedding;
    const size_t m = top.size();
    RowMatrix x(m, e.cols());
    for (size_t i = 0; i < m; ++i) x.row(i) = e.row(top[i]);

    // k-means++ seeding (Arthur & Vassilvitskii 2007).
    RowMatrix centers(batch, e.cols());
    centers.row(0) = x.row(rng.Below(m));
    Eigen::VectorXf d2 = (x.rowwise() - centers.row(0)).rowwise().squaredNorm();
    for (size_t c = 1; c < batch; ++c) {
      const double total = d2.sum();
      size_t pick = rng.Below(m);
      if (total > 0) {
        double u = rng.Uniform() * total;
        for (size_t i = 0; i < m; ++i) {
          u -= d2[i];
          if (u <= 0) { pick = i; break; }
        }
      }
      centers.row(c) = x.row(pick);
      d2 = d2.cwiseMin((x.rowwise() - centers.row(c)).rowwise().squaredNorm());
    }
    std::vector<int> assign(m, 0);
    for (int it = 0; it < kLloydIterations; ++it) {
      const RowMatrix dots = x * centers.transpose();
      const Eigen::VectorXf cn = centers.rowwise().squaredNorm();
      for (size_t i = 0; i < m; ++i) {
        Eigen::Index best = 0;
        (cn.transpose() - 2.0f * dots.row(i)).minCoeff(&best);
        assign[i] = static_cast<int>(best);
      }
      RowMatrix sum = RowMatrix::Zero(batch, e.cols());
      std::vector<int> count(batch, 0);
      for (size_t i = 0; i < m; ++i) { sum.row(assign[i]) += x.row(i); ++count[assign[i]]; }
      for (size_t c = 0; c < batch; ++c) {
        if (count[c] > 0) centers.row(c) = sum.row(c) / static_cast<float>(count[c]);
      }
    }
    // `top` is sorted by margin, so the first member met of each cluster is its most uncertain.
    std::vector<uint8_t> taken_cluster(batch, 0), taken(m, 0);
    std::vector<size_t> out;
    for (size_t i = 0; i < m && out.size() < batch; ++i) {
      if (!taken_cluster[assign[i]]) {
        taken_cluster[assign[i]] = 1;
        taken[i] = 1;
        out.push_back(top[i]);
      }
    }
    // Empty clusters: fill with the next most uncertain items.
    for (size_t i = 0; i < m && out.size() < batch; ++i) {
      if (!taken[i]) out.push_back(top[i]);
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Strategy> NewClusterMarginStrategy() {
  return std::make_unique<ClusterMarginStrategy>();
}

}  // namespace hitloop::al
