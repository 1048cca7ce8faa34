// Random sampling: the baseline every other strategy is measured against (label efficiency ratio).
#include <numeric>

#include "al/strategies.h"

namespace hitloop::al {
namespace {

class RandomStrategy final : public Strategy {
 public:
  std::string name() const override { return "random"; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    const size_t n = ctx.num_candidates;
    batch = std::min(batch, n);
    // Partial Fisher–Yates: O(n) memory, O(batch) swaps.
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    for (size_t i = 0; i < batch; ++i) std::swap(idx[i], idx[i + rng.Below(n - i)]);
    idx.resize(batch);
    return idx;
  }
};

}  // namespace

std::unique_ptr<Strategy> NewRandomStrategy() { return std::make_unique<RandomStrategy>(); }

}  // namespace hitloop::al
