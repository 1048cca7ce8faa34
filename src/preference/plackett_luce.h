#pragma once
// Plackett–Luce abilities from (partial) rankings, with ties.
//
// Model: a ranking o_1 > o_2 > ... > o_K has probability prod_{s<K} p_{o_s} / sum_{t>=s} p_{o_t}.
// Fitted with Hunter's (2004) MM update for Plackett–Luce (Ann. Statist. 32(1), sec. 5):
//     p_i <- w_i / sum_rankings sum_{s<K, i in {o_s..o_K}} 1 / sum_{t>=s} p_{o_t}
// where w_i counts the stages at which i was picked (never the forced last stage). For K = 2 this
// is term for term the Bradley–Terry update (bradley_terry.h), so the two agree exactly.
//
// Ties: a group of m tied responses stands for its m cyclic rotations, each with weight 1/m. For
// two tied responses that is "each order half the time" — a tie counts as half a win to each
// side, the Bradley–Terry convention — and for larger groups it keeps every member's pick count
// and exposure equal without enumerating m! orders.
//
// `prior` works as in bradley_terry.h (virtual comparisons against a reference of ability 1).
// Thread-safety: pure functions.
#include <span>
#include <vector>

#include "core/status.h"
#include "preference/bradley_terry.h"

namespace hitloop::preference {

// A ranking of some of the items: groups[0] is the best group; responses within a group are tied.
struct Ranking {
  std::vector<std::vector<int>> groups;
  double weight = 1.0;
};

// InvalidArgument for an index outside [0, n), an item listed twice in one ranking, a ranking of
// fewer than two items or a negative weight; FailedPrecondition as FitBradleyTerry when the MLE
// does not exist and prior == 0.
Result<Abilities> FitPlackettLuce(int n, std::span<const Ranking> rankings,
                                  const FitOptions& options = {});

// The pairwise outcomes a ranking implies (every pair of items in different groups, the better
// one winning; pairs in one group tie), for agreement statistics and Bradley–Terry views.
std::vector<PairOutcome> RankingToPairs(const Ranking& ranking);

}  // namespace hitloop::preference
