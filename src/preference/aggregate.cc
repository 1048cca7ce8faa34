#include "preference/aggregate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "preference/bradley_terry.h"

namespace hitloop::preference {

Result<ResolvedJudgement> ResolveJudgements(std::span<const Judgement> judgements, int num_responses,
                                            const ResolveOptions& options) {
  if (judgements.empty()) return InvalidArgument("resolve: no judgements");
  if (num_responses < 2) return InvalidArgument("resolve: an item needs at least two responses");
  ResolvedJudgement out;
  std::vector<PairOutcome> outcomes;
  for (const Judgement& j : judgements) {
    if (j.both_bad) {
      ++out.both_bad;
      continue;
    }
    for (const auto& group : j.order) {
      for (int r : group) {
        if (r < 0 || r >= num_responses) {
          return InvalidArgument("resolve: response " + std::to_string(r) + " outside [0, " +
                                 std::to_string(num_responses) + ")");
        }
      }
    }
    ++out.answers;
    for (int a = 0; a < num_responses; ++a) {
      for (int b = a + 1; b < num_responses; ++b) {
        const double s = PairScore(j, a, b);
        if (s >= 0) outcomes.push_back({a, b, s, 1.0});
      }
    }
  }
  if (out.answers == 0) {
    out.judgement.both_bad = true;
    return out;
  }
  FitOptions fit;
  fit.prior = options.prior;
  ASSIGN_OR_RETURN(Abilities ab, FitBradleyTerry(num_responses, outcomes, fit));
  out.log_ability = ab.log_ability;
  std::vector<int> idx(static_cast<size_t>(num_responses));
  std::iota(idx.begin(), idx.end(), 0);
  // Best first; equal abilities keep the responses' stored order.
  std::stable_sort(idx.begin(), idx.end(), [&](int x, int y) { return ab.log_ability[x] > ab.log_ability[y]; });
  auto& order = out.judgement.order;
  for (int r : idx) {
    if (!order.empty() && ab.log_ability[order.back().front()] - ab.log_ability[r] < kTieTolerance) {
      order.back().push_back(r);
    } else {
      order.push_back({r});
    }
  }
  for (auto& g : order) std::sort(g.begin(), g.end());
  if (order.size() >= 2) out.confidence = WinProbability(ab, order[0].front(), order[1].front());
  return out;
}

}  // namespace hitloop::preference
