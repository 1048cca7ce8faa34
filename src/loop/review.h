#pragma once
// The review workflow (docs/SERVER.md "Reviewing answers"): a reviewer lists
// people's answers (all, a seeded random sample, one annotator's, the unreviewed ones), approves or
// rejects each with a comment. A rejected answer goes back to its annotator as a rework task only
// they can claim (Store::PutReview, ClaimRequest::rework_only), carrying the comment; their new
// answer (kind "rework") is the newest of theirs on the item, so it supersedes the rejected one in
// the resolved label (docs/QUALITY.md), while the rejected answer and every verdict stay in the
// history (both append-only) and in the exports.
// The one implementation behind `hitloop review` and the /reviews routes.
// Thread-safety: functions on a borrowed Store (one per thread).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::loop {

inline constexpr size_t kMaxReviewComment = 4000;  // bytes
inline constexpr int kMaxReviewPage = 500;

struct ReviewFilter {
  std::string annotator;  // "" = everyone
  int64_t sample = 0;     // > 0: a seeded random sample of this many answers
  int64_t seed = 1;
  bool unreviewed = false;
  std::string cursor;  // from the previous page's next_cursor ("" = the first page)
  int limit = 50;      // 1..kMaxReviewPage
};

struct ReviewRow {
  Annotation answer;
  std::string item_id;  // external id
  std::string text;
  std::optional<Prediction> prediction;
  std::vector<Review> reviews;  // verdicts on this answer, oldest first
};

struct ReviewPage {
  std::vector<ReviewRow> rows;
  std::string next_cursor;  // "" = no more
};

// InvalidArgument for a bad limit, sample or cursor.
Result<ReviewPage> ListForReview(Store& store, const Project& project, const ReviewFilter& f);

// Records `reviewer`'s verdict ("approve" | "reject") on answer `answer_id` of the project, with
// `comment` (required to reject; at most kMaxReviewComment bytes of UTF-8). Returns the review
// id. Errors as Store::PutReview (Conflict for one's own answer) plus InvalidArgument
// for the comment.
Result<int64_t> RecordReview(Store& store, const Project& project, int64_t answer_id,
                             const std::string& reviewer, const std::string& verdict,
                             const std::string& comment, int64_t now);

// The newest rejection of `annotator`'s answer on the item (what their rework task shows), if any.
Result<std::optional<Review>> LatestRejection(Store& store, const Project& project, int64_t item_id,
                                              const std::string& annotator);

// JSON shapes shared by the API and `hitloop review --json`.
nlohmann::json ReviewJson(
    const Review& r);  // {"id","answer","reviewer","verdict","comment","at_ms"}
nlohmann::json ReviewPageJson(const Project& project, const ReviewPage& page);

}  // namespace hitloop::loop
