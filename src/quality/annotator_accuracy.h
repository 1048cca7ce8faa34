#pragma once
// Per-annotator quality against gold questions (items with a known answer, Split::kGold), with a
// binomial confidence interval so a dashboard does not rank "2 of 2" above "95 of 100"; and
// per-annotator throughput from Annotation::time_spent_ms.
// Thread-safety: pure functions.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "quality/ratings.h"
#include "schema/types.h"

namespace hitloop::quality {

enum class IntervalMethod {
  kWilson,          // score interval; good coverage, never outside [0, 1]; the default
  kClopperPearson,  // "exact" interval; conservative (coverage >= confidence)
};

struct Interval {
  double lower = 0.0;
  double upper = 1.0;
};

// Two-sided interval for a binomial proportion successes / trials at `confidence` (e.g. 0.95).
// Errors: InvalidArgument when trials < 1, successes outside [0, trials], or confidence outside
// (0, 1).
Result<Interval> BinomialInterval(int64_t successes, int64_t trials, double confidence,
                                  IntervalMethod method = IntervalMethod::kWilson);

struct AccuracyOptions {
  double confidence = 0.95;
  IntervalMethod method = IntervalMethod::kWilson;
};

struct AnnotatorAccuracy {
  std::string annotator;
  int64_t answered = 0;   // ratings on gold items
  int64_t correct = 0;    // of which equal to the gold label
  double accuracy = 0.0;  // correct / answered
  Interval interval;      // at AccuracyOptions::confidence
};

// Gold answers by item id: items with split == kGold and exactly one label (single-label tasks).
std::map<int64_t, std::string> GoldFromItems(const std::vector<Item>& items);

// Accuracy of each annotator on the gold items they rated. Ratings on items without a gold answer
// are ignored; annotators with no gold rating are omitted. Every Rating counts once (pass the
// output of RatingsFromAnnotations to count only each annotator's newest label per item).
// Output sorted by annotator name. Errors: InvalidArgument for an empty gold label or bad options.
Result<std::vector<AnnotatorAccuracy>> AccuracyOnGold(const std::vector<Rating>& ratings,
                                                      const std::map<int64_t, std::string>& gold,
                                                      const AccuracyOptions& options = {});

struct AnnotatorThroughput {
  std::string annotator;
  int64_t annotations = 0;                        // human annotations of any kind
  int64_t timed = 0;                              // of which with time_spent_ms > 0
  int64_t time_spent_ms = 0;                      // sum over the timed ones
  std::optional<double> items_per_hour;           // timed / hours spent; empty when nothing timed
  std::optional<double> median_seconds_per_item;  // over the timed ones; empty when nothing timed
};

// Throughput per human annotator (source == kHuman), sorted by annotator name. Annotations with
// time_spent_ms <= 0 (not measured) count in `annotations` but not in the rates. Time spent is
// the annotator's active time on the task as the client reported it, not wall-clock time.
std::vector<AnnotatorThroughput> Throughput(const std::vector<Annotation>& history);

}  // namespace hitloop::quality
