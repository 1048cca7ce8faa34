// PgStore: verdicts on people's answers and the rework they send back (migration 4). See the
// "reviews of people's answers" section of store/store.h.
#include "store/backend_rules.h"
#include "store/postgres/pg_clock.h"
#include "store/postgres/pg_labels.h"
#include "store/postgres/pg_store.h"

namespace hitloop::pg {

namespace {

constexpr const char* kReviewColumns =
    "id, project_id, annotation_id, item_id, annotator, reviewer, verdict, comment, created_at";

Review ReadReview(const PgRows& r, int i) {
  Review v;
  v.id = r.Int(i, 0);
  v.project_id = r.Int(i, 1);
  v.annotation_id = r.Int(i, 2);
  v.item_id = r.Int(i, 3);
  v.annotator = r.Text(i, 4);
  v.reviewer = r.Text(i, 5);
  v.verdict = r.Text(i, 6);
  v.comment = r.Text(i, 7);
  v.created_at = r.Int(i, 8);
  return v;
}

}  // namespace

Result<int64_t> PgStore::PutReview(const Review& r) {
  RETURN_IF_ERROR(CheckVerdict(r.verdict));
  RETURN_IF_ERROR(CheckText("reviewer", r.reviewer));
  RETURN_IF_ERROR(CheckText("comment", r.comment));
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(r.annotation_id).Add(r.project_id);
    PgRows a;
    RETURN_IF_ERROR(Query("SELECT a.item_id, a.annotator, a.source, a.kind, i.hold FROM annotations a JOIN items i"
                          " ON i.id=a.item_id WHERE a.id=$1 AND a.project_id=$2",
                          p, &a, "read answer"));
    if (a.rows() == 0) return NotFound("answer " + std::to_string(r.annotation_id) + " not found");
    const std::string source = a.Text(0, 2), kind = a.Text(0, 3);
    RETURN_IF_ERROR(CheckReviewable(r.annotation_id, source, kind));
    if (!a.IsNull(0, 4)) return Conflict("item is " + a.Text(0, 4) + ": its answers are not reviewed");
    const int64_t item_id = a.Int(0, 0);
    const std::string annotator = a.Text(0, 1);
    if (annotator == r.reviewer) return Conflict("a reviewer cannot review their own answer");
    PgParams ins;
    ins.Add(r.project_id).Add(r.annotation_id).Add(item_id).Add(annotator).Add(r.reviewer).Add(r.verdict);
    ins.Add(r.comment).Add(r.created_at ? r.created_at : Now());
    PgRows out;
    RETURN_IF_ERROR(Query("INSERT INTO reviews(project_id, annotation_id, item_id, annotator, reviewer, verdict,"
                          " comment, created_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
                          ins, &out, "insert review"));
    id = out.Int(0, 0);
    if (r.verdict != "reject") return Status::Ok();
    if (kind == "answer") {
      // An imported answer's annotator need not be a user: nobody could claim their rework, so
      // none is queued (the rejected answer just stops counting).
      PgParams u;
      u.Add(annotator);
      PgRows user;
      RETURN_IF_ERROR(Query("SELECT 1 FROM users WHERE name=$1", u, &user, "read user"));
      if (user.rows() == 0) return Status::Ok();
    }
    return Enqueue(ReworkEntry(r.project_id, item_id, annotator)).status();
  });
  if (!st.ok()) return st;
  return id;
}

Result<std::vector<Review>> PgStore::ListReviews(int64_t project_id, int64_t item_id) {
  PgParams p;
  p.Add(project_id).Add(item_id);
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kReviewColumns +
                            " FROM reviews WHERE project_id=$1 AND ($2::bigint=0 OR item_id=$2::bigint) ORDER BY id",
                        p, &r, "list reviews"));
  std::vector<Review> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(ReadReview(r, i));
  return out;
}

Result<std::vector<ReviewCandidate>> PgStore::ListAnswersForReview(int64_t project_id, const ReviewQuery& q) {
  RETURN_IF_ERROR(CheckText("annotator", q.annotator));
  const std::string key = q.sampled ? "(((a.id + $3::bigint) * 2654435761) % 1000003)" : "(a.id + 0 * $3::bigint)";
  const std::string sql =
      "SELECT * FROM (SELECT a.id, a.item_id, a.labels, a.annotator, a.confidence, a.time_spent_ms, a.kind,"
      " a.created_at, " + key + " AS k FROM annotations a JOIN items i ON i.id=a.item_id"
      " WHERE a.project_id=$1 AND a.source='human' AND a.kind IN " + kReviewableKindsSql +
      " AND (i.hold IS NULL OR i.hold<>'deleted')"
      " AND ($2::text='' OR a.annotator=$2::text)"
      // The newest answer per (item, annotator): an amended or reworked answer replaces the earlier one.
      " AND NOT EXISTS (SELECT 1 FROM annotations n WHERE n.item_id=a.item_id AND n.annotator=a.annotator"
      "   AND n.id>a.id AND n.source='human' AND n.kind IN " + kReviewableKindsSql + ")"
      " AND (NOT $6::boolean OR NOT EXISTS (SELECT 1 FROM reviews r WHERE r.annotation_id=a.id))) s"
      " WHERE (s.k>$4::bigint OR (s.k=$4::bigint AND s.id>$5::bigint)) ORDER BY s.k, s.id LIMIT $7::bigint";
  PgParams p;
  p.Add(project_id).Add(q.annotator).Add(q.sampled ? ((q.seed % 1000003) + 1000003) % 1000003 : int64_t{0});
  p.Add(q.after_key).Add(q.after_id).Add(q.unreviewed).Add(static_cast<int64_t>(q.limit));
  PgRows r;
  RETURN_IF_ERROR(Query(sql, p, &r, "list answers for review"));
  std::vector<ReviewCandidate> out;
  for (int i = 0; i < r.rows(); ++i) {
    ReviewCandidate c;
    Annotation& a = c.answer;
    a.id = r.Int(i, 0);
    a.item_id = r.Int(i, 1);
    a.labels = LabelsFromJson(r.Text(i, 2));
    a.source = LabelSource::kHuman;
    a.annotator = r.Text(i, 3);
    if (!r.IsNull(i, 4)) a.confidence = r.Double(i, 4);
    a.time_spent_ms = r.Int(i, 5);
    a.kind = r.Text(i, 6);
    a.created_at = r.Int(i, 7);
    c.key = r.Int(i, 8);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace hitloop::pg
