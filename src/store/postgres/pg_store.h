#pragma once
// PostgreSQL implementation of Store (libpq). Internal to store/: other modules use
// store/open.h (OpenStore) and store/store.h.
//
// One PgStore is one connection; not thread-safe. Statements are prepared once per connection
// (PQprepare) and always run with bound parameters. Transactions are READ COMMITTED (the
// outermost Begin()), nested ones SAVEPOINTs, read snapshots REPEATABLE READ READ ONLY.
// Claims are exact across connections and processes: see Claim in pg_store_queue.cc.
// Errors: SQLSTATE class 23 (unique) -> AlreadyExists, lock timeout / deadlock / serialization
// failure -> Conflict, disk full -> FailedPrecondition, anything else -> IoError; a lost
// connection poisons the store (fail-stop), as a failed commit does.
#include <cstdint>
#include <string>
#include <unordered_map>

#include "store/open.h"
#include "store/operations.h"
#include "store/postgres/pg_conn.h"
#include "store/item_query.h"
#include "store/store.h"

namespace hitloop::pg {

class PgStore final : public Store {
 public:
  ~PgStore() override;
  static Result<std::unique_ptr<PgStore>> Open(const std::string& conninfo, OpenMode mode);

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  Status BeginRead() override;
  Status EndRead() override;
  void SetLockWait(int64_t ms) override;

  Result<Project> CreateProject(const Project& p) override;
  Result<Project> GetProject(const std::string& name) override;
  Result<Project> GetProjectById(int64_t id) override;
  Result<std::vector<Project>> ListProjects() override;
  Status AddLabel(int64_t project_id, const std::string& label) override;
  Status SetProjectConfig(int64_t project_id, const std::string& config_json) override;

  Result<PutItemResult> PutItem(const Item& item, const std::string& import_tag, int64_t* id) override;
  Result<std::vector<PutItemOutcome>> PutItems(std::span<const Item> items,
                                               const std::string& import_tag) override;
  Result<Item> GetItem(int64_t item_id) override;
  Result<std::optional<Item>> FindItem(int64_t project_id, const std::string& external_id) override;
  Status ScanItems(int64_t project_id, const std::function<bool(const Item&)>& fn,
                   bool with_vectors, bool with_quarantined) override;
  Status SetItemHold(int64_t project_id, const std::string& external_id, ItemHold hold) override;
  Status SetItemState(int64_t item_id, ItemState state) override;

  Result<int64_t> AppendAnnotation(const Annotation& a) override;
  Result<std::vector<Annotation>> ListAnnotations(int64_t item_id) override;
  Status ScanAnnotations(int64_t project_id, const std::function<bool(const Annotation&)>& fn,
                         int64_t after_id = 0) override;

  Status PutPrediction(const Prediction& p) override;
  Status PutPredictions(std::span<const Prediction> ps) override;
  Status StagePredictions(int64_t project_id, const std::string& model_version, int64_t now) override;
  Status PublishPredictions(int64_t project_id, const std::string& model_version) override;
  Result<int64_t> DropStagedPredictions(int64_t project_id, int64_t chunk) override;
  Result<std::optional<Prediction>> LatestPrediction(int64_t item_id) override;
  Status ScanLatestPredictions(int64_t project_id, int64_t after_item_id,
                               const std::function<bool(const Prediction&)>& fn) override;

  Result<int64_t> Enqueue(const QueueEntry& e) override;
  Status ClearQueue(int64_t project_id, const std::string& kind) override;
  Status CloseItemEntries(int64_t item_id) override;
  Result<std::optional<ClaimResult>> Claim(const ClaimRequest& req) override;
  Result<int64_t> EnsureGoldQueue(int64_t project_id) override;
  Status PutGoldAnswer(int64_t project_id, int64_t item_id, const std::string& annotator, bool correct,
                       int64_t now) override;
  Result<std::vector<GoldScore>> GoldScores(int64_t project_id, const std::string& annotator) override;
  Result<int64_t> ClearGoldScores(int64_t project_id, const std::string& annotator) override;
  Result<int64_t> PutReview(const Review& r) override;
  Result<std::vector<Review>> ListReviews(int64_t project_id, int64_t item_id) override;
  Result<std::vector<ReviewCandidate>> ListAnswersForReview(int64_t project_id, const ReviewQuery& q) override;
  Result<Lease> GetLease(const std::string& lease_id) override;
  Status FinishLease(const std::string& lease_id, const std::string& annotator,
                     LeaseState new_state, int64_t now) override;

  Result<ProjectStatus> GetStatus(int64_t project_id) override;
  Status CheckIntegrity() override;

