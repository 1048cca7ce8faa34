#pragma once
// Simulations of the active-vs-random preference protocol (docs/PREFERENCES.md; hitloop simulate
// preferences): the product's own Bradley–Terry fit, reward model and pair selection, with an
// oracle answering in place of people.
//
// Synthetic truth: `items` abilities drawn from a standard normal; each asked comparison is
// answered from the Bradley–Terry model (i wins with sigmoid(s_i - s_j)) and then flipped with
// probability `flip` (a careless annotator). After every batch the abilities are refitted
// (prior 1, warm start) and Spearman's rho against the truth is measured; a run ends when rho
// reaches `target_rho` or after max_comparisons. Random order asks uniformly random pairs;
// active order asks SelectActivePairs (preference/active.h).
//
// Imported pairs: the project's comparisons are the pool; a seeded 20% is the test set. Runs start
// from `start` random comparisons and add `batch` at a time — random ones, or (active) those the
// current reward model is least sure of — retraining the reward model after each batch and
// measuring held-out pair accuracy.
// Thread-safety: pure functions of their inputs and seed.
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "preference/project_data.h"
#include "preference/reward_model.h"

namespace hitloop::preference {

struct SyntheticOptions {
  int items = 50;
  double flip = 0.2;
  int batch = 10;
  int64_t max_comparisons = 20000;
  double target_rho = 0.9;
};

struct CurvePoint {
  int64_t comparisons = 0;
  double value = 0.0;  // rho (synthetic) or pair accuracy (imported)
};

struct SyntheticRun {
  int64_t comparisons_to_target = -1;  // -1: not reached within max_comparisons
  std::vector<CurvePoint> curve;
};

SyntheticRun RunSyntheticBradleyTerry(bool active, uint64_t seed, const SyntheticOptions& options);

struct PairsOptions {
  int64_t start = 100;
  int64_t batch = 100;
  double holdout = 0.2;
  RewardOptions reward;
};

// curve[k] = held-out accuracy after start + k * batch comparisons (the last point uses the whole
// pool). FailedPrecondition when the pool is too small for `start`.
Result<std::vector<CurvePoint>> RunImportedPairs(const ProjectPreferences& data, bool active, uint64_t seed,
                                                 const PairsOptions& options);

}  // namespace hitloop::preference
