// Least-confidence sampling (Lewis & Gale 1994): pick the items whose top class has the lowest probability.
#include "al/scores.h"
#include "al/strategies.h"

namespace hitloop::al {
namespace {

class LeastConfidenceStrategy final : public Strategy {
 public:
  std::string name() const override { return "least-confidence"; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    RETURN_IF_ERROR(ValidateContext(ctx, requirements()));
    const auto scores = ScoreRows(ctx.probs, ctx.num_candidates, ctx.num_classes,
                                  [](std::span<const float> p) { return LeastConfidence(p); });
    return TopK(scores, batch, rng);
  }
};

}  // namespace

std::unique_ptr<Strategy> NewLeastConfidenceStrategy() { return std::make_unique<LeastConfidenceStrategy>(); }

}  // namespace hitloop::al
