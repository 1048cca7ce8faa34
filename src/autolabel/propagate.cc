#include "autolabel/propagate.h"

#include <algorithm>
#include <optional>

namespace hitloop::autolabel {

PropagationResult PropagateLabels(const std::vector<DuplicateGroup>& groups,
                                  const std::vector<ItemLabels>& items,
                                  const PropagationOptions& options) {
  PropagationResult out;
  for (const DuplicateGroup& g : groups) {
    bool in_range = true;
    for (const auto& m : g.members) in_range = in_range && m.index < items.size();
    if (!in_range) continue;
    std::optional<size_t> source;
    bool conflict = false;
    for (const auto& m : g.members) {
      const ItemLabels& it = items[m.index];
      if (it.labels.empty() || !it.trusted) continue;
      // A near member's label only speaks for the group when near propagation is allowed.
      if (m.kind == DuplicateKind::kNear && !options.include_near) continue;
      if (!source) {
        source = m.index;
      } else {
        auto a = items[*source].labels, b = it.labels;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        if (a != b) conflict = true;
      }
    }
    if (conflict) {
      out.conflicting_groups.push_back(g.representative);
      continue;
    }
    if (!source) continue;
    // Exact propagation needs the receiver to share the source's normal form (a group can join
    // two sets of exact duplicates through a near link).
    const DuplicateMember* src_member = nullptr;
    for (const auto& m : g.members)
      if (m.index == *source) src_member = &m;
    for (const auto& m : g.members) {
      if (m.index == *source || !items[m.index].labels.empty()) continue;
      const bool exact_pair = src_member != nullptr && m.exact_of == src_member->exact_of;
      if (!exact_pair) {
        if (!options.include_near || m.similarity < options.min_similarity) continue;
      }
      PropagatedLabel p;
      p.index = m.index;
      p.labels = items[*source].labels;
      p.source_index = *source;
      p.kind = exact_pair ? DuplicateKind::kExact : DuplicateKind::kNear;
      p.confidence = exact_pair ? 1.0 : m.similarity;
      out.labels.push_back(std::move(p));
    }
  }
  std::sort(out.labels.begin(), out.labels.end(),
            [](const PropagatedLabel& a, const PropagatedLabel& b) { return a.index < b.index; });
  return out;
}

std::vector<size_t> SuppressedFromReview(const std::vector<DuplicateGroup>& groups,
                                         const std::vector<ItemLabels>& items) {
  std::vector<size_t> out;
  for (const DuplicateGroup& g : groups) {
    size_t keep = g.representative;
    for (const auto& m : g.members) {
      if (m.index < items.size() && !items[m.index].labels.empty()) { keep = m.index; break; }
    }
    for (const auto& m : g.members)
      if (m.index != keep) out.push_back(m.index);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hitloop::autolabel
