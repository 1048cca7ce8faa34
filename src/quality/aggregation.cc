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
#include <cstdio>
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
  std::vector<int> counts(k, 0);
  for (int row = 0; row < table.num_items(); ++row) {
    std::fill(counts.begin(), counts.end(), 0);
    MajorityOutcome o;
    o.item_id = table.items[row];
    for (int32_t j = table.row_start[row]; j < table.row_start[row + 1]; ++j) {
      ++counts[table.value[j]];
      ++o.ratings;
    }
    o.votes = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    std::vector<int> top;
    for (int c = 0; c < k; ++c) {
      if (o.votes > 0 && counts[c] == o.votes) top.push_back(c);
    }
    const bool enough = static_cast<double>(o.votes) >= options.min_fraction * o.ratings;
    if (top.size() > 1) {
      if (options.ties == TieRule::kFirstLabel && enough) o.label = top.front();
      o.tied = std::move(top);
    } else if (top.size() == 1 && enough) {
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
  const double prior_s = options.smooth_priors ? s : 0.0;

  // Flat arrays: posteriors [item * k + c], confusion [(rater * k + true) * k + said].
  std::vector<double> post(static_cast<size_t>(n_items) * k, 0.0);
  // Start: T_ik = share of item i's ratings in class k, the start [DS 1979] suggest.
  for (int i = 0; i < n_items; ++i) {
    const int m = table.RatingsInRow(i);
    for (int32_t j = table.row_start[i]; j < table.row_start[i + 1]; ++j) {
      post[static_cast<size_t>(i) * k + table.value[j]] += 1.0;
    }
    for (int c = 0; c < k; ++c) {
      double& t = post[static_cast<size_t>(i) * k + c];
      t = m > 0 ? t / m : 1.0 / k;
    }
  }
  std::vector<double> priors(k, 1.0 / k);
  std::vector<double> conf(static_cast<size_t>(n_raters) * k * k, 0.0);
  std::vector<double> log_conf(conf.size(), 0.0);
  std::vector<double> log_post(k);

  DawidSkeneResult r;
  for (int iter = 1; iter <= options.max_iterations; ++iter) {
    // M step. Class proportions, eq. (2.4): p_k = sum_i T_ik / I.
    for (int c = 0; c < k; ++c) priors[c] = 0.0;
    for (int i = 0; i < n_items; ++i) {
      for (int c = 0; c < k; ++c) priors[c] += post[static_cast<size_t>(i) * k + c];
    }
    for (int c = 0; c < k; ++c) priors[c] = (priors[c] + prior_s) / (n_items + k * prior_s);
    // Error rates, eq. (2.3): pi^(a)_kl = sum_i T_ik [a said l on i] / sum_i T_ik [a rated i].
    std::fill(conf.begin(), conf.end(), s);
    for (int i = 0; i < n_items; ++i) {
      const double* t = &post[static_cast<size_t>(i) * k];
      for (int32_t j = table.row_start[i]; j < table.row_start[i + 1]; ++j) {
        double* base = &conf[static_cast<size_t>(table.rater[j]) * k * k];
        const int said = table.value[j];
        for (int c = 0; c < k; ++c) base[c * k + said] += t[c];
      }
    }
    for (size_t row = 0; row < conf.size() / k; ++row) {
      double total = 0.0;
      for (int l = 0; l < k; ++l) total += conf[row * k + l];
      // No evidence about this annotator on this true class (possible only with smoothing 0):
      // an uninformative row leaves the posterior to the other annotators.
      for (int l = 0; l < k; ++l) {
        double& v = conf[row * k + l];
        v = total > 0.0 ? v / total : 1.0 / k;
        log_conf[row * k + l] = SafeLog(v);
      }
    }
    // E step, eq. (2.5): T_ik proportional to p_k * prod_a pi^(a)_k,y_ia; in logs for stability.
    double max_delta = 0.0, log_likelihood = 0.0;
    for (int i = 0; i < n_items; ++i) {
      for (int c = 0; c < k; ++c) log_post[c] = SafeLog(priors[c]);
      for (int32_t j = table.row_start[i]; j < table.row_start[i + 1]; ++j) {
        const double* base = &log_conf[static_cast<size_t>(table.rater[j]) * k * k];
        const int said = table.value[j];
        for (int c = 0; c < k; ++c) log_post[c] += base[c * k + said];
      }
      double top = *std::max_element(log_post.begin(), log_post.end());
      double z = 0.0;
      for (int c = 0; c < k; ++c) z += std::exp(log_post[c] - top);
      log_likelihood += top + std::log(z);
      double* t = &post[static_cast<size_t>(i) * k];
      for (int c = 0; c < k; ++c) {
        double v = std::exp(log_post[c] - top) / z;
        max_delta = std::max(max_delta, std::abs(v - t[c]));
        t[c] = v;
      }
    }
    r.iterations = iter;
    r.log_likelihood = log_likelihood;
    if (max_delta < options.tolerance) {
      r.converged = true;
      break;
    }
  }

  r.posteriors.assign(n_items, std::vector<double>(k));
  r.labels.resize(n_items);
  for (int i = 0; i < n_items; ++i) {
    const double* t = &post[static_cast<size_t>(i) * k];
    std::copy(t, t + k, r.posteriors[i].begin());
    r.labels[i] = static_cast<int>(std::max_element(t, t + k) - t);
  }
  // Class proportions at the final posteriors (the M step's estimate, eq. 2.4).
  r.class_priors.assign(k, 0.0);
  for (int i = 0; i < n_items; ++i) {
    for (int c = 0; c < k; ++c) r.class_priors[c] += post[static_cast<size_t>(i) * k + c];
  }
  for (int c = 0; c < k; ++c) r.class_priors[c] = (r.class_priors[c] + prior_s) / (n_items + k * prior_s);
  r.confusion.assign(n_raters, std::vector<std::vector<double>>(k, std::vector<double>(k)));
  r.annotator_accuracy.assign(n_raters, 0.0);
  for (int a = 0; a < n_raters; ++a) {
    for (int c = 0; c < k; ++c) {
      for (int l = 0; l < k; ++l) r.confusion[a][c][l] = conf[(static_cast<size_t>(a) * k + c) * k + l];
      r.annotator_accuracy[a] += priors[c] * r.confusion[a][c][c];
    }
  }
  return r;
}

Result<AggregateMethod> ParseAggregateMethod(std::string_view s) {
  if (s == "mv" || s == "majority") return AggregateMethod::kMajority;
  if (s == "ds" || s == "dawid-skene") return AggregateMethod::kDawidSkene;
  if (s == "auto") return AggregateMethod::kAuto;
  return InvalidArgument("aggregate: unknown method '" + std::string(s) +
                         "' (expected mv, ds or auto)");
}

const char* AggregateMethodName(AggregateMethod m) {
  switch (m) {
    case AggregateMethod::kMajority: return "mv";
    case AggregateMethod::kDawidSkene: return "ds";
    case AggregateMethod::kAuto: return "auto";
  }
  return "mv";
}

Result<Resolution> Resolve(const RatingTable& table, AggregateMethod method,
                           const std::map<int64_t, int>& gold, const ResolveOptions& options) {
  if (table.num_items() == 0) return InvalidArgument("quality: no items rated");
  for (const auto& [item, c] : gold) {
    if (c < 0 || c >= table.num_categories()) {
      return InvalidArgument("quality: gold item " + std::to_string(item) +
                             ": category out of range");
    }
  }
  const int n = table.num_items();
  Resolution mv;
  mv.method = AggregateMethod::kMajority;
  {
    ASSIGN_OR_RETURN(auto votes, MajorityVote(table, {.min_fraction = 0.0, .ties = TieRule::kFirstLabel}));
    mv.labels.resize(n);
    mv.confidence.resize(n);
    for (int i = 0; i < n; ++i) {
      mv.labels[i] = votes[i].label;
      mv.confidence[i] = votes[i].ratings > 0 ? static_cast<double>(votes[i].votes) / votes[i].ratings : 0.0;
    }
  }
  Resolution ds;
  ds.method = AggregateMethod::kDawidSkene;
  if (method != AggregateMethod::kMajority) {
    ASSIGN_OR_RETURN(DawidSkeneResult fit, DawidSkene(table, options.dawid_skene));
    ds.labels = std::move(fit.labels);
    ds.confidence.resize(n);
    for (int i = 0; i < n; ++i) ds.confidence[i] = fit.posteriors[i][ds.labels[i]];
  }
  // Score on gold.
  int64_t gold_items = 0, mv_ok = 0, ds_ok = 0, mv_only = 0, ds_only = 0;
  for (const auto& [item, c] : gold) {
    int row = table.RowOf(item);
    if (row < 0) continue;
    ++gold_items;
    const bool m = mv.labels[row] == c;
    const bool d = !ds.labels.empty() && ds.labels[row] == c;
    mv_ok += m;
    ds_ok += d;
    mv_only += m && !d;
    ds_only += d && !m;
  }
  Resolution* chosen = method == AggregateMethod::kMajority ? &mv : &ds;
  std::string reason;
  if (method == AggregateMethod::kAuto) {
    if (gold_items > 0) {
      // One-sided sign test on the gold items where the two disagree: majority vote only when it
      // is right significantly more often (p < 0.05); a handful of gold items cannot overturn
      // the model that weighs annotators.
      const int64_t n = mv_only + ds_only;
      double p = 1.0;
      if (n > 0) {
        p = 0.0;
        for (int64_t i = mv_only; i <= n; ++i) {
          p += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) -
                        static_cast<double>(n) * std::log(2.0));
        }
      }
      chosen = n > 0 && p < 0.05 ? &mv : &ds;
      char pv[32];
      std::snprintf(pv, sizeof(pv), "%.3g", std::min(1.0, p));
      reason = std::string("auto: ") + (chosen == &ds ? "Dawid-Skene" : "majority vote") + "; on " +
               std::to_string(gold_items) + " answered gold items majority vote got " +
               std::to_string(mv_ok) + " right, Dawid-Skene " + std::to_string(ds_ok) +
               " (where they differ: " + std::to_string(mv_only) + " vs " + std::to_string(ds_only) +
               ", one-sided sign test p = " + pv + "; majority vote needs p < 0.05)";
    } else {
      std::vector<int> per_annotator(table.num_annotators(), 0);
      for (int32_t r : table.rater) ++per_annotator[r];
      const bool repeat_raters =
          std::any_of(per_annotator.begin(), per_annotator.end(), [](int x) { return x >= 2; });
      const bool redundant = table.num_ratings() >= 2LL * n;
      chosen = repeat_raters && redundant ? &ds : &mv;
      reason = std::string("auto: no gold item answered; ") +
               (chosen == &ds ? "Dawid-Skene (2+ answers per item on average)"
                              : "majority vote (too few answers per item for Dawid-Skene)");
    }
  } else {
    reason = method == AggregateMethod::kMajority
                 ? "majority vote; ties go to the label listed first in the project"
                 : "Dawid-Skene EM from the vote shares";
  }
  Resolution out = std::move(*chosen);
  out.gold_items = gold_items;
  out.majority_correct = mv_ok;
  out.dawid_skene_correct = ds_ok;
  out.reason = std::move(reason);
  return out;
}

}  // namespace hitloop::quality
