#include "al/curves.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/rng.h"

namespace hitloop::al {
namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Linear-interpolated percentile, q in [0, 1], of a sorted vector.
double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * (sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(sorted.size() - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

}  // namespace

std::vector<std::pair<size_t, double>> MeanCurve(const std::vector<CurvePoint>& points,
                                                 const std::string& strategy,
                                                 const std::vector<int>& repeats) {
  // A repeat may appear several times in a bootstrap resample: weight by multiplicity.
  std::map<int, int> weight;
  for (int r : repeats) ++weight[r];
  std::map<size_t, std::pair<double, double>> acc;  // labels -> (sum, count)
  for (const auto& p : points) {
    if (p.strategy != strategy) continue;
    double w = 1;
    if (!repeats.empty()) {
      auto it = weight.find(p.repeat);
      if (it == weight.end()) continue;
      w = it->second;
    }
    auto& a = acc[p.labels];
    a.first += w * p.accuracy;
    a.second += w;
  }
  std::vector<std::pair<size_t, double>> out;
  for (const auto& [labels, a] : acc) out.emplace_back(labels, a.first / a.second);
  return out;
}

std::optional<size_t> LabelsToTarget(const std::vector<std::pair<size_t, double>>& curve,
                                     double target) {
  for (const auto& [labels, acc] : curve) {
    if (acc >= target) return labels;
  }
  return std::nullopt;
}

std::map<std::string, StrategySummary> Summarize(const std::vector<CurvePoint>& points,
                                                 double full_pool_accuracy, size_t pool_size,
                                                 const SummaryOptions& options) {
  std::set<std::string> names;
  std::set<int> repeat_set;
  for (const auto& p : points) {
    names.insert(p.strategy);
    repeat_set.insert(p.repeat);
  }
  const std::vector<int> repeats(repeat_set.begin(), repeat_set.end());
  std::map<std::string, StrategySummary> out;
  for (const auto& name : names) {
    StrategySummary& s = out[name];
    s.mean_curve = MeanCurve(points, name);
    for (double tau : options.taus) {
      auto l = LabelsToTarget(s.mean_curve, tau * full_pool_accuracy);
      s.labels_to_target[tau] = l;
      s.pool_fraction[tau] =
          l && pool_size ? std::optional<double>(static_cast<double>(*l) / pool_size)
                         : std::nullopt;
    }
    std::vector<double> cyc;
    for (const auto& p : points) if (p.strategy == name) cyc.push_back(p.cycle_seconds);
    s.cycle_seconds_median = Median(cyc);
    cyc.clear();
    for (const auto& p : points) if (p.strategy == name) cyc.push_back(p.cycle_cpu_seconds);
    s.cycle_cpu_seconds_median = Median(cyc);
  }
  if (!names.count("random") || repeats.empty()) return out;

  // Paired bootstrap over repeats.
  std::vector<std::vector<int>> samples;
  Rng rng(options.seed ^ 0xb007ULL);
  for (int b = 0; b < options.bootstrap_samples; ++b) {
    std::vector<int> pick(repeats.size());
    for (auto& r : pick) r = repeats[rng.Below(repeats.size())];
    samples.push_back(std::move(pick));
  }
  std::vector<std::vector<std::pair<size_t, double>>> random_curves;
  for (const auto& pick : samples) random_curves.push_back(MeanCurve(points, "random", pick));
  for (const auto& name : names) {
    for (double tau : options.taus) {
      const double target = tau * full_pool_accuracy;
      std::vector<double> ratios;
      bool censored = false;
      for (size_t b = 0; b < samples.size(); ++b) {
        const auto& rc = random_curves[b];
        auto lr = LabelsToTarget(rc, target);
        auto ls = LabelsToTarget(MeanCurve(points, name, samples[b]), target);
        if (!lr && !ls) continue;  // neither reaches the target: no ratio in this sample
        if (!lr) {
          censored = true;
          if (rc.empty()) continue;
          lr = rc.back().first;
        }
        ratios.push_back(ls && *ls > 0 ? static_cast<double>(*lr) / *ls : 0.0);
      }
      LerEstimate e;
      e.random_censored = censored;
      if (!ratios.empty()) {
        std::sort(ratios.begin(), ratios.end());
        e.median = Percentile(ratios, 0.5);
        e.ci_low = Percentile(ratios, 0.025);
        e.ci_high = Percentile(ratios, 0.975);
      }
      out[name].ler_vs_random[tau] = e;
    }
  }
  return out;
}

}  // namespace hitloop::al
