#pragma once
// Label propagation over duplicate groups, for the cycle (loop/) to call:
//   * a duplicate of a labelled item gets that item's label, with source = rule;
//   * a near-duplicate group is shown to people once: only one member per group is reviewable.
// Pure functions over plain values: no store access, thread-safe, no errors (inputs that cannot
// be acted on — conflicting labels inside a group — are reported, not failed).
#include <cstddef>
#include <string>
#include <vector>

#include "autolabel/duplicates.h"

namespace hitloop::autolabel {

// What the caller knows about item i (index = DuplicateFinder::Add order).
struct ItemLabels {
  std::vector<std::string> labels;  // empty = unlabelled
  bool trusted = true;              // false: e.g. a model label; never propagated from
};

struct PropagationOptions {
  bool include_near = true;         // false: propagate within exact-duplicate members only
  double min_similarity = 0.8;      // a near member receives a label only at >= this similarity
};

struct PropagatedLabel {
  size_t index = 0;                 // the item receiving the label
  std::vector<std::string> labels;  // copied from the group's labelled members
  size_t source_index = 0;          // the labelled member it came from (first in index order)
  DuplicateKind kind = DuplicateKind::kExact;
  double confidence = 0.0;          // 1.0 for exact; the member's similarity for near
  // Always "rule": the label comes from a rule labeler, audited like model labels.
  static constexpr const char* kSource = "rule";
};

struct PropagationResult {
  std::vector<PropagatedLabel> labels;       // ordered by index
  std::vector<size_t> conflicting_groups;    // representatives of groups whose trusted labels disagree
};

// For each group whose trusted labelled members all carry the same label set, assigns it to every
// unlabelled member (subject to options). `items` must have one entry per added text; groups
// naming an index outside `items` are skipped.
PropagationResult PropagateLabels(const std::vector<DuplicateGroup>& groups,
                                  const std::vector<ItemLabels>& items,
                                  const PropagationOptions& options = {});

// The indices people need not see: every member of a group except its review representative
// (the first labelled member if any, else the group representative). Sorted ascending.
std::vector<size_t> SuppressedFromReview(const std::vector<DuplicateGroup>& groups,
                                         const std::vector<ItemLabels>& items);

}  // namespace hitloop::autolabel
