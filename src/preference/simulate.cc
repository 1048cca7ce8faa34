#include "preference/simulate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/rng.h"
#include "preference/active.h"
#include "preference/bradley_terry.h"
#include "preference/evaluation.h"

namespace hitloop::preference {

SyntheticRun RunSyntheticBradleyTerry(bool active, uint64_t seed, const SyntheticOptions& o) {
  Rng rng(seed);
  const int n = o.items;
  std::vector<double> truth(n);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (double& t : truth) t = normal(rng.engine());
  // Answers aggregated per ordered pair: wins[(i, j)] = times i beat j.
  std::map<std::pair<int, int>, double> wins;
  FitOptions fit_options;
  fit_options.prior = 1.0;
  fit_options.tolerance = 1e-6;
  fit_options.max_iterations = 2000;
  Abilities current;
  current.log_ability.assign(n, 0.0);
  current.std_error.assign(n, 2.0);  // the prior's alone: 1 / sqrt(prior / 4)
  SyntheticRun run;
  int64_t asked = 0;
  while (asked < o.max_comparisons) {
    std::vector<std::pair<int, int>> pairs;
    if (active) {
      pairs = SelectActivePairs(current, o.batch);
    } else {
      for (int b = 0; b < o.batch; ++b) {
        int i = static_cast<int>(rng.Below(n)), j = static_cast<int>(rng.Below(n - 1));
        if (j >= i) ++j;
        pairs.push_back({i, j});
      }
    }
    for (auto [i, j] : pairs) {
      const double p = 1.0 / (1.0 + std::exp(truth[j] - truth[i]));
      bool i_wins = rng.Uniform() < p;
      if (rng.Uniform() < o.flip) i_wins = !i_wins;
      wins[i_wins ? std::make_pair(i, j) : std::make_pair(j, i)] += 1.0;
      ++asked;
    }
    std::vector<PairOutcome> outcomes;
    outcomes.reserve(wins.size());
    for (const auto& [ij, w] : wins) outcomes.push_back({ij.first, ij.second, 1.0, w});
    fit_options.initial = current.log_ability;
    auto fit = FitBradleyTerry(n, outcomes, fit_options);
    if (!fit.ok()) break;  // cannot happen with a prior; stop rather than loop
    current = std::move(*fit);
    const double rho = SpearmanRho(current.log_ability, truth);
    run.curve.push_back({asked, rho});
    if (rho >= o.target_rho) {
      run.comparisons_to_target = asked;
      break;
    }
  }
  return run;
}

Result<std::vector<CurvePoint>> RunImportedPairs(const ProjectPreferences& data, bool active, uint64_t seed,
                                                 const PairsOptions& o) {
  const size_t n = data.comparisons.size();
  const std::vector<char> test = HoldOut(n, o.holdout, seed);
  std::vector<size_t> pool;
  for (size_t k = 0; k < n; ++k) {
    if (!test[k]) pool.push_back(k);
  }
  if (pool.size() < static_cast<size_t>(o.start) || o.start < 1 || o.batch < 1) {
    return FailedPrecondition("simulate: the pool has " + std::to_string(pool.size()) +
                              " comparisons, fewer than --start " + std::to_string(o.start));
  }
  Rng rng(seed);
  rng.Shuffle(pool);
  std::vector<char> used(n, 0);
  std::vector<size_t> remaining(pool.begin() + o.start, pool.end());
  for (int64_t k = 0; k < o.start; ++k) used[pool[k]] = 1;
  std::vector<CurvePoint> curve;
  int64_t count = o.start;
  RewardOptions ro = o.reward;
  ro.seed = seed;
  while (true) {
    auto model = RewardModel::Train(TrainingPairs(data, used), ro);
    if (!model.ok()) return model.status();
    const auto& items = data.items;
    auto score = [&](size_t item, int r) {
      return model->Score(LastUserTurn(items[item]), items[item].responses[r].text);
    };
    curve.push_back({count, ScorePairs(data, test, score).accuracy});
    if (remaining.empty()) break;
    const size_t take = std::min(remaining.size(), static_cast<size_t>(o.batch));
    std::vector<size_t> picked;
    if (active) {
      // The least sure: smallest reward difference between the compared responses. For a ranking
      // the smallest over its adjacent groups.
      std::vector<double> margins(remaining.size());
      for (size_t r = 0; r < remaining.size(); ++r) {
        const ProjectComparison& c = data.comparisons[remaining[r]];
        const auto& resp = items[c.item].responses;
        double m = 1e300;
        for (size_t a = 0; a < resp.size(); ++a) {
          for (size_t b = a + 1; b < resp.size(); ++b) {
            m = std::min(m, std::fabs(score(c.item, static_cast<int>(a)) - score(c.item, static_cast<int>(b))));
          }
        }
        margins[r] = m;
      }
      picked = LeastSure(margins, take);
    } else {
      picked.resize(take);
      std::iota(picked.begin(), picked.end(), size_t{0});  // `remaining` is already shuffled
    }
    std::sort(picked.rbegin(), picked.rend());
    for (size_t r : picked) {
      used[remaining[r]] = 1;
      remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(r));
    }
    count += static_cast<int64_t>(take);
  }
  return curve;
}

}  // namespace hitloop::preference
