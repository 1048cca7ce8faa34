// Entropy sampling (Settles 2009, §3.1): pick the items whose predicted class distribution has the highest Shannon entropy.
#include "al/scores.h"
#include "al/strategies.h"

namespace hitloop::al {
namespace {

class EntropyStrategy final : public Strategy {
 public:
  std::string name() const override { return "entropy"; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    RETURN_IF_ERROR(ValidateContext(ctx, requirements()));
    const auto scores = ScoreRows(ctx.probs, ctx.num_candidates, ctx.num_classes,
                                  [](std::span<const float> p) { return Entropy(p); });
    return TopK(scores, batch, rng);
  }
};

}  // namespace

std::unique_ptr<Strategy> NewEntropyStrategy() { return std::make_unique<EntropyStrategy>(); }

}  // namespace hitloop::al
