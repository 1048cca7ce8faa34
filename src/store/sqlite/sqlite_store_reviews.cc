// SqliteStore: verdicts on people's answers and the rework they send back (migration 12). See
// the "reviews of people's answers" section of store/store.h.
#include "store/backend_rules.h"
#include "store/sqlite/prepare.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_internal.h"

namespace hitloop::sqlite {

namespace {

Review ReadReview(const Stmt& s) {
  Review r;
  r.id = s.Int(0);
  r.project_id = s.Int(1);
  r.annotation_id = s.Int(2);
  r.item_id = s.Int(3);
  r.annotator = s.Text(4);
  r.reviewer = s.Text(5);
  r.verdict = s.Text(6);
  r.comment = s.Text(7);
  r.created_at = s.Int(8);
  return r;
}

constexpr const char* kReviewColumns =
    "id, project_id, annotation_id, item_id, annotator, reviewer, verdict, comment, created_at";

}  // namespace

Result<int64_t> SqliteStore::PutReview(const Review& r) {
  RETURN_IF_ERROR(CheckVerdict(r.verdict));
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    int64_t item_id = 0;
    std::string annotator, pool, kind;
    {
      PREPARE(s,
              "SELECT a.item_id, a.annotator, a.source, a.kind, i.hold FROM annotations a JOIN items i"
              " ON i.id=a.item_id WHERE a.id=? AND a.project_id=?");
      s.Bind(1, r.annotation_id).Bind(2, r.project_id);
      const int rc = s.Step();
      if (rc == SQLITE_DONE) return NotFound("answer " + std::to_string(r.annotation_id) + " not found");
      if (rc != SQLITE_ROW) return Error("read answer");
      kind = s.Text(3);
      RETURN_IF_ERROR(CheckReviewable(r.annotation_id, s.Text(2), kind));
      if (!s.IsNull(4)) return Conflict("item is " + s.Text(4) + ": its answers are not reviewed");
      item_id = s.Int(0);
      annotator = s.Text(1);
    }
    if (annotator == r.reviewer) return Conflict("a reviewer cannot review their own answer");
    {
      PREPARE(s,
              "INSERT INTO reviews(project_id, annotation_id, item_id, annotator, reviewer, verdict, comment,"
              " created_at) VALUES(?,?,?,?,?,?,?,?)");
      s.Bind(1, r.project_id).Bind(2, r.annotation_id).Bind(3, item_id).Bind(4, annotator).Bind(5, r.reviewer);
      s.Bind(6, r.verdict).Bind(7, r.comment).Bind(8, r.created_at ? r.created_at : Now());
      if (s.Step() != SQLITE_DONE) return Error("insert review");
      id = sqlite3_last_insert_rowid(db_);
    }
    if (r.verdict != "reject") return Status::Ok();
    if (kind == "answer") {
      // An imported answer's annotator need not be a user: nobody could claim their rework, so
      // none is queued (the rejected answer just stops counting).
      PREPARE(s, "SELECT 1 FROM users WHERE name=?");
      s.Bind(1, annotator);
      const int rc = s.Step();
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return Error("read user");
    }
    return Enqueue(ReworkEntry(r.project_id, item_id, annotator)).status();
  });
  if (!st.ok()) return st;
  return id;
}

Result<std::vector<Review>> SqliteStore::ListReviews(int64_t project_id, int64_t item_id) {
  std::vector<Review> out;
  PREPARE(s, std::string("SELECT ") + kReviewColumns +
                 " FROM reviews WHERE project_id=?1 AND (?2=0 OR item_id=?2) ORDER BY id");
  s.Bind(1, project_id).Bind(2, item_id);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadReview(s));
  if (rc != SQLITE_DONE) return Error("list reviews");
  return out;
}

Result<std::vector<ReviewCandidate>> SqliteStore::ListAnswersForReview(int64_t project_id, const ReviewQuery& q) {
  const std::string key = q.sampled ? "(((a.id + ?3) * 2654435761) % 1000003)" : "a.id";
  const std::string sql =
      "SELECT a.id, a.item_id, a.labels, a.source, a.annotator, a.confidence, a.time_spent_ms, a.kind,"
      " a.created_at, " + key + " AS k FROM annotations a JOIN items i ON i.id=a.item_id"
      " WHERE a.project_id=?1 AND a.source='human' AND a.kind IN " + kReviewableKindsSql +
      " AND (i.hold IS NULL OR i.hold!='deleted')"
      " AND (?2='' OR a.annotator=?2)"
      " AND (k>?4 OR (k=?4 AND a.id>?5))"
      // The newest answer per (item, annotator): an amended or reworked answer replaces the earlier one.
      " AND NOT EXISTS (SELECT 1 FROM annotations n WHERE n.item_id=a.item_id AND n.annotator=a.annotator"
      "   AND n.id>a.id AND n.source='human' AND n.kind IN " + kReviewableKindsSql + ")"
      " AND (?6=0 OR NOT EXISTS (SELECT 1 FROM reviews r WHERE r.annotation_id=a.id))"
      " ORDER BY k, a.id LIMIT ?7";
  PREPARE(s, sql);
  s.Bind(1, project_id).Bind(2, q.annotator).Bind(3, q.sampled ? ((q.seed % 1000003) + 1000003) % 1000003 : int64_t{0});
  s.Bind(4, q.after_key).Bind(5, q.after_id).Bind(6, static_cast<int64_t>(q.unreviewed ? 1 : 0));
  s.Bind(7, static_cast<int64_t>(q.limit));
  std::vector<ReviewCandidate> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ReviewCandidate c;
    Annotation& a = c.answer;
    a.id = s.Int(0);
    a.item_id = s.Int(1);
    a.labels = LabelsFromJson(s.Text(2));
    a.source = LabelSource::kHuman;
    a.annotator = s.Text(4);
    if (!s.IsNull(5)) a.confidence = s.Double(5);
    a.time_spent_ms = s.Int(6);
    a.kind = s.Text(7);
    a.created_at = s.Int(8);
    c.key = s.Int(9);
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) return Error("list answers for review");
  return out;
}

}  // namespace hitloop::sqlite
