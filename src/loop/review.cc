#include "loop/review.h"

#include <algorithm>
#include <charconv>

#include "autolabel/normalize.h"

namespace hitloop::loop {

namespace {

// The cursor: "KEY.ID.TAKEN" — the last row's sort key and answer id, and how many rows of a
// sample the earlier pages held.
struct Cursor {
  int64_t key = -1, id = 0, taken = 0;
};

Result<Cursor> ParseCursor(const std::string& s) {
  Cursor c;
  if (s.empty()) return c;
  int64_t* parts[3] = {&c.key, &c.id, &c.taken};
  const char* p = s.data();
  const char* end = s.data() + s.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc() || *parts[i] < 0 || (i < 2 && (next == end || *next != '.')) ||
        (i == 2 && next != end)) {
      return InvalidArgument("cursor: '" + s + "' is not one this server gave");
    }
    p = next + 1;
  }
  return c;
}

}  // namespace

Result<ReviewPage> ListForReview(Store& store, const Project& project, const ReviewFilter& f) {
  if (f.limit < 1 || f.limit > kMaxReviewPage) {
    return InvalidArgument("limit: must be 1.." + std::to_string(kMaxReviewPage));
  }
  if (f.sample < 0) return InvalidArgument("sample: must be >= 0");
  ASSIGN_OR_RETURN(Cursor cur, ParseCursor(f.cursor));
  ReviewQuery q;
  q.annotator = f.annotator;
  q.unreviewed = f.unreviewed;
  q.sampled = f.sample > 0;
  q.seed = f.seed;
  q.after_key = cur.key;
  q.after_id = cur.id;
  q.limit = f.limit;
  ReviewPage page;
  if (q.sampled) {
    if (cur.taken >= f.sample) return page;
    q.limit = static_cast<int>(std::min<int64_t>(f.limit, f.sample - cur.taken));
  }
  ReadSnapshot snapshot(store);
  ASSIGN_OR_RETURN(auto found, store.ListAnswersForReview(project.id, q));
  for (ReviewCandidate& c : found) {
    ReviewRow row;
    ASSIGN_OR_RETURN(Item item, store.GetItem(c.answer.item_id));
    row.item_id = item.external_id;
    row.text = item.text;
    ASSIGN_OR_RETURN(row.prediction, store.LatestPrediction(c.answer.item_id));
    ASSIGN_OR_RETURN(auto reviews, store.ListReviews(project.id, c.answer.item_id));
    for (Review& r : reviews) {
      if (r.annotation_id == c.answer.id) row.reviews.push_back(std::move(r));
    }
    row.answer = std::move(c.answer);
    page.rows.push_back(std::move(row));
  }
  const int64_t taken = cur.taken + static_cast<int64_t>(found.size());
  const bool more = static_cast<int>(found.size()) == q.limit && (!q.sampled || taken < f.sample);
  if (more) {
    page.next_cursor = std::to_string(found.back().key) + "." +
                       std::to_string(page.rows.back().answer.id) + "." + std::to_string(taken);
  }
  return page;
}

Result<int64_t> RecordReview(Store& store, const Project& project, int64_t answer_id,
                             const std::string& reviewer, const std::string& verdict,
                             const std::string& comment, int64_t now) {
  if (verdict != "approve" && verdict != "reject") {
    return InvalidArgument("verdict: '" + verdict + "' (approve | reject)");
  }
  if (comment.size() > kMaxReviewComment) {
    return InvalidArgument("comment: more than " + std::to_string(kMaxReviewComment) + " bytes");
  }
  if (autolabel::SanitizeUtf8(comment) != comment)
    return InvalidArgument("comment: not valid UTF-8");
  if (verdict == "reject" && comment.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("comment: required to reject (the annotator is shown it)");
  }
  Review r;
  r.project_id = project.id;
  r.annotation_id = answer_id;
  r.reviewer = reviewer;
  r.verdict = verdict;
  r.comment = comment;
  r.created_at = now;
  return store.PutReview(r);
}

Result<std::optional<Review>> LatestRejection(Store& store, const Project& project, int64_t item_id,
                                              const std::string& annotator) {
  ASSIGN_OR_RETURN(auto reviews, store.ListReviews(project.id, item_id));
  for (auto it = reviews.rbegin(); it != reviews.rend(); ++it) {
    if (it->annotator == annotator && it->verdict == "reject") return std::optional<Review>(*it);
  }
  return std::optional<Review>();
}

nlohmann::json ReviewJson(const Review& r) {
  return {{"id", r.id},           {"answer", r.annotation_id}, {"reviewer", r.reviewer},
          {"verdict", r.verdict}, {"comment", r.comment},      {"at_ms", r.created_at}};
}

nlohmann::json ReviewPageJson(const Project& project, const ReviewPage& page) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ReviewRow& row : page.rows) {
    nlohmann::json reviews = nlohmann::json::array();
    for (const Review& r : row.reviews) reviews.push_back(ReviewJson(r));
    nlohmann::json prediction = nullptr;
    if (row.prediction) {
      prediction = {{"label", row.prediction->label},
                    {"confidence", row.prediction->confidence},
                    {"model", row.prediction->model_version}};
    }
    rows.push_back({{"answer", row.answer.id},
                    {"item", {{"id", row.item_id}, {"text", row.text}}},
                    {"annotator", row.answer.annotator},
                    {"labels", row.answer.labels},
                    {"kind", row.answer.kind},
                    {"at_ms", row.answer.created_at},
                    {"time_spent_ms", row.answer.time_spent_ms},
                    {"prediction", prediction},
                    {"reviews", reviews}});
  }
  nlohmann::json out = {{"project", project.name}, {"answers", rows}};
  out["next_cursor"] =
      page.next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page.next_cursor);
  return out;
}

}  // namespace hitloop::loop
