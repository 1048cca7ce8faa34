// Margin sampling (Scheffer et al. 2001), a.k.a. breaking ties: pick the items whose two most likely classes are closest. Schröder et al. 2022 find it the strongest uncertainty strategy for text classification.
#include "al/scores.h"
#include "al/strategies.h"

namespace hitloop::al {
namespace {

class MarginStrategy final : public Strategy {
 public:
  std::string name() const override { return "margin"; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    RETURN_IF_ERROR(ValidateContext(ctx, requirements()));
    const auto scores = ScoreRows(ctx.probs, ctx.num_candidates, ctx.num_classes,
                                  [](std::span<const float> p) { return NegMargin(p); });
    return TopK(scores, batch, rng);
  }
};

}  // namespace

std::unique_ptr<Strategy> NewMarginStrategy() { return std::make_unique<MarginStrategy>(); }

}  // namespace hitloop::al
