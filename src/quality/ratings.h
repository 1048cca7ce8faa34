#pragma once
// The input shape shared by every quality statistic: nominal ratings (answers), laid out as a
// sparse items x annotators table of category indices (compressed by item: the ratings of row r
// are rater[row_start[r] .. row_start[r+1]) and value[...]). Sparse so a project with 1M answers
// from hundreds of annotators costs memory in proportion to its answers.
//
// Typical use:
//   std::vector<Rating> ratings = RatingsFromAnnotations(history);
//   ASSIGN_OR_RETURN(RatingTable table, BuildRatingTable(ratings, project.labels));
//   ASSIGN_OR_RETURN(AgreementStats a, KrippendorffAlpha(table));
//
// Only single-label (nominal) tasks are covered; multi-label and pairwise-preference annotations
// must be reduced to one nominal label per rating by the caller (e.g. one table per class).
// Thread-safety: plain value types and pure functions; safe to use from any thread.
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "schema/types.h"

namespace hitloop::quality {

// One annotator's label for one item. A model or rule may appear as an annotator too (e.g.
// "model:v3"), which is how model-vs-human agreement is measured.
struct Rating {
  int64_t item_id = 0;
  std::string annotator;
  std::string label;
  int64_t time_ms = 0;  // time the annotator spent on it; 0 = not measured
  std::string source = "human";  // LabelSourceName of the answer (human | audit)
  int64_t answer_id = 0;  // the annotation's id in the store (0: not from the store)
};

// Marks a missing rating (Cell()).
inline constexpr int kMissing = -1;

// items x annotators, sparse. Rows are sorted by item id, columns by annotator name, and within
// a row the ratings by column, so the same ratings always give the same table. Every row has at
// least one rating.
struct RatingTable {
  std::vector<int64_t> items;           // row -> item id
  std::vector<std::string> annotators;  // column -> annotator name
  std::vector<std::string> categories;  // category index -> label name
  std::vector<int32_t> row_start;       // size items + 1 (empty table: empty or {0})
  std::vector<int32_t> rater;           // rating -> column
  std::vector<int32_t> value;           // rating -> category index
  std::vector<int64_t> time_ms;         // rating -> time spent (0 = not measured)
  std::vector<uint8_t> audit;           // rating -> 1 when the answer was an audit (source audit)
  std::vector<int64_t> answer_id;       // rating -> Rating::answer_id

  int num_items() const { return static_cast<int>(items.size()); }
  int num_annotators() const { return static_cast<int>(annotators.size()); }
  int num_categories() const { return static_cast<int>(categories.size()); }
  int64_t num_ratings() const { return static_cast<int64_t>(value.size()); }
  // Column of `annotator`, or -1.
  int AnnotatorIndex(const std::string& annotator) const;
  // Category index of `label`, or -1.
  int CategoryIndex(const std::string& label) const;
  // Number of ratings in `row`.
  int RatingsInRow(int row) const { return row_start[row + 1] - row_start[row]; }
  // The category `annotator` (a column) gave in `row` (its first, when repeats are kept), or
  // kMissing.
  int Cell(int row, int annotator) const;
  // Row of `item_id`, or -1.
  int RowOf(int64_t item_id) const;
};

struct BuildOptions {
  // Keep every rating, also several by one annotator on one item (Dawid & Skene's data has an
  // observer who rated each patient three times). Default: identical repeats collapse and
  // different ones are an error.
  bool keep_repeats = false;
};

// Builds the table. `categories` fixes the category order (pass Project::labels so indices match
// the project); when empty, the categories are the distinct labels seen, sorted by name.
// Errors (nothing is returned on error):
//   InvalidArgument - an empty annotator or label; a label not in a non-empty `categories`;
//                     duplicate names in `categories`; the same (item, annotator) rated twice
//                     with different labels (identical repeats are collapsed) unless
//                     keep_repeats.
// An empty `ratings` gives an empty table (no items), which the statistics then reject.
Result<RatingTable> BuildRatingTable(const std::vector<Rating>& ratings,
                                     const std::vector<std::string>& categories = {},
                                     const BuildOptions& options = {});

// Extracts nominal ratings from the append-only annotation history: annotations by people
// (source human or audit) with exactly one label, excluding kind "adjudicate" (an adjudicator's
// decision is not an independent rating). When an annotator labelled the same item more than
// once, the newest (largest created_at, then largest id) wins. Output is sorted by (item_id,
// annotator).
std::vector<Rating> RatingsFromAnnotations(const std::vector<Annotation>& history);

}  // namespace hitloop::quality
