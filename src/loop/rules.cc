#include "loop/rules.h"

#include <algorithm>

#include "autolabel/duplicates.h"
#include "autolabel/propagate.h"
#include "loop/duplicate_cache.h"

namespace hitloop::loop {

autolabel::DuplicateOptions DuplicateOptionsFor(const AutolabelConfig& config) {
  autolabel::DuplicateOptions o;
  o.threshold = config.near_threshold;
  o.near = config.duplicates == "near";
  return o;
}

Result<RuleLabels> ComputeRuleLabels(const RuleInput& in) {
  const size_t n = in.texts.size();
  if (in.train_label.size() != n || (!in.labeler_value.empty() && in.labeler_value.size() != n) ||
      (!in.labeler_confidence.empty() && in.labeler_confidence.size() != in.labeler_value.size())) {
    return InvalidArgument("rules: input sizes disagree");
  }
  RuleLabels out;
  out.label.assign(n, -1);
  out.rule.assign(n, 0);
  out.confidence.assign(n, 0.0f);
  out.review_rep.assign(n, -1);
  const AutolabelConfig& c = in.config;

  if (c.duplicates != "off" && n > 1) {
    out.names = {kRuleExact, kRuleNear};
    const autolabel::DuplicateOptions dopt = DuplicateOptionsFor(c);
    std::vector<autolabel::DuplicateGroup> found;
    if (in.duplicate_groups == nullptr) {
      ASSIGN_OR_RETURN(found, FindPoolDuplicates(in.texts, dopt));
    }
    const std::vector<autolabel::DuplicateGroup>& groups =
        in.duplicate_groups != nullptr ? *in.duplicate_groups : found;
    std::vector<autolabel::ItemLabels> items(n);
    for (size_t i = 0; i < n; ++i) {
      const int y = in.train_label[i];
      if (y >= 0 && y < static_cast<int>(in.labels.size())) items[i].labels = {in.labels[y]};
    }
    autolabel::PropagationOptions popt;
    popt.include_near = dopt.near;
    popt.min_similarity = c.near_threshold;
    const autolabel::PropagationResult prop = autolabel::PropagateLabels(groups, items, popt);
    out.conflicting_groups = static_cast<int64_t>(prop.conflicting_groups.size());
    for (const auto& p : prop.labels) {
      if (p.labels.size() != 1) continue;
      const auto it = std::find(in.labels.begin(), in.labels.end(), p.labels[0]);
      if (it == in.labels.end()) continue;
      out.label[p.index] = static_cast<int>(it - in.labels.begin());
      out.rule[p.index] = p.kind == autolabel::DuplicateKind::kExact ? 0 : 1;
      out.confidence[p.index] = static_cast<float>(p.confidence);
    }
    // Held back: members of groups nobody labelled, except the one people will see.
    for (const auto& g : groups) {
      ++out.groups;
      out.grouped_items += static_cast<int64_t>(g.members.size());
      bool labelled = false;
      for (const auto& m : g.members) labelled |= !items[m.index].labels.empty();
      if (labelled) continue;
      for (const auto& m : g.members) {
        if (m.index != g.representative) out.review_rep[m.index] = static_cast<int64_t>(g.representative);
      }
    }
  }

  if (!c.labeler.empty() && !in.labeler_value.empty()) {
    const uint8_t id = static_cast<uint8_t>(out.names.size());
    out.names.push_back(c.labeler);
    for (size_t i = 0; i < n; ++i) {
      if (out.label[i] >= 0 || in.train_label[i] >= 0) continue;
      const double conf = in.labeler_confidence.empty() ? 1.0 : in.labeler_confidence[i];
      if (conf < c.min_rule_confidence) continue;
      const auto it = std::find(in.labels.begin(), in.labels.end(), in.labeler_value[i]);
      if (it == in.labels.end()) continue;
      out.label[i] = static_cast<int>(it - in.labels.begin());
      out.rule[i] = id;
      out.confidence[i] = static_cast<float>(conf);
    }
  }
  return out;
}

}  // namespace hitloop::loop
