#pragma once
// Inter-annotator agreement for nominal labels: percent agreement, Cohen's kappa (two raters),
// Fleiss' kappa (a fixed number of ratings per item), Krippendorff's alpha (any number of
// ratings per item, missing data allowed).
//
// Input is a RatingTable (quality/ratings.h): items x annotators, category index or kMissing.
// Every chance-corrected coefficient here has the form
//     value = (observed_agreement - chance_agreement) / (1 - chance_agreement)
// and AgreementStats reports both terms so a dashboard can show why a value is low.
// For alpha, observed_agreement = 1 - D_o and chance_agreement = 1 - D_e (Krippendorff's
// disagreements), which is the same form.
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

// Mean over items with >= 2 ratings of the fraction of agreeing rater pairs within the item.
// Items with fewer than 2 ratings are skipped. Errors: InvalidArgument on an empty table,
// FailedPrecondition when no item has 2 ratings. value == observed_agreement; chance is 0.
Result<AgreementStats> PercentAgreement(const RatingTable& table);

// Cohen's kappa between annotators `rater_a` and `rater_b` on the items both rated.
// Errors: InvalidArgument (empty table, unknown rater, a == b), FailedPrecondition (no shared
// item, or both raters used one and the same category so P_e = 1).
Result<AgreementStats> CohensKappa(const RatingTable& table, const std::string& rater_a,
                                   const std::string& rater_b);

// Cohen's kappa from a k x k contingency table: counts[i][j] = items rater A put in category i
// and rater B in category j. Errors: InvalidArgument (not square, negative counts, total 0),
// FailedPrecondition (P_e = 1).
Result<AgreementStats> CohensKappaFromCounts(const std::vector<std::vector<int64_t>>& counts);

// Fleiss' kappa. Items with fewer than 2 ratings are skipped (they carry no agreement
// information); all remaining items must have the same number of ratings n (the raters may
// differ between items, as in Fleiss 1971) - otherwise InvalidArgument, use KrippendorffAlpha.
Result<AgreementStats> FleissKappa(const RatingTable& table);

// Fleiss' kappa from per-item category counts: counts[i][j] = raters who put item i in category
// j. Every row must sum to the same n >= 2. Errors: InvalidArgument (empty, ragged, negative,
// unequal or < 2 row sums), FailedPrecondition (P-bar_e = 1).
Result<AgreementStats> FleissKappaFromCounts(const std::vector<std::vector<int64_t>>& counts);

// Krippendorff's alpha, nominal metric. Handles missing ratings and any number of raters per
// item; items with fewer than 2 ratings are unpairable and skipped. ratings_used is n, the number
// of pairable values. Errors: InvalidArgument (empty table), FailedPrecondition (no pairable
// values, or D_e = 0).
Result<AgreementStats> KrippendorffAlpha(const RatingTable& table);

}  // namespace hitloop::quality
