#pragma once
// One resolved judgement per item from several people's judgements of it (the preference
// counterpart of quality/aggregation.h's majority / Dawid–Skene for labels).
//
// Every decided judgement contributes its pairwise outcomes (preference/answer.h PairScore: 1, 0,
// or 0.5 for a tie) to a Bradley–Terry fit over the item's responses (preference/bradley_terry.h,
// ties as half wins, `prior` virtual comparisons per response so one answer gives finite
// abilities). Responses whose fitted log-abilities differ by less than kTieTolerance form one
// group; the resolved order is the groups, best first. For two responses this is the majority of
// the people's answers (a tied vote resolves to a tie). A ranking of K is resolved as a whole
// (Bradley–Terry on all its K(K-1)/2 pairs, which is Plackett–Luce's pairwise marginal view).
//
// Both-bad answers carry no direction: when every answer is both-bad the item resolves to
// both-bad; otherwise they are counted and left out. `confidence` is the fitted probability that
// the best group's first response beats the second group's first (0.5 for a full tie).
// Thread-safety: pure function.
#include <span>
#include <vector>

#include "core/status.h"
#include "preference/answer.h"

namespace hitloop::preference {

inline constexpr double kTieTolerance = 1e-6;

struct ResolvedJudgement {
  Judgement judgement;              // order (groups, best first) or both_bad; strength unknown
  std::vector<double> log_ability;  // per response, mean 0; empty when both_bad
  double confidence = 0.5;
  int answers = 0;                  // judgements used (decided or tie)
  int both_bad = 0;                 // both-bad judgements
};

struct ResolveOptions {
  double prior = 0.5;  // virtual comparisons per response against the reference (see the header)
};

// InvalidArgument when `judgements` is empty, num_responses < 2, or a judgement names a response
// outside [0, num_responses).
Result<ResolvedJudgement> ResolveJudgements(std::span<const Judgement> judgements, int num_responses,
                                            const ResolveOptions& options = {});

}  // namespace hitloop::preference
