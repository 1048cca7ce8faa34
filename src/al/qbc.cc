// Query-by-committee (Seung, Opper & Sompolinsky 1992) with a bootstrap committee (Abe & Mamitsuka
// 1998; model/ensemble.h). Two disagreement measures (McCallum & Nigam 1998; Settles 2009 §3.2):
//   vote entropy  -Σ_c V(c)/C ln(V(c)/C), V(c) = members whose argmax is c; exact ties (common,
//                 votes are discrete) are broken by the consensus distribution's entropy;
//   KL            (1/C) Σ_m KL(p_m || p̄), p̄ the committee mean.
#include <algorithm>
#include <cmath>

#include "al/scores.h"
#include "al/strategies.h"

namespace hitloop::al {
namespace {

class QbcStrategy final : public Strategy {
 public:
  explicit QbcStrategy(bool kl) : kl_(kl) {}
  std::string name() const override { return kl_ ? "qbc-kl" : "qbc-vote"; }
  Requirements requirements() const override { return {.committee = true}; }
  Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                     Rng& rng) const override {
    RETURN_IF_ERROR(ValidateContext(ctx, requirements()));
    const auto& members = *ctx.committee;
    const int k = ctx.num_classes;
    const double c = static_cast<double>(members.size());
    std::vector<double> scores(ctx.num_candidates);
    std::vector<double> mean(k), votes(k);
    for (size_t i = 0; i < ctx.num_candidates; ++i) {
      std::fill(mean.begin(), mean.end(), 0.0);
      std::fill(votes.begin(), votes.end(), 0.0);
      for (const auto& m : members) {
        const float* p = m.data() + i * k;
        for (int j = 0; j < k; ++j) mean[j] += p[j] / c;
        votes[std::max_element(p, p + k) - p] += 1;
      }
      double s = 0;
      if (kl_) {
        for (const auto& m : members) {
          const float* p = m.data() + i * k;
          for (int j = 0; j < k; ++j) {
            if (p[j] > 0 && mean[j] > 0) s += p[j] * std::log(p[j] / mean[j]) / c;
          }
        }
      } else {
        for (int j = 0; j < k; ++j) {
          if (votes[j] > 0) s -= votes[j] / c * std::log(votes[j] / c);
        }
        double h = 0;
        for (int j = 0; j < k; ++j) if (mean[j] > 0) h -= mean[j] * std::log(mean[j]);
        s += 1e-6 * h;
      }
      scores[i] = s;
    }
    return TopK(scores, batch, rng);
  }

 private:
  bool kl_;
};

}  // namespace

std::unique_ptr<Strategy> NewQbcVoteEntropyStrategy() {
  return std::make_unique<QbcStrategy>(false);
}
std::unique_ptr<Strategy> NewQbcKlStrategy() { return std::make_unique<QbcStrategy>(true); }

}  // namespace hitloop::al
