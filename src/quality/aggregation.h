#pragma once
// Turning several annotators' labels for an item into one: majority (plurality) vote, and
// Dawid-Skene EM, which weighs each annotator by an estimated confusion matrix.
//
// Input is a RatingTable (quality/ratings.h). Outputs are aligned with its rows (table.items) and
// columns (table.annotators); labels are category indices into table.categories.
// Thread-safety: pure functions.
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "quality/ratings.h"

namespace hitloop::quality {

// ---- Majority vote ----

struct MajorityOptions {
  // A winner must hold at least this fraction of the item's ratings; otherwise the item is
  // unresolved. 0 = plurality (the most frequent label wins if it is unique); 0.5 + 1e-9 demands a
  // strict majority; 1 demands unanimity. Must be in [0, 1].
  double min_fraction = 0.0;
};

struct MajorityOutcome {
  int64_t item_id = 0;
  int label = kMissing;   // winning category index, or kMissing when unresolved
  int votes = 0;          // ratings for the most frequent label
  int ratings = 0;        // ratings on the item
  std::vector<int> tied;  // when unresolved by a tie: the tied categories, ascending
  bool resolved() const { return label != kMissing; }
};

// One outcome per table row. An item is unresolved (label == kMissing) when the top count is
// shared by two or more categories (`tied` lists them; send the item to adjudication) or when
// votes / ratings < min_fraction (`tied` empty). Errors: InvalidArgument when min_fraction is
// outside [0, 1]. An empty table gives an empty vector.
Result<std::vector<MajorityOutcome>> MajorityVote(const RatingTable& table,
                                                  const MajorityOptions& options = {});

// ---- Dawid-Skene ----

struct DawidSkeneOptions {
  // EM iterations (one M step + one E step each); must be >= 1. EM converges linearly: a few
  // hundred iterations are typical at the default tolerance; each costs O(ratings * categories).
  int max_iterations = 500;
  double tolerance = 1e-5;  // stop when no posterior moves by more than this; must be > 0
  // Dirichlet pseudo-count added to every confusion-matrix cell and class-prior count in the M
  // step, so an annotator who never used a label does not get probability 0 for it (which would
  // make one slip veto all other evidence). Must be >= 0.
  double smoothing = 0.01;
};

struct DawidSkeneResult {
  // [row][category]: P(true label = category | all ratings); each row sums to 1.
  std::vector<std::vector<double>> posteriors;
  // [row]: argmax of posteriors (lowest index on an exact tie).
  std::vector<int> labels;
  // [category]: estimated class prevalence; sums to 1.
  std::vector<double> class_priors;
  // [annotator][true][observed]: P(annotator says `observed` | truth is `true`); rows sum to 1.
  std::vector<std::vector<std::vector<double>>> confusion;
  // [annotator]: sum_k prior_k * confusion[a][k][k], the model's estimate of accuracy.
  std::vector<double> annotator_accuracy;
  int iterations = 0;
  bool converged = false;       // false when max_iterations ran out; the estimates are still usable
  double log_likelihood = 0.0;  // marginal log-likelihood of the ratings at the final parameters
};

// Dawid & Skene (1979) EM, initialised from the soft majority vote (each item's posterior starts
// as its vote fractions), so the result is deterministic. Not converging within max_iterations is
// not an error (see `converged`). Errors: InvalidArgument on an empty table, zero categories, or
// out-of-range options.
Result<DawidSkeneResult> DawidSkene(const RatingTable& table,
                                    const DawidSkeneOptions& options = {});

}  // namespace hitloop::quality
