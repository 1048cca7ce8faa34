#pragma once
// Rule labels: the labels the loop can give without a model — a duplicate of an item people
// labelled gets that label (exact: same normalised text; near: MinHash/LSH Jaccard >= the
// threshold, autolabel/duplicates.h), and, when the project says so, a detector's answer is the
// class (a language-ID project: the "language" detector's code when it is one of the labels).
// Also the near-duplicate suppression: a group nobody labelled yet is shown to people once (its
// review representative), the other members wait for that answer.
//
// Rule labels are candidates, not final: PlanCycle (loop/plan.h) certifies each rule on its own
// uniform audit sample with the same Clopper–Pearson bound as model thresholds and auto-accepts
// a rule's labels only while its certificate holds.
//
// Only people's training labels (review, import, adjudication) seed propagation — never model,
// rule or audit labels. An item people labelled gets no rule label; an audited item does (that
// is how its rule is checked). Pure; thread-safe. Errors: InvalidArgument on size mismatch,
// duplicate-finder option errors.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "autolabel/duplicates.h"
#include "core/status.h"
#include "loop/config.h"

namespace hitloop::loop {

inline constexpr const char* kRuleExact = "duplicate-exact";
inline constexpr const char* kRuleNear = "duplicate-near";

struct RuleInput {
  std::span<const std::string> labels;            // k class names
  std::span<const std::string_view> texts;        // n pool texts
  std::span<const int> train_label;               // n: people's label or -1
  std::span<const std::string> labeler_value;     // n or empty: the labeler detector's answer
  std::span<const double> labeler_confidence;     // n or empty
  AutolabelConfig config;
  // The pool's duplicate groups found already (loop/duplicate_cache.h; indexed by pool position,
  // under DuplicateOptionsFor(config)); null: ComputeRuleLabels finds them.
  const std::vector<autolabel::DuplicateGroup>* duplicate_groups = nullptr;
};

struct RuleLabels {
  std::vector<std::string> names;   // rule names; RuleLabels::rule indexes this
  std::vector<int> label;           // n: class index or -1
  std::vector<uint8_t> rule;        // n: index into names (meaningful where label >= 0)
  std::vector<float> confidence;    // n: 1 for exact, the similarity for near, detector's otherwise
  std::vector<int64_t> review_rep;  // n: for a held-back near/exact member, its group's review
                                    // representative (shown instead of it); -1 otherwise
  int64_t groups = 0;               // duplicate groups (>= 2 members)
  int64_t grouped_items = 0;
  int64_t conflicting_groups = 0;   // groups whose people's labels disagree (nothing propagated)
};

// The duplicate finder's options a project's autolabel settings ask for.
autolabel::DuplicateOptions DuplicateOptionsFor(const AutolabelConfig& config);

Result<RuleLabels> ComputeRuleLabels(const RuleInput& in);

}  // namespace hitloop::loop
