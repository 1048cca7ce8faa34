// k-center greedy core-set selection (Sener & Savarese 2018, Algorithm 1): repeatedly pick the
// candidate farthest (Euclidean, on L2-normalised embeddings) from every labelled or already
// picked item. Pure diversity, no model uncertainty.
// Cost bound: at most kMaxCandidates candidates (a seeded uniform sample) and kMaxCenters
// labelled items (a seeded sample) take part, so one call is O(kMaxCandidates · (kMaxCenters +
// batch) · d) whatever the pool size.
#include <algorithm>
#include <numeric>

#include "al/strategies.h"

namespace hitloop::al {
namespace {

constexpr size_t kMaxCandidates = 5000;
constexpr size_t kMaxCenters = 2000;

std::vector<size_t> Sample(size_t n, size_t k, Rng& rng) {
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, n);
  for (size_t i = 0; i < k; ++i) std::swap(idx[i], idx[i + rng.Below(n - i)]);
  idx.resize(k);
  return idx;
}

class KCenterStrategy final : public Strategy {
 public:
  std::string name() const override { return "kcenter"; }
  Requirements requirements() const override { return {.embedding = true}; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    RETURN_IF_ERROR(ValidateContext(ctx, requirements()));
    const RowMatrix& e = *ctx.embedding;
    const auto cand = Sample(ctx.num_candidates, kMaxCandidates, rng);
    const size_t m = cand.size();
    batch = std::min(batch, m);
    RowMatrix c(m, e.cols());
    for (size_t i = 0; i < m; ++i) c.row(i) = e.row(cand[i]);
    // For unit vectors, squared distance = 2 - 2 cos.
    Eigen::VectorXf min_d = Eigen::VectorXf::Constant(m, 4.0f);
    if (ctx.labeled_embedding != nullptr && ctx.labeled_embedding->rows() > 0) {
      const RowMatrix& l = *ctx.labeled_embedding;
      const auto centers = Sample(l.rows(), kMaxCenters, rng);
      RowMatrix lc(centers.size(), l.cols());
      for (size_t j = 0; j < centers.size(); ++j) lc.row(j) = l.row(centers[j]);
      const RowMatrix cos = c * lc.transpose();
      min_d = (2.0f - 2.0f * cos.rowwise().maxCoeff().array()).matrix();
    }
    std::vector<size_t> out;
    out.reserve(batch);
    for (size_t b = 0; b < batch; ++b) {
      Eigen::Index best = 0;
      min_d.maxCoeff(&best);
      out.push_back(cand[best]);
      const Eigen::VectorXf d = (2.0f - 2.0f * (c * c.row(best).transpose()).array()).matrix();
      min_d = min_d.cwiseMin(d);
      min_d[best] = -1.0f;  // never pick twice
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Strategy> NewKCenterStrategy() { return std::make_unique<KCenterStrategy>(); }

}  // namespace hitloop::al
