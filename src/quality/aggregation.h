#pragma once
// Truth inference: turning several annotators' labels for an item into one. Majority (plurality)
// vote; Dawid-Skene EM, which weighs each annotator by an estimated confusion matrix; and
// Resolve(), the one entry point the CLI, export and the loop use, which also implements `auto`
// (pick majority or Dawid-Skene per project by their accuracy on the gold items people answered).
//
// Input is a RatingTable (quality/ratings.h). Outputs are aligned with its rows (table.items) and
// columns (table.annotators); labels are category indices into table.categories.
// Thread-safety: pure functions.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "quality/ratings.h"

namespace hitloop::quality {

// ---- Majority vote ----

enum class TieRule {
  kUnresolved,  // a tie leaves the item unresolved (`tied` lists the candidates: adjudicate)
  kFirstLabel,  // a tie goes to the tied label that comes first in table.categories (the
                // project's label order): deterministic, and the rule Resolve() states
};

struct MajorityOptions {
  // A winner must hold at least this fraction of the item's ratings; otherwise the item is
  // unresolved. 0 = plurality (the most frequent label wins if it is unique); 0.5 + 1e-9 demands a
  // strict majority; 1 demands unanimity. Must be in [0, 1].
  double min_fraction = 0.0;
  TieRule ties = TieRule::kUnresolved;
};

struct MajorityOutcome {
  int64_t item_id = 0;
  int label = kMissing;   // winning category index, or kMissing when unresolved
  int votes = 0;          // ratings for the most frequent label
  int ratings = 0;        // ratings on the item
  std::vector<int> tied;  // when the top count is shared: the tied categories, ascending
  bool resolved() const { return label != kMissing; }
};

// One outcome per table row. With TieRule::kUnresolved an item is unresolved (label == kMissing)
// when the top count is shared by two or more categories (`tied` lists them; send the item to
// adjudication); with kFirstLabel it goes to tied.front() (`tied` still lists them). An item is
// also unresolved when votes / ratings < min_fraction (`tied` empty unless tied). Errors:
// InvalidArgument when min_fraction is outside [0, 1]. An empty table gives an empty vector.
Result<std::vector<MajorityOutcome>> MajorityVote(const RatingTable& table,
                                                  const MajorityOptions& options = {});

// ---- Dawid-Skene ----

struct DawidSkeneOptions {
  // EM iterations (one M step + one E step each); must be >= 1. Each costs O(ratings *
  // categories). The default, 50, is what the published benchmark figures use (see
  // bench/quality); run longer with a tolerance for a converged fit.
  int max_iterations = 50;
  double tolerance = 1e-6;  // stop when no posterior moves by more than this; must be > 0
  // Pseudo-count added to every confusion-matrix cell in the M step, so an annotator who never
  // used a label does not get probability 0 for it (which would make one slip veto all other
  // evidence). Must be >= 0.
  double smoothing = 0.01;
  // Also add `smoothing` to the class-prior counts.
  bool smooth_priors = false;
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

// Dawid & Skene (1979) EM, initialised from each item's vote shares (the soft majority vote), so
// the result is deterministic. Every rating counts, including repeats by one annotator (build the
// table with keep_repeats). Not converging within max_iterations is not an error (see
// `converged`). Errors: InvalidArgument on an empty table, zero categories, or out-of-range
// options.
Result<DawidSkeneResult> DawidSkene(const RatingTable& table,
                                    const DawidSkeneOptions& options = {});

// ---- One label per item: the method a project or an export asks for ----

enum class AggregateMethod { kMajority, kDawidSkene, kAuto };
Result<AggregateMethod> ParseAggregateMethod(std::string_view s);  // mv | ds | auto
const char* AggregateMethodName(AggregateMethod m);               // "mv" | "ds" | "auto"

struct Resolution {
  AggregateMethod method = AggregateMethod::kMajority;  // the one used: kMajority or kDawidSkene
  std::vector<int> labels;         // [row] resolved category (never kMissing)
  std::vector<double> confidence;  // [row] posterior of the label: DS posterior; MV vote share
  // `auto`'s evidence (also filled for mv / ds when gold was given): gold items with answers and
  // how many of them each method got right.
  int64_t gold_items = 0;
  int64_t majority_correct = 0;
  int64_t dawid_skene_correct = 0;
  std::string reason;              // one line: why this method
};

struct ResolveOptions {
  DawidSkeneOptions dawid_skene;
};

// Resolves every row of `table`:
//   mv   - plurality vote, ties to the label first in the project's label order
//          (TieRule::kFirstLabel); confidence = the winner's share of the item's votes.
//   ds   - Dawid-Skene; confidence = the posterior of the argmax.
//   auto - both are run and scored on the gold items people answered (`gold`: item id ->
//          category index): majority vote when, on the gold items where the two differ, it is
//          right significantly more often (one-sided sign test, p < 0.05), else Dawid-Skene
//          (measured on real crowd data, bench/quality: picking whichever got more gold items
//          right fell 3 points behind on 80 gold items). Without gold answers: Dawid-Skene when
//          the table has at least 2 ratings per item on average and some annotator rated 2+
//          items, else majority vote.
// Errors: InvalidArgument for an empty table or a gold category out of range.
Result<Resolution> Resolve(const RatingTable& table, AggregateMethod method,
                           const std::map<int64_t, int>& gold = {},
                           const ResolveOptions& options = {});

}  // namespace hitloop::quality
