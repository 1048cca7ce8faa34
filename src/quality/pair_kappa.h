// Cohen's kappa for every pair of annotators, each with its own percentile bootstrap: the part
// of SummarizeAgreement whose cost grows with the square of the number of annotators (500
// annotators give 124,750 pairs). Internal to quality/; callers use SummarizeAgreement.
#pragma once

#include "core/status.h"
#include "quality/agreement.h"

namespace hitloop::quality {

// Fills out->pairs (sorted by (a, b)) and out->pairs_below_min for every pair sharing at least
// options.min_shared_items items, with min(bootstrap.replicates, pair_replicates) replicates
// each, spread over options.threads threads (0 = cores). Results do not depend on threads.
Status PairwiseKappas(const RatingTable& table, const AgreementOptions& options,
                      AgreementSummary* out);

// Sets e's point estimate (or its reason when undefined, without the "quality: " prefix).
void SetPoint(const Result<AgreementStats>& r, Estimate* e);

}  // namespace hitloop::quality