  // ---- users and sessions (server): pg_store_auth.cc ----
  Result<User> CreateUser(const User& u, const std::string& token_hash) override;
  Status SetUserToken(int64_t user_id, const std::string& token_hash) override;
  Status SetUserDisabled(int64_t user_id, bool disabled) override;
  Result<std::optional<User>> FindUserByTokenHash(const std::string& token_hash) override;
  Result<std::optional<User>> FindUserByName(const std::string& name) override;
  Result<std::vector<User>> ListUsers() override;
  Status AddMember(int64_t project_id, int64_t user_id) override;
  Result<std::vector<int64_t>> ListMemberProjects(int64_t user_id) override;
  Result<bool> IsMember(int64_t project_id, int64_t user_id) override;
  Status CreateSession(const std::string& session_hash, int64_t user_id, int64_t now,
                       int64_t expires_at) override;
  Result<std::optional<User>> FindSession(const std::string& session_hash, int64_t now) override;
  Status DeleteSession(const std::string& session_hash) override;
  Result<std::optional<IdempotentResponse>> GetIdempotent(int64_t user_id, const std::string& key) override;
  Status PutIdempotent(int64_t user_id, const std::string& key, const IdempotentResponse& r,
                       int64_t now) override;
  Result<std::map<std::pair<std::string, std::string>, int64_t>> QueueCounts(int64_t project_id) override;
  Result<std::vector<Lease>> ListSubmittedLeases(int64_t project_id, const std::string& annotator,
                                                 int limit) override;
  Result<int64_t> CountOpenQueue(int64_t project_id, const std::vector<std::string>& pools) override;

  // ---- cycles, detections, holds: pg_store_cycles.cc ----
  Result<int64_t> AppendCycle(int64_t project_id, int64_t created_at,
                              const std::string& record_json) override;
  Result<std::vector<CycleRow>> ListCycles(int64_t project_id) override;
  Status ScanOpenQueue(int64_t project_id, const std::function<bool(const QueueEntry&)>& fn) override;
  Result<std::optional<QueueEntry>> LatestQueueEntry(int64_t item_id, const std::string& kind) override;
  Status WithdrawAutoLabel(int64_t item_id) override;
  Status PutDetections(std::span<const Detection> detections) override;
  Status ScanDetections(int64_t project_id, const std::function<bool(const Detection&)>& fn) override;
  Result<std::vector<Detection>> ItemDetections(int64_t item_id) override;

  // ---- the data browser (store/item_query.h): pg_store_browse.cc ----
  Result<ItemPage> QueryItems(const ItemQuery& q);
  Result<ItemHistory> GetItemHistory(int64_t item_id);
  Status SetItemSplit(int64_t item_id, Split split);

  // ---- operations (store/operations.h): pg_store_ops.cc ----
  Result<std::unique_ptr<CycleLock>> LockCycle(int64_t project_id, const std::string& project_name,
                                               bool wait);
  Status Ping(int64_t timeout_ms);
  Status SetStatementTimeout(int64_t ms);
  // Releases a cycle lock LockCycle took on this connection (its guard's destructor).
  Status UnlockCycle(int64_t project_id);

  // Runs `sql` (no parameters, possibly several statements) outside the statement cache.
  Status ExecScript(const char* sql, const char* what);
  // Runs a cached prepared statement with `params`; rows (if any) in *out.
  Status Query(const std::string& sql, const PgParams& params, PgRows* out, const char* what);
  Status Query(const std::string& sql, const PgParams& params, const char* what) {
    return Query(sql, params, nullptr, what);
  }
  // Keyset paging: `sql` takes $1 = project_id and $2 = the last key seen and ends in
  // "ORDER BY <key> LIMIT <kScanPage>"; runs it page by page from `after`, hands each row
  // (read(rows, i)) to `fn` until fn returns false, and takes the next page after key(row).
  static constexpr int kScanPage = 2000;
  template <class Row, class Read, class Key>
  Status ScanPages(const std::string& sql, int64_t project_id, int64_t after, const char* what,
                   Read read, Key key, const std::function<bool(const Row&)>& fn) {
    for (;;) {
      PgParams p;
      p.Add(project_id).Add(after);
      PgRows r;
      RETURN_IF_ERROR(Query(sql, p, &r, what));
      for (int i = 0; i < r.rows(); ++i) {
        Row row = read(r, i);
        after = key(row);
        if (!fn(row)) return Status::Ok();
      }
      if (r.rows() < kScanPage) return Status::Ok();
    }
  }
  // Runs `sql` (no parameters; for statements PostgreSQL does not prepare, such as FETCH)
  // outside the statement cache; rows in *out.
  Status ExecRows(const char* sql, PgRows* out, const char* what);
  // The location for messages (password removed).
  const std::string& where() const { return where_; }

 private:
  PgStore() = default;
  Status ErrorFrom(const PGresult* r, const char* what);
  Status CheckWritable() const;
  Status Abandoned();
  // A write method's body in its own transaction (a SAVEPOINT inside an open one).
  Status AutoTxn(const std::function<Status()>& fn);
  // One-statement write methods: no savepoint inside an open transaction (bulk imports). A
  // failure there leaves PostgreSQL's transaction aborted: the store then refuses the rest of
  // it and its Commit() (IoError), as SQLite's abandoned transactions.
  Status AutoTxnOneStatement(const std::function<Status()>& fn);
  Status Migrate(OpenMode mode);
  Result<Project> LoadProject(const PgRows& rows, int row);
  Result<std::optional<User>> ReadUser(const PgRows& rows);

  PGconn* conn_ = nullptr;
  std::string where_;
  int depth_ = 0;
  int read_depth_ = 0;
  bool read_txn_ = false;
  bool poisoned_ = false;
  // The length of the project's stored vectors (0: none yet); cached in vector_dims_.
  Result<int64_t> ProjectVectorLength(int64_t project_id);
  std::unordered_map<int64_t, int64_t> vector_dims_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

}  // namespace hitloop::pg
