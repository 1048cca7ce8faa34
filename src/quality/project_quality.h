#pragma once
// A project's answers from several people, their resolved labels, agreement and per-annotator
// quality: the one implementation behind `hitloop quality`, `hitloop report`, the admin
// dashboard's metrics, `hitloop export --aggregate` and the loop's training labels.
//
// What counts as an answer: an annotation by a person (source human or audit) with one label,
// not an adjudication (that decides, it does not vote), newest per (item, annotator), unless a
// reviewer rejected it (loop/review.h: its newest verdict is "reject"). A rejected answer still
// replaces the person's older answers to the item but votes for nothing until they answer again
// (rework); a rejected adjudication decides nothing (the newest one not rejected does). On a gold
// item the imported label (kind "import") is the known answer, not a vote.
// Resolved label of an item: the known answer of a gold item; an item's adjudication when it has
// one; otherwise the project's aggregation method (mv | ds | auto, quality/aggregation.h) over
// its answers.
// The method is the "quality" key of the project config: {"quality": {"aggregate": "auto"}}
// (default auto).
// Thread-safety: borrows the Store (one per thread); the rest are value types.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "quality/aggregation.h"
#include "quality/agreement.h"
#include "quality/annotator_accuracy.h"
#include "quality/ratings.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::quality {

// The project's aggregation method (config "quality.aggregate"; default auto).
Result<AggregateMethod> ProjectAggregateMethod(const Project& project);
// `config_json` with quality.aggregate set (other keys kept).
Result<std::string> SetAggregateMethod(const std::string& config_json, AggregateMethod method);

// The answers of the project whose newest verdict is "reject" (Store::ListReviews).
Result<std::unordered_set<int64_t>> RejectedAnswerIds(Store& store, int64_t project_id);

// People's answers to a single-label project.
struct ProjectAnswers {
  RatingTable table;               // categories = project labels; the answers that count
  std::map<int64_t, int> gold;     // gold item id -> category: the known answers
  std::map<int64_t, int> adjudicated;  // item id -> category of its newest adjudication not rejected
  // Newest answers per (item, annotator) that a reviewer rejected: not in `table`, so they vote
  // for nothing (sorted by item, then annotator).
  std::vector<Rating> rejected;
};
// Errors: FailedPrecondition for projects that are not single-label; store errors.
Result<ProjectAnswers> LoadProjectAnswers(Store& store, const Project& project);

// The resolved label of every item with answers or an adjudication (gold items with answers:
// their known answer).
struct ResolvedItem {
  int label = 0;          // category index
  double confidence = 0;  // posterior (DS), vote share (MV), 1 for an adjudication
  std::string method;     // "mv" | "ds" | "adjudicated" | "gold"
};
struct ProjectResolution {
  Resolution resolution;                   // over answers.table (method actually used)
  std::map<int64_t, ResolvedItem> items;   // item id -> resolved label
};
// `method` empty = the project's setting.
Result<ProjectResolution> ResolveProject(const ProjectAnswers& answers,
                                         std::optional<AggregateMethod> method,
                                         const Project& project);

// Resolved labels for a caller that scans the annotation history itself (the loop's cycle): Add()
// people's answers in arrival order (an annotator's newest answer to an item replaces their
// older one), then Resolve() with the project's method.
class AnswerCollector {
 public:
  // `category`: index into the project's labels. `rejected`: a reviewer rejected this answer: it
  // replaces the annotator's older answers to the item but votes for nothing.
  void Add(int64_t item_id, const std::string& annotator, int category, bool rejected = false);
  // item id -> resolved category for every item with an answer. `gold`: known answers (item id
  // -> category) for `auto`. Errors: a category outside the project's label set.
  Result<std::unordered_map<int64_t, int>> Resolve(const Project& project,
                                                   const std::map<int64_t, int>& gold) const;

 private:
  struct Answer {
    int64_t item;
    int32_t annotator;
    int32_t category;
  };
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<std::string> names_;
  std::vector<Answer> answers_;  // arrival order
};

struct AnnotatorQuality {
  std::string annotator;
  int64_t answers = 0;
  int64_t rejected = 0;  // newest answers a reviewer rejected (not in `answers` or the statistics)
  std::optional<AnnotatorAccuracy> gold;        // accuracy on gold with a Wilson interval
  int64_t agree_with_resolved = 0;              // answers equal to the item's resolved label
  std::vector<std::vector<int64_t>> confusion;  // [resolved][answered], project label order
  std::optional<double> median_time_ms;         // over answers with a measured time
};

struct QualityOptions {
  AgreementOptions agreement;
  std::optional<AggregateMethod> method;  // empty = the project's setting
};

struct QualityReport {
  std::string project;
  std::vector<std::string> labels;
  int64_t items = 0;       // items with at least one answer
  int64_t answers = 0;
  int64_t annotators = 0;
  int64_t rejected_answers = 0;  // ProjectAnswers::rejected
  AggregateMethod requested = AggregateMethod::kAuto;
  Resolution resolution;   // labels/confidence aligned with the answers' table rows
  std::optional<AgreementSummary> agreement;  // empty when there are no answers
  std::vector<AnnotatorQuality> per_annotator;  // sorted by name
  // Wall time of the two phases (for `hitloop quality --timing`; not in the JSON).
  double resolve_ms = 0.0, agreement_ms = 0.0;
};

// Everything from answers already loaded (no store access).
Result<QualityReport> BuildQualityReport(const Project& project, const ProjectAnswers& answers,
                                         const QualityOptions& options = {});
// Loads and builds.
Result<QualityReport> ProjectQuality(Store& store, const Project& project,
                                     const QualityOptions& options = {});
// JSON (the CLI's --json, the report's "quality" key and the dashboard's metrics): see
// docs/QUALITY.md for the fields.
// `extra`: more top-level keys, each with its JSON text (e.g. {"gold_routing", ...}); a text that
// does not parse is written as null.
std::string QualityToJson(const QualityReport& q,
                          const std::vector<std::pair<std::string, std::string>>& extra = {});
// A plain-text rendering for the terminal.
std::string QualityToText(const QualityReport& q);

}  // namespace hitloop::quality
