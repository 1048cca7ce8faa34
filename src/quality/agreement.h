#pragma once
// Inter-annotator agreement: percent agreement, Cohen's kappa (two raters; unweighted, linear or
// quadratic weights), Fleiss' kappa (a fixed number of ratings per item), Krippendorff's alpha
// (any number of ratings per item, missing data allowed; nominal, ordinal, interval and ratio
// metrics), and one call that computes all of them with bootstrap intervals.
//
// Input is a RatingTable (quality/ratings.h). Every chance-corrected coefficient here has the form
//     value = (observed_agreement - chance_agreement) / (1 - chance_agreement)
// and AgreementStats reports both terms so a dashboard can show why a value is low.
// For alpha, observed_agreement = 1 - D_o and chance_agreement = 1 - D_e (Krippendorff's
// disagreements; with the interval and ratio metrics these are not proportions).
//
// Errors (never NaN, never a crash):
//   InvalidArgument    - the input is malformed for the statistic: empty table, unknown rater,
//                        unequal ratings per item for Fleiss, negative counts.
//   FailedPrecondition - well-formed but the coefficient is undefined: no item has two ratings
//                        to compare, or chance agreement is 1 (every rating uses one category, so
//                        there is no variation to be reliable about). Percent agreement is still
//                        defined there and may be shown instead.
// Thread-safety: pure functions.
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "quality/ratings.h"

