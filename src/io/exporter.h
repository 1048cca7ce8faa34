#pragma once
// Streaming export of a project in any registered format with a writer (io/format.h).
// Every label carries its source, annotator and confidence; the newest prediction rides along.
// The JSONL export re-imports (io::ImportFile) to the same project state: items, splits, meta,
// vectors, current labels with their provenance, and newest predictions with distributions.
// Memory is constant in the number of items.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "io/importer.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::io {

// Several people per item (quality/project_quality.h builds these): every person's answer and
// the item's resolved label. Items in the map are written with an "annotations" list (JSONL), one
// annotation per person (Label Studio), or one row per answer (io/answers.h); their label is the
// resolved one.
struct PersonAnswer {
  std::string annotator;
  std::string label;
  int64_t time_ms = 0;
  std::string source = "human";  // human | audit
  int64_t answer_id = 0;         // the annotation's id (what `hitloop review --approve` takes)
  // The newest reviewer's verdict on this answer (loop/review.h); verdict "" = not reviewed. A
  // rejected answer is listed but does not count toward `resolved`.
  std::string verdict, reviewer, review_comment;
  int64_t reviewed_at = 0;
};
struct ItemAnswers {
  std::vector<PersonAnswer> answers;  // by annotator name
  std::string resolved;               // the resolved label; "" = none (every answer was rejected)
  double confidence = 0.0;            // its posterior (vote share for mv, 1 when adjudicated)
  std::string method;                 // mv | ds | adjudicated | gold (the known answer) | none
};
using AnswersByItem = std::unordered_map<int64_t, ItemAnswers>;  // item id ->

struct ExportOptions {
  const AnswersByItem* answers = nullptr;  // null: one label per item, as before
  // Called now and then with (items written, total items).
  std::function<void(uint64_t, uint64_t)> progress;
  // Preference projects (io/preference_export.h): trl's margin column; the criterion of trl and
  // trl-kto ("" = the overall judgement). Other formats ignore them.
  bool margin = false;
  std::string criterion;
  // Preference projects: one resolved judgement per item from everyone's answers
  // (preference/aggregate.h, `export --aggregate bt`) instead of one row set per answer.
  bool aggregate_preferences = false;
};

struct ExportStats {
  int64_t items = 0;
  int64_t labels = 0;
  std::vector<std::string> notes;  // one line each, for the user ("63 rows, 64 answers; left out: ...")
};

// `format` must not be null (there is no "auto" for export).
Result<ExportStats> ExportProject(Store& store, const Project& project, Format format,
                                  std::ostream& out, const ExportOptions& options);

// A verdict with the answer it judged.
struct ReviewedAnswer {
  Review review;
  std::vector<std::string> labels;  // the judged answer's labels
  std::string kind;                 // and its kind (review | adjudicate | rework)
  int64_t answered_at = 0;
};

// What a writer gets per item.
struct ExportItem {
  const Item* item = nullptr;
  const Prediction* prediction = nullptr;  // the newest, or null
  bool prediction_unscored = false;        // it was imported without a score: write none
  // with_answers: every answer (people's, models', rules'), oldest first, without those an
  // amendment replaced; the item's label is the newest non-model one. Empty for unlabelled items.
  std::vector<Annotation> answers;
  // Reviewers' verdicts on people's answers to this item (loop/review.h), oldest first, each with
  // the answer it judged (which a later rework may have superseded). Empty when none.
  std::vector<ReviewedAnswer> reviews;
};

// The item as a writer that has no view of several people's answers of its own (Prodigy, doccano,
// Label Studio CSV) writes it: when `options.answers` holds the item of a single-label project,
// its label is the resolved one (source human, annotator "aggregate:METHOD", the confidence), or
// none when every answer was rejected; otherwise the item itself. `scratch` holds the copy.
const Item& ItemAsResolved(const ExportItem& e, const ExportOptions& options, const Project& project, Item* scratch);

// Walks the project's items in id order with their newest predictions (read ahead in bounded
// chunks), counting into *stats and reporting progress. `with_answers` adds each item's answers
// (one query per labelled item).
Status ForEachExportItem(Store& store, const Project& project, bool with_answers,
                         const std::function<Status(const ExportItem&)>& fn, ExportStats* stats,
                         const ExportOptions* options);

}  // namespace hitloop::io
