// Annotator accuracy on gold questions, and throughput.
//
// References:
//   [Wilson 1927] E. B. Wilson, "Probable inference, the law of succession, and statistical
//                 inference", JASA 22(158):209-212 - the score interval
//                 (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
//   [Clopper & Pearson 1934] "The use of confidence or fiducial limits illustrated in the case of
//                 the binomial", Biometrika 26(4):404-413 - the exact interval, written with Beta
//                 quantiles: [B(a/2; x, n-x+1), B(1-a/2; x+1, n-x)], with 0 / 1 at x = 0 / n.
//   [Brown, Cai & DasGupta 2001] "Interval estimation for a binomial proportion", Statistical
//                 Science 16(2):101-133 - why Wilson is the default (Wald undercovers badly at
//                 the small n a new annotator has).
// Quantiles come from Boost.Math (header-only); arguments are validated first so its
// domain-error exceptions cannot fire.
#include "quality/annotator_accuracy.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>

namespace hitloop::quality {

Result<Interval> BinomialInterval(int64_t successes, int64_t trials, double confidence,
                                  IntervalMethod method) {
  if (trials < 1) return InvalidArgument("quality: interval needs at least one trial");
  if (successes < 0 || successes > trials) {
    return InvalidArgument("quality: successes must be in [0, trials]");
  }
  if (!(confidence > 0.0 && confidence < 1.0)) {
    return InvalidArgument("quality: confidence must be in (0, 1)");
  }
  const double alpha = 1.0 - confidence;
  const auto x = static_cast<double>(successes);
  const auto n = static_cast<double>(trials);
  Interval out;
  if (method == IntervalMethod::kClopperPearson) {
    out.lower = successes == 0 ? 0.0 : boost::math::ibeta_inv(x, n - x + 1.0, alpha / 2.0);
    out.upper =
        successes == trials ? 1.0 : boost::math::ibeta_inv(x + 1.0, n - x, 1.0 - alpha / 2.0);
    return out;
  }
  const double z = boost::math::quantile(boost::math::normal(), 1.0 - alpha / 2.0);
  const double p = x / n;
  const double z2n = z * z / n;
  const double center = (p + z2n / 2.0) / (1.0 + z2n);
  const double half = z / (1.0 + z2n) * std::sqrt(p * (1.0 - p) / n + z2n / (4.0 * n));
  out.lower = std::max(0.0, center - half);
  out.upper = std::min(1.0, center + half);
  return out;
}

std::map<int64_t, std::string> GoldFromItems(const std::vector<Item>& items) {
  std::map<int64_t, std::string> gold;
  for (const Item& item : items) {
    if (item.split == Split::kGold && item.labels.size() == 1) gold[item.id] = item.labels.front();
  }
  return gold;
}

Result<std::vector<AnnotatorAccuracy>> AccuracyOnGold(const std::vector<Rating>& ratings,
                                                      const std::map<int64_t, std::string>& gold,
                                                      const AccuracyOptions& options) {
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    return InvalidArgument("quality: confidence must be in (0, 1)");
  }
  for (const auto& [item, label] : gold) {
    if (label.empty()) {
      return InvalidArgument("quality: gold item " + std::to_string(item) + " has an empty label");
    }
  }
  std::map<std::string, AnnotatorAccuracy> by_annotator;
  for (const Rating& r : ratings) {
    auto g = gold.find(r.item_id);
    if (g == gold.end()) continue;
    AnnotatorAccuracy& acc = by_annotator[r.annotator];
    acc.annotator = r.annotator;
    ++acc.answered;
    if (r.label == g->second) ++acc.correct;
  }
  std::vector<AnnotatorAccuracy> out;
  out.reserve(by_annotator.size());
  for (auto& [name, acc] : by_annotator) {
    acc.accuracy = static_cast<double>(acc.correct) / static_cast<double>(acc.answered);
    ASSIGN_OR_RETURN(acc.interval, BinomialInterval(acc.correct, acc.answered, options.confidence,
                                                    options.method));
    out.push_back(std::move(acc));
  }
  return out;
}

std::vector<AnnotatorThroughput> Throughput(const std::vector<Annotation>& history) {
  std::map<std::string, AnnotatorThroughput> by_annotator;
  std::map<std::string, std::vector<int64_t>> durations;
  for (const Annotation& a : history) {
    if (a.source != LabelSource::kHuman) continue;
    AnnotatorThroughput& t = by_annotator[a.annotator];
    t.annotator = a.annotator;
    ++t.annotations;
    if (a.time_spent_ms > 0) {
      ++t.timed;
      t.time_spent_ms += a.time_spent_ms;
      durations[a.annotator].push_back(a.time_spent_ms);
    }
  }
  std::vector<AnnotatorThroughput> out;
  out.reserve(by_annotator.size());
  for (auto& [name, t] : by_annotator) {
    if (t.timed > 0) {
      t.items_per_hour =
          static_cast<double>(t.timed) * 3.6e6 / static_cast<double>(t.time_spent_ms);
      std::vector<int64_t>& d = durations[name];
      std::sort(d.begin(), d.end());
      size_t mid = d.size() / 2;
      double median_ms = d.size() % 2 == 1 ? static_cast<double>(d[mid])
                                           : (static_cast<double>(d[mid - 1]) + d[mid]) / 2.0;
      t.median_seconds_per_item = median_ms / 1000.0;
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace hitloop::quality