namespace hitloop::quality {

struct AgreementStats {
  double value = 0.0;               // kappa or alpha, in [-1, 1] (alpha may go below -1 in theory)
  double observed_agreement = 0.0;  // P_o (Cohen), P-bar (Fleiss), 1 - D_o (alpha)
  double chance_agreement = 0.0;    // P_e (Cohen), P-bar_e (Fleiss), 1 - D_e (alpha)
  int64_t items_used = 0;           // items that entered the computation
  int64_t ratings_used = 0;         // ratings (cells) that entered the computation
};

// Krippendorff's metrics (2011, section E): nominal (any difference counts 1), ordinal (ranks,
// differences measured in the number of values between), interval ((c - k)^2) and ratio
// (((c - k) / (c + k))^2).
enum class Level { kNominal, kOrdinal, kInterval, kRatio };
const char* LevelName(Level level);  // "nominal" | "ordinal" | "interval" | "ratio"
inline constexpr Level kAllLevels[] = {Level::kNominal, Level::kOrdinal, Level::kInterval,
                                       Level::kRatio};

// The numeric value of each category for the ordinal, interval and ratio metrics: the labels
// themselves when every label is a number ("1", "2.5"), otherwise the label set's order 1, 2, ...
std::vector<double> CategoryValues(const std::vector<std::string>& categories);

// Mean over items with >= 2 ratings of the fraction of agreeing rater pairs within the item.
// Items with fewer than 2 ratings are skipped. Errors: InvalidArgument on an empty table,
// FailedPrecondition when no item has 2 ratings. value == observed_agreement; chance is 0.
Result<AgreementStats> PercentAgreement(const RatingTable& table);

// Cohen's kappa between annotators `rater_a` and `rater_b` on the items both rated.
// Errors: InvalidArgument (empty table, unknown rater, a == b), FailedPrecondition (no shared
// item, or both raters used one and the same category so P_e = 1).
Result<AgreementStats> CohensKappa(const RatingTable& table, const std::string& rater_a,
                                   const std::string& rater_b);

enum class KappaWeights { kNone, kLinear, kQuadratic };

// Cohen's kappa from a k x k contingency table: counts[i][j] = items rater A put in category i
// and rater B in category j. With weights, agreement credit is 1 - |i-j|/(k-1) (linear) or
// 1 - (i-j)^2/(k-1)^2 (quadratic) (Cohen 1968). Errors: InvalidArgument (not square, negative
// counts, total 0), FailedPrecondition (P_e = 1).
Result<AgreementStats> CohensKappaFromCounts(const std::vector<std::vector<int64_t>>& counts,
                                             KappaWeights weights = KappaWeights::kNone);

// Fleiss' kappa. Items with fewer than 2 ratings are skipped (they carry no agreement
// information); all remaining items must have the same number of ratings n (the raters may
// differ between items, as in Fleiss 1971) - otherwise InvalidArgument, use KrippendorffAlpha.
Result<AgreementStats> FleissKappa(const RatingTable& table);

// Fleiss' kappa from per-item category counts: counts[i][j] = raters who put item i in category
// j. Every row must sum to the same n >= 2. Errors: InvalidArgument (empty, ragged, negative,
// unequal or < 2 row sums), FailedPrecondition (P-bar_e = 1).
Result<AgreementStats> FleissKappaFromCounts(const std::vector<std::vector<int64_t>>& counts);

// Krippendorff's alpha. Handles missing ratings and any number of raters per item; items with
// fewer than 2 ratings are unpairable and skipped. ratings_used is n, the number of pairable
// values. `values`: the categories' numeric values for the non-nominal metrics (empty =
// CategoryValues(table.categories)); ordinal uses only their order. Errors: InvalidArgument
// (empty table, `values` of the wrong size), FailedPrecondition (no pairable values, or D_e = 0).
Result<AgreementStats> KrippendorffAlpha(const RatingTable& table, Level level = Level::kNominal,
                                         const std::vector<double>& values = {});

// ---- everything at once, with bootstrap intervals ----

struct BootstrapOptions {
  int replicates = 1000;     // resamples of the items (with replacement); 0 = no intervals
  double confidence = 0.95;  // percentile interval
  uint64_t seed = 20261205;  // the same table and seed give the same intervals
};

// A statistic with its bootstrap interval, or the reason it is undefined.
struct Estimate {
  bool defined = false;
  std::string reason;   // when !defined: why (e.g. "no item has two ratings to compare")
  AgreementStats stats;
  double lower = 0.0;   // percentile bootstrap interval; [value, value] without replicates
  double upper = 0.0;
  int replicates = 0;   // replicates on which the statistic was defined
};

struct PairAgreement {
  std::string a, b;        // annotator names, a < b
  int64_t shared = 0;      // items both rated
  Estimate kappa;          // Cohen's kappa on the shared items
};

struct AgreementOptions {
  BootstrapOptions bootstrap;
  int64_t min_shared_items = 10;  // pairs of annotators with fewer shared items are not reported
  // Replicates for each pair's kappa (at most bootstrap.replicates): there may be thousands of
  // pairs, and a pair's interval is read less closely than the project's.
  int pair_replicates = 200;
  // Threads for the pairs' bootstraps (0 = the machine's cores). The intervals do not depend on
  // it: every pair draws from its own stream, seeded from (bootstrap.seed, pair).
  int threads = 0;
  std::vector<double> values;     // see KrippendorffAlpha
};

struct AgreementSummary {
  Estimate percent;
  Estimate fleiss;
  Estimate alpha[4];               // indexed by Level
  std::vector<PairAgreement> pairs;  // sorted by (a, b)
  int64_t pairs_below_min = 0;     // pairs that shared 1..min_shared_items-1 items
  int64_t items = 0, ratings = 0;
};

// Every statistic above on `table`, each with a bootstrap percentile interval over items (the
// unit of resampling; each replicate draws table.num_items() items with replacement, the pairs'
// kappas draw their shared items). Cost: one pass over the ratings, plus per replicate work in
// the number of distinct item answer patterns (not items), so it scales to millions of answers.
// Errors: InvalidArgument for an empty table or bad options. Undefined statistics are reported
// in their Estimate, not as an error.
Result<AgreementSummary> SummarizeAgreement(const RatingTable& table,
                                            const AgreementOptions& options = {});

}  // namespace hitloop::quality
