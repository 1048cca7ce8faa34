#pragma once
// The input shape shared by every quality statistic: nominal ratings, one label per (item,
// annotator), laid out as an items x annotators table of category indices.
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
};

// Marks a missing rating in RatingTable::cells.
inline constexpr int kMissing = -1;

// items x annotators. Rows are sorted by item id, columns by annotator name, so the same ratings
// always give the same table. Every row has at least one rating.
struct RatingTable {
  std::vector<int64_t> items;           // row -> item id
  std::vector<std::string> annotators;  // column -> annotator name
  std::vector<std::string> categories;  // category index -> label name
  std::vector<std::vector<int>> cells;  // [row][column] -> category index or kMissing

  int num_items() const { return static_cast<int>(items.size()); }
  int num_annotators() const { return static_cast<int>(annotators.size()); }
  int num_categories() const { return static_cast<int>(categories.size()); }
  // Column of `annotator`, or -1.
  int AnnotatorIndex(const std::string& annotator) const;
  // Category index of `label`, or -1.
  int CategoryIndex(const std::string& label) const;
  // Number of non-missing cells in `row`.
  int RatingsInRow(int row) const;
};

// Builds the table. `categories` fixes the category order (pass Project::labels so indices match
// the project); when empty, the categories are the distinct labels seen, sorted by name.
// Errors (nothing is returned on error):
//   InvalidArgument - an empty annotator or label; a label not in a non-empty `categories`;
//                     duplicate names in `categories`; the same (item, annotator) rated twice
//                     with different labels (identical repeats are collapsed).
// An empty `ratings` gives an empty table (no items), which the statistics then reject.
Result<RatingTable> BuildRatingTable(const std::vector<Rating>& ratings,
                                     const std::vector<std::string>& categories = {});

// Extracts nominal ratings from the append-only annotation history: human annotations with
// exactly one label, excluding kind "adjudicate" (an adjudicator's decision is not an independent
// rating). When an annotator labelled the same item more than once, the newest (largest
// created_at, then largest id) wins. Output is sorted by (item_id, annotator).
std::vector<Rating> RatingsFromAnnotations(const std::vector<Annotation>& history);

}  // namespace hitloop::quality
