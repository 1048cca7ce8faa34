#pragma once
// The data model. Plain value types; the store persists them, io reads/writes them.
// Labels are referred to by name everywhere outside the store; a project's label set may grow
// (novel classes) but never shrinks or reorders, so a class index stays valid for a project's life.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hitloop {

// Preference types (preference/item.h): an item is a prompt with responses to compare; pairwise
// items have exactly two, ranking items 2..9. Their `labels` are the comparison criteria (empty =
// one overall judgement).
enum class TaskType { kSingleLabel, kMultiLabel, kPairwisePreference, kRanking };
// "single-label" | "multi-label" | "pairwise-preference" | "ranking"
const char* TaskTypeName(TaskType t);
bool IsPreferenceType(TaskType t);  // pairwise-preference or ranking
Result<TaskType> ParseTaskType(std::string_view s);

enum class Split { kPool, kGold };
const char* SplitName(Split s);  // "pool" | "gold"
Result<Split> ParseSplit(std::string_view s);

// Where a label came from.
enum class LabelSource { kHuman, kModel, kRule, kAudit };
const char* LabelSourceName(LabelSource s);  // "human" | "model" | "rule" | "audit"
Result<LabelSource> ParseLabelSource(std::string_view s);

// Lifecycle of an item in the loop.
//   unlabeled   - no label, no queue entry
//   queued      - waiting for people (review, audit or adjudication)
//   auto        - labelled by the model or a rule and auto-accepted (may later be audited)
//   labeled     - a human (or audit) label is final
enum class ItemState { kUnlabeled, kQueued, kAuto, kLabeled };
const char* ItemStateName(ItemState s);
Result<ItemState> ParseItemState(std::string_view s);

// What a lease is for. review, audit and adjudicate are the kinds of the queue entry it was
// claimed from; gold is a gold question (loop/gold.h; shown to the annotator as a review) and
// rework an answer a reviewer sent back (loop/review.h). Stored as its name.
enum class LeaseKind { kReview, kAudit, kAdjudicate, kGold, kRework };
const char* LeaseKindName(LeaseKind k);  // "review" | "audit" | "adjudicate" | "gold" | "rework"
Result<LeaseKind> ParseLeaseKind(std::string_view s);  // InvalidArgument naming `s`

// Where a lease is: held (active) until its annotator submits, releases or skips it, or it
// expires (an expired lease stays "active" with expires_at in the past). Stored as its name.
enum class LeaseState { kActive, kSubmitted, kReleased, kSkipped };
const char* LeaseStateName(LeaseState s);  // "active" | "submitted" | "released" | "skipped"
Result<LeaseState> ParseLeaseState(std::string_view s);  // InvalidArgument naming `s`

// A label name: 1-200 bytes, no control characters, no '|' (the CSV formats' label separator).
// Checked wherever a label set is created or grown (the store), so the CLI and the API agree.
Status ValidateLabelName(std::string_view label);

struct Project {
  int64_t id = 0;
  std::string name;
  TaskType type = TaskType::kSingleLabel;
  std::vector<std::string> labels;  // ordered; grows only by appending
  std::string config_json = "{}";   // thresholds, routing rules, strategy (owned by loop/)
  int64_t created_at = 0;           // ms since epoch

  // Index of `label` in `labels`, or -1.
  int LabelIndex(std::string_view label) const;
};

struct Item {
  int64_t id = 0;  // store-assigned
  int64_t project_id = 0;
  std::string external_id;          // the user's id, unique within a project
  std::string text;                 // may be empty when `vector` is set
  std::vector<float> vector;        // optional dense features
  std::string meta_json = "{}";     // a JSON object
  std::string content_hash;         // ContentHash of normalised text (+ vector bytes)
  Split split = Split::kPool;
  ItemState state = ItemState::kUnlabeled;
  // Denormalised current label (the newest non-model annotation, or the auto-accepted one).
  std::vector<std::string> labels;
  std::optional<LabelSource> label_source;
  std::string label_annotator;
  std::optional<double> label_confidence;
  // "" = in the project; "quarantined" = an admin took it out of queues and cycles (it is still
  // exported); "deleted" = content erased (Store::SetItemHold).
  std::string hold;
};

// One entry of the append-only annotation history.
struct Annotation {
  int64_t id = 0;
  int64_t item_id = 0;
  std::vector<std::string> labels;  // one for single-label; any number for multi-label
  LabelSource source = LabelSource::kHuman;
  std::string annotator;            // user name, model version or rule name
  std::optional<double> confidence;
  int64_t time_spent_ms = 0;
  int64_t created_at = 0;
  std::string kind = "label";       // label | review | audit | adjudicate | import
};

// The model's full class distribution for an item.
struct Prediction {
  int64_t item_id = 0;
  std::string model_version;
  std::vector<double> distribution;  // aligned with Project::labels at prediction time
  std::string label;                 // argmax (or imported pre-label)
  double confidence = 0.0;
  int64_t created_at = 0;
};

// One detector's answer for one item (autolabel/): "language" -> "en", "format" ->
// "email", "boilerplate" -> "content" | "mixed" | "boilerplate" (detail: JSON [[start, end,
// kind], ...] byte ranges of the boilerplate blocks). One per (item, detector); newer replaces older.
struct Detection {
  int64_t item_id = 0;
  std::string detector;
  std::string value;
  double confidence = 0.0;
  std::string detail_json;  // "" = none
};

struct Lease {
  std::string id;
  int64_t item_id = 0;
  int64_t project_id = 0;
  std::string annotator;
  std::string pool;
  LeaseKind kind = LeaseKind::kReview;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  LeaseState state = LeaseState::kActive;
};

}  // namespace hitloop
