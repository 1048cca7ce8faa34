#include "preference/bradley_terry.h"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "preference/fit_common.h"

namespace hitloop::preference {

Result<Abilities> FitBradleyTerry(int n, std::span<const PairOutcome> outcomes,
                                  const FitOptions& options) {
  if (n < 1) return InvalidArgument("Bradley-Terry: need at least one item");
  if (options.prior < 0) return InvalidArgument("Bradley-Terry: prior must be >= 0");
  // Sparse symmetric comparison counts n_ij (i < j) and fractional wins W_i.
  std::map<std::pair<int, int>, double> games;
  std::vector<double> wins(n, 0.0);
  std::vector<std::vector<int>> beats(n);
  for (size_t k = 0; k < outcomes.size(); ++k) {
    const PairOutcome& o = outcomes[k];
    const std::string where = "comparison " + std::to_string(k) + ": ";
    if (o.a < 0 || o.a >= n || o.b < 0 || o.b >= n) return InvalidArgument(where + "item index out of range");
    if (o.a == o.b) return InvalidArgument(where + "an item compared with itself");
    if (!(o.a_score >= 0.0 && o.a_score <= 1.0)) return InvalidArgument(where + "score must be in [0, 1]");
    if (!(o.weight >= 0.0) || !std::isfinite(o.weight)) return InvalidArgument(where + "weight must be >= 0");
    if (o.weight == 0.0) continue;
    games[{std::min(o.a, o.b), std::max(o.a, o.b)}] += o.weight;
    wins[o.a] += o.weight * o.a_score;
    wins[o.b] += o.weight * (1.0 - o.a_score);
    if (o.a_score > 0) beats[o.a].push_back(o.b);
    if (o.a_score < 1) beats[o.b].push_back(o.a);
  }
  if (options.prior == 0.0 && !internal::StronglyConnected(beats)) {
    return FailedPrecondition(
        "Bradley-Terry: the maximum-likelihood abilities do not exist (some items never won or never "
        "lost against the rest); use a prior > 0");
  }
  std::vector<std::pair<std::pair<int, int>, double>> edges(games.begin(), games.end());
  auto denominator = [&edges](const std::vector<double>& p, std::vector<double>* d) {
    std::fill(d->begin(), d->end(), 0.0);
    for (const auto& [ij, nij] : edges) {
      const double share = nij / (p[ij.first] + p[ij.second]);
      (*d)[ij.first] += share;
      (*d)[ij.second] += share;
    }
  };
  Abilities out = internal::RunMm(wins, denominator, options);
  // Observed information of log-abilities (diagonal only).
  std::vector<double> info(n, 0.0);
  for (const auto& [ij, nij] : edges) {
    const double q = 1.0 / (1.0 + std::exp(out.log_ability[ij.second] - out.log_ability[ij.first]));
    info[ij.first] += nij * q * (1 - q);
    info[ij.second] += nij * q * (1 - q);
  }
  out.std_error.resize(n);
  for (int i = 0; i < n; ++i) {
    const double total = info[i] + options.prior / 4.0;
    out.std_error[i] = total > 0 ? 1.0 / std::sqrt(total) : std::numeric_limits<double>::infinity();
  }
  return out;
}

Result<Abilities> FitBradleyTerryMatrix(const std::vector<std::vector<double>>& wins,
                                        const FitOptions& options) {
  const int n = static_cast<int>(wins.size());
  std::vector<PairOutcome> outcomes;
  for (int i = 0; i < n; ++i) {
    if (static_cast<int>(wins[i].size()) != n) {
      return InvalidArgument("Bradley-Terry: win matrix row " + std::to_string(i) + " is not " +
                             std::to_string(n) + " long");
    }
    for (int j = 0; j < n; ++j) {
      if (i != j && wins[i][j] != 0) outcomes.push_back({i, j, 1.0, wins[i][j]});
    }
  }
  return FitBradleyTerry(n, outcomes, options);
}

double WinProbability(const Abilities& abilities, int i, int j) {
  return 1.0 / (1.0 + std::exp(abilities.log_ability[j] - abilities.log_ability[i]));
}

}  // namespace hitloop::preference
