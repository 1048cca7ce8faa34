#pragma once
// Active pair selection: which comparisons should people make next.
//
// Bradley–Terry (items with abilities and standard errors): the pair whose comparison most
// reduces the variance of its ability difference d = s_i - s_j. With prior variance
// v = se_i^2 + se_j^2 and Fisher information q = p_ij (1 - p_ij) from one comparison, the
// posterior variance of d is v / (1 + v q) (Laplace approximation), so the reduction is
// v^2 q / (1 + v q): close pairs (q near 1/4) of uncertain items first. A batch is chosen greedily,
// each pick adding its q to both items' information, so one batch spreads over items.
//
// Reward model (pairs of responses with a current score difference): the least sure first
// (smallest |r_a - r_b|).
// Thread-safety: pure functions.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "preference/bradley_terry.h"
#include "preference/project_data.h"
#include "preference/reward_model.h"

namespace hitloop::preference {

// Up to `batch` distinct pairs (i < j) of the abilities' items, best first (the abilities'
// std_error must be filled, as FitBradleyTerry does; a fit with a prior keeps them finite).
std::vector<std::pair<int, int>> SelectActivePairs(const Abilities& abilities, int batch);

// Indices of the `batch` candidates with the smallest |margin| (ties by index).
std::vector<size_t> LeastSure(std::span<const double> margins, size_t batch);

// The live loop's active pairs: of the items nobody has answered yet (gold questions left out),
// the `batch` whose responses the reward model separates least. An item's margin is the smallest
// reward gap between any two of its responses (for two responses |r_A - r_B|), so a ranking is as
// uncertain as its closest pair. Least sure first (ties by item index).
struct UncertainItem {
  size_t item = 0;     // index into ProjectPreferences::items
  double margin = 0.0;
};
std::vector<UncertainItem> LeastSureUnanswered(const ProjectPreferences& data, const RewardModel& model,
                                               size_t batch);

// Spearman's rank correlation (average ranks for ties); 0 when either side is constant.
double SpearmanRho(std::span<const double> a, std::span<const double> b);

}  // namespace hitloop::preference
