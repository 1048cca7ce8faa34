// Label aggregation.
//
// References:
//   [DS 1979] A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates
//             using the EM algorithm", Journal of the Royal Statistical Society C (Applied
//             Statistics) 28(1):20-28. Section 2: the likelihood (2.4)/(2.5), the M-step
//             estimates (2.3) of the error rates pi^(k)_jl and (2.4) of the class proportions p_j,
//             and the E-step posterior (2.5) of the true class T_ij. Their suggested start is the
//             proportion of each item's ratings in each class, which is what we use.
#include "quality/aggregation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hitloop::quality {
namespace {

// log of a probability, floored so a zero (only possible with smoothing == 0) cannot produce
// -inf - (-inf) = NaN in the normalisation below.
double SafeLog(double p) { return std::log(std::max(p, 1e-300)); }

}  // namespace

Result<std::vector<MajorityOutcome>> MajorityVote(const RatingTable& table,
                                                  const MajorityOptions& options) {
  if (!(options.min_fraction >= 0.0 && options.min_fraction <= 1.0)) {
    return InvalidArgument("quality: majority min_fraction must be in [0, 1]");
  }
  std::vector<MajorityOutcome> out;
  out.reserve(table.items.size());
  const int k = table.num_categories();
  for (int row = 0; row < table.num_items(); ++row) {
    std::vector<int> counts(k, 0);
    MajorityOutcome o;
    o.item_id = table.items[row];
    for (int c : table.cells[row]) {
      if (c == kMissing) continue;
      ++counts[c];
      ++o.ratings;
    }
    o.votes = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    std::vector<int> top;
    for (int c = 0; c < k; ++c) {
      if (o.votes > 0 && counts[c] == o.votes) top.push_back(c);
    }
    if (top.size() > 1) {
      o.tied = std::move(top);
    } else if (top.size() == 1 &&
               static_cast<double>(o.votes) >= options.min_fraction * o.ratings) {
      o.label = top.front();
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<DawidSkeneResult> DawidSkene(const RatingTable& table, const DawidSkeneOptions& options) {
  if (table.num_items() == 0) return InvalidArgument("quality: no items rated");
  if (table.num_categories() == 0) return InvalidArgument("quality: no categories");
  if (options.max_iterations < 1) return InvalidArgument("quality: max_iterations must be >= 1");
  if (!(options.tolerance > 0.0)) return InvalidArgument("quality: tolerance must be > 0");
  if (!(options.smoothing >= 0.0)) return InvalidArgument("quality: smoothing must be >= 0");

  const int n_items = table.num_items();
  const int n_raters = table.num_annotators();
  const int k = table.num_categories();
  const double s = options.smoothing;

  DawidSkeneResult r;
  // Start: T_ik = share of item i's ratings in class k, the start [DS 1979] suggest.
  r.posteriors.assign(n_items, std::vector<double>(k, 0.0));
  for (int i = 0; i < n_items; ++i) {
    int m = 0;
    for (int c : table.cells[i]) {
      if (c == kMissing) continue;
      r.posteriors[i][c] += 1.0;
      ++m;
    }
    for (double& t : r.posteriors[i]) t = m > 0 ? t / m : 1.0 / k;
  }
  r.class_priors.assign(k, 1.0 / k);
  r.confusion.assign(n_raters, std::vector<std::vector<double>>(k, std::vector<double>(k, 0.0)));

  std::vector<double> log_post(k);
  for (int iter = 1; iter <= options.max_iterations; ++iter) {
    // M step. Class proportions, eq. (2.4): p_k = sum_i T_ik / I (+ smoothing).
    for (int c = 0; c < k; ++c) {
      double mass = 0.0;
      for (int i = 0; i < n_items; ++i) mass += r.posteriors[i][c];
      r.class_priors[c] = (mass + s) / (n_items + k * s);
    }
    // Error rates, eq. (2.3): pi^(a)_kl = sum_i T_ik [a said l on i] / sum_i T_ik [a rated i].
    for (int a = 0; a < n_raters; ++a) {
      auto& conf = r.confusion[a];
      for (auto& row : conf) std::fill(row.begin(), row.end(), s);
      for (int i = 0; i < n_items; ++i) {
        int said = table.cells[i][a];
        if (said == kMissing) continue;
        for (int c = 0; c < k; ++c) conf[c][said] += r.posteriors[i][c];
      }
      for (auto& row : conf) {
        double total = 0.0;
        for (double v : row) total += v;
        // No evidence about this annotator on this true class (possible only with smoothing 0):
        // an uninformative row leaves the posterior to the other annotators.
        for (double& v : row) v = total > 0.0 ? v / total : 1.0 / k;
      }
    }
    // E step, eq. (2.5): T_ik proportional to p_k * prod_a pi^(a)_k,y_ia; in logs for stability
    // (tens of annotators multiply many small numbers).
    double max_delta = 0.0, log_likelihood = 0.0;
    for (int i = 0; i < n_items; ++i) {
      for (int c = 0; c < k; ++c) log_post[c] = SafeLog(r.class_priors[c]);
      for (int a = 0; a < n_raters; ++a) {
        int said = table.cells[i][a];
        if (said == kMissing) continue;
        for (int c = 0; c < k; ++c) log_post[c] += SafeLog(r.confusion[a][c][said]);
      }
      double top = *std::max_element(log_post.begin(), log_post.end());
      double z = 0.0;
      for (int c = 0; c < k; ++c) z += std::exp(log_post[c] - top);
      log_likelihood += top + std::log(z);
      for (int c = 0; c < k; ++c) {
        double t = std::exp(log_post[c] - top) / z;
        max_delta = std::max(max_delta, std::abs(t - r.posteriors[i][c]));
        r.posteriors[i][c] = t;
      }
    }
    r.iterations = iter;
    r.log_likelihood = log_likelihood;
    if (max_delta < options.tolerance) {
      r.converged = true;
      break;
    }
  }

  r.labels.resize(n_items);
  for (int i = 0; i < n_items; ++i) {
    r.labels[i] = static_cast<int>(
        std::max_element(r.posteriors[i].begin(), r.posteriors[i].end()) - r.posteriors[i].begin());
  }
  r.annotator_accuracy.assign(n_raters, 0.0);
  for (int a = 0; a < n_raters; ++a) {
    for (int c = 0; c < k; ++c) r.annotator_accuracy[a] += r.class_priors[c] * r.confusion[a][c][c];
  }
  return r;
}

}  // namespace hitloop::quality
