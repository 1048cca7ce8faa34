#include "schema/types.h"

#include <utility>

#include <string>

namespace hitloop {

const char* TaskTypeName(TaskType t) {
  switch (t) {
    case TaskType::kSingleLabel: return "single-label";
    case TaskType::kMultiLabel: return "multi-label";
    case TaskType::kPairwisePreference: return "pairwise-preference";
    case TaskType::kRanking: return "ranking";
  }
  return "single-label";
}

Result<TaskType> ParseTaskType(std::string_view s) {
  if (s == "single-label") return TaskType::kSingleLabel;
  if (s == "multi-label") return TaskType::kMultiLabel;
  if (s == "pairwise-preference" || s == "pairwise") return TaskType::kPairwisePreference;
  if (s == "ranking") return TaskType::kRanking;
  return InvalidArgument("unknown task type '" + std::string(s) +
                         "' (expected single-label, multi-label, pairwise or ranking)");
}

bool IsPreferenceType(TaskType t) {
  return t == TaskType::kPairwisePreference || t == TaskType::kRanking;
}

const char* SplitName(Split s) { return s == Split::kGold ? "gold" : "pool"; }

Result<Split> ParseSplit(std::string_view s) {
  if (s == "pool") return Split::kPool;
  if (s == "gold") return Split::kGold;
  return InvalidArgument("unknown split '" + std::string(s) + "' (expected pool or gold)");
}

const char* LabelSourceName(LabelSource s) {
  switch (s) {
    case LabelSource::kHuman: return "human";
    case LabelSource::kModel: return "model";
    case LabelSource::kRule: return "rule";
    case LabelSource::kAudit: return "audit";
  }
  return "human";
}

Result<LabelSource> ParseLabelSource(std::string_view s) {
  if (s == "human") return LabelSource::kHuman;
  if (s == "model") return LabelSource::kModel;
  if (s == "rule") return LabelSource::kRule;
  if (s == "audit") return LabelSource::kAudit;
  return InvalidArgument("unknown label source '" + std::string(s) + "'");
}

const char* ItemStateName(ItemState s) {
  switch (s) {
    case ItemState::kUnlabeled: return "unlabeled";
    case ItemState::kQueued: return "queued";
    case ItemState::kAuto: return "auto";
    case ItemState::kLabeled: return "labeled";
  }
  return "unlabeled";
}

Result<ItemState> ParseItemState(std::string_view s) {
  if (s == "unlabeled") return ItemState::kUnlabeled;
  if (s == "queued") return ItemState::kQueued;
  if (s == "auto") return ItemState::kAuto;
  if (s == "labeled") return ItemState::kLabeled;
  return InvalidArgument("unknown item state '" + std::string(s) + "'");
}

namespace {

// Each enumerator and its text (the database's and the API's), in declaration order: the one
// table both directions and the "expected" list read.
constexpr std::pair<LeaseKind, const char*> kLeaseKinds[] = {
    {LeaseKind::kReview, "review"}, {LeaseKind::kAudit, "audit"}, {LeaseKind::kAdjudicate, "adjudicate"},
    {LeaseKind::kGold, "gold"},     {LeaseKind::kRework, "rework"}};
constexpr std::pair<LeaseState, const char*> kLeaseStates[] = {{LeaseState::kActive, "active"},
                                                               {LeaseState::kSubmitted, "submitted"},
                                                               {LeaseState::kReleased, "released"},
                                                               {LeaseState::kSkipped, "skipped"}};

template <typename E, size_t N>
const char* NameIn(const std::pair<E, const char*> (&table)[N], E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return table[0].second;
}

// "unknown lease kind 'x' (expected review, audit, adjudicate, gold or rework)".
template <typename E, size_t N>
Result<E> ParseIn(const std::pair<E, const char*> (&table)[N], std::string_view s, const char* what) {
  std::string expected;
  for (size_t i = 0; i < N; ++i) {
    if (s == table[i].second) return table[i].first;
    expected += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + table[i].second;
  }
  return InvalidArgument("unknown " + std::string(what) + " '" + std::string(s) + "' (expected " +
                         expected + ")");
}

}  // namespace

const char* LeaseKindName(LeaseKind k) { return NameIn(kLeaseKinds, k); }
Result<LeaseKind> ParseLeaseKind(std::string_view s) { return ParseIn(kLeaseKinds, s, "lease kind"); }
const char* LeaseStateName(LeaseState s) { return NameIn(kLeaseStates, s); }
Result<LeaseState> ParseLeaseState(std::string_view s) { return ParseIn(kLeaseStates, s, "lease state"); }

Status ValidateLabelName(std::string_view label) {
  if (label.empty()) return InvalidArgument("label: empty");
  if (label.size() > 200) return InvalidArgument("label: longer than 200 bytes");
  for (unsigned char c : label) {
    if (c == '|') {
      return InvalidArgument("label '" + std::string(label) + "': '|' is not allowed (it separates labels in CSV)");
    }
    if (c < 0x20 || c == 0x7f) return InvalidArgument("label: control characters are not allowed");
  }
  return Status::Ok();
}

int Project::LabelIndex(std::string_view label) const {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == label) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace hitloop
