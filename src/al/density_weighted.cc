// Information density (Settles & Craven 2008, eq. 1): score = entropy(x) × sim(x)^β with
// sim(x) the mean cosine similarity of x to the pool, β = 1. Outliers are uncertain too, but
// labelling them teaches little about the rest of the pool; density weighting prefers uncertain
// items from dense regions. sim(x) is estimated against a seeded sample of kReference
// candidates (an unbiased estimate of the pool mean that keeps the cost O(n · kReference · d)).
#include <algorithm>

#include "al/scores.h"
#include "al/strategies.h"

namespace hitloop::al {
namespace {

constexpr size_t kReference = 256;

class DensityWeightedStrategy final : public Strategy {
 public:
  std::string name() const override { return "density-weighted"; }
  Requirements requirements() const override { return {.embedding = true}; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    RETURN_IF_ERROR(ValidateContext(ctx, requirements()));
    const size_t n = ctx.num_candidates;
    if (n == 0) return std::vector<size_t>{};
    const RowMatrix& e = *ctx.embedding;
    const size_t r = std::min(kReference, n);
    RowMatrix ref(r, e.cols());
    for (size_t j = 0; j < r; ++j) ref.row(j) = e.row(rng.Below(n));
    const Eigen::VectorXf sim = (e * ref.transpose()).rowwise().mean();
    const auto h = ScoreRows(ctx.probs, n, ctx.num_classes,
                             [](std::span<const float> p) { return Entropy(p); });
    std::vector<double> scores(n);
    // Cosine similarity can be negative; clamp so the weight stays a density.
    for (size_t i = 0; i < n; ++i) scores[i] = h[i] * std::max(0.0f, sim[i]);
    return TopK(scores, batch, rng);
  }
};

}  // namespace

std::unique_ptr<Strategy> NewDensityWeightedStrategy() {
  return std::make_unique<DensityWeightedStrategy>();
}

}  // namespace hitloop::al
