#pragma once
// Protocol 1 statistics (label efficiency of active learning), computed
// from learning-curve points:
//   labels_to_target[τ]  fewest labels at which the MEAN test accuracy over repeats reaches
//                        τ × full_pool_accuracy (nullopt: never within the run);
//   pool_fraction[τ]     labels_to_target[τ] / pool size;
//   LER[τ]               labels random needs / labels the strategy needs, with a paired
//                        bootstrap over repeats (the same resampled repeat ids for both curves,
//                        since a repeat's seed set is shared by every strategy).
// In a bootstrap sample where the strategy never reaches the target the ratio counts as 0 (a
// miss); where random never reaches it, random's labels are taken as its last label count, so
// the ratio is a lower bound and the result says `random_censored`.
// Thread-safe (pure functions).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hitloop::al {

struct CurvePoint {
  std::string strategy;
  int repeat = 0;
  size_t labels = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  double cycle_seconds = 0;  // retrain + score the unlabelled pool + select the next batch
  // Extensions (appended to curves.csv): the cycle's parts (wall), and the CPU time all of the
  // process's threads spent in the cycle (shared machines: wall time includes waiting for a core).
  double train_seconds = 0;
  double score_seconds = 0;
  double cycle_cpu_seconds = 0;
};

struct LerEstimate {
  std::optional<double> median, ci_low, ci_high;
  bool random_censored = false;
};

struct StrategySummary {
  std::map<double, std::optional<size_t>> labels_to_target;
  std::map<double, std::optional<double>> pool_fraction;
  std::map<double, LerEstimate> ler_vs_random;  // empty when "random" was not run
  double cycle_seconds_median = 0;
  double cycle_cpu_seconds_median = 0;
  std::vector<std::pair<size_t, double>> mean_curve;  // (labels, mean accuracy), ascending
};

// Mean accuracy per label count over the given repeats (all repeats when `repeats` is empty).
std::vector<std::pair<size_t, double>> MeanCurve(const std::vector<CurvePoint>& points,
                                                 const std::string& strategy,
                                                 const std::vector<int>& repeats = {});
std::optional<size_t> LabelsToTarget(const std::vector<std::pair<size_t, double>>& mean_curve,
                                     double target_accuracy);

struct SummaryOptions {
  std::vector<double> taus = {0.95, 0.98, 0.99};
  int bootstrap_samples = 1000;
  uint64_t seed = 1;
};

std::map<std::string, StrategySummary> Summarize(const std::vector<CurvePoint>& points,
                                                 double full_pool_accuracy, size_t pool_size,
                                                 const SummaryOptions& options);

}  // namespace hitloop::al
