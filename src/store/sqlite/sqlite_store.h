#pragma once
// SQLite implementation of Store. Internal to store/: other modules use store/store.h.
// WAL, synchronous=FULL, foreign keys on, a lock wait of 10 s (polled every millisecond). Prepared statements are cached per
// connection. Not thread-safe (one connection).
#include <sqlite3.h>

#include <chrono>
#include <string>
#include <unordered_map>

#include "store/open.h"
#include "store/item_query.h"
#include "store/store.h"

namespace hitloop::sqlite {

// RAII wrapper for a cached statement: resets and clears bindings on scope exit.
class Stmt {
 public:
  // `owned`: finalize on scope exit (one-off statements); otherwise reset (cached ones).
  explicit Stmt(sqlite3_stmt* s, bool owned = false) : s_(s), owned_(owned) {}
  ~Stmt() {
    if (s_ == nullptr) return;
    if (owned_) {
      sqlite3_finalize(s_);
    } else {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return s_; }
  Stmt& Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& Bind(int i, double v) { sqlite3_bind_double(s_, i, v); return *this; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindStatic(int i, std::string_view v) {  // caller keeps `v` alive until the step
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& BindBlob(int i, const void* p, size_t n) {
    sqlite3_bind_blob(s_, i, p, static_cast<int>(n), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) { sqlite3_bind_null(s_, i); return *this; }
  int Step() { return sqlite3_step(s_); }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  double Double(int c) const { return sqlite3_column_double(s_, c); }
  bool IsNull(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string Text(int c) const {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s_, c)) : std::string();
  }

 private:
  sqlite3_stmt* s_;
  bool owned_;
};

// Row readers shared by the store's files. LeaseFromRow: columns id, item_id, project_id,
// annotator, pool, kind, created_at, expires_at, state. PredictionFromRow: item_id,
// model_version, label, confidence, distribution (blob of doubles, may be NULL), created_at.
Result<Lease> LeaseFromRow(const Stmt& s);
Prediction PredictionFromRow(const Stmt& s);

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override;
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   OpenMode mode = OpenMode::kCreateIfMissing);

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

  // ---- users and sessions (server): sqlite_store_auth.cc ----
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
  // ---- end users and sessions (server) ----

  // ---- cycles and loop support (loop/): sqlite_store_cycles.cc ----
  Result<int64_t> AppendCycle(int64_t project_id, int64_t created_at,
                              const std::string& record_json) override;
  Result<std::vector<CycleRow>> ListCycles(int64_t project_id) override;
  Status ScanOpenQueue(int64_t project_id, const std::function<bool(const QueueEntry&)>& fn) override;
  Result<std::optional<QueueEntry>> LatestQueueEntry(int64_t item_id, const std::string& kind) override;
  Status WithdrawAutoLabel(int64_t item_id) override;
  // ---- end cycles and loop support ----

  // ---- detections (autolabel/): sqlite_store_detections.cc ----
  Status PutDetections(std::span<const Detection> detections) override;
  Status ScanDetections(int64_t project_id, const std::function<bool(const Detection&)>& fn) override;
  Result<std::vector<Detection>> ItemDetections(int64_t item_id) override;
  // ---- end detections ----

  // ---- the data browser (store/item_query.h): sqlite_store_browse.cc ----
  Result<ItemPage> QueryItems(const ItemQuery& q);
  Result<ItemHistory> GetItemHistory(int64_t item_id);
  Status SetItemSplit(int64_t item_id, Split split);

  sqlite3* db() { return db_; }

 private:
  SqliteStore() = default;
  Status Exec(const char* sql);
  // Returns a cached prepared statement for `sql` (nullptr + sets *st on error).
  sqlite3_stmt* Prepare(const std::string& sql, Status* st);
  Status Error(const std::string& what) const;
  Status CheckWritable() const;
  Status Abandoned();  // marks the store poisoned; the error for an abandoned transaction
  // Runs a write method's body in its own transaction: a real one, or a savepoint when an
  // explicit transaction is open (so a failing method leaves the enclosing one untouched).
  Status AutoTxn(const std::function<Status()>& fn);
  // For write methods whose writes are ONE statement (SQLite makes a statement atomic on its
  // own): no savepoint inside an open transaction, which keeps bulk imports (millions of
  // PutItem calls in one transaction) from paying a savepoint each.
  Status AutoTxnOneStatement(const std::function<Status()>& fn);
  // Runs a cached one-statement command (transaction control) to completion.
  Status Run(const std::string& sql);
  // True while the database has an open transaction (SQLite may end one on its own on errors).
  bool DbInTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  Status Migrate();
  // Refuses foreign, negative-version and newer-version files (see OpenSqliteStore).
  Status CheckIdentity(OpenMode mode);
  Result<Project> LoadProject(Stmt& s);
  Item ReadItem(Stmt& s, bool with_vectors) const;
  Result<std::optional<User>> ReadUser(Stmt& s);  // sqlite_store_auth.cc

  sqlite3* db_ = nullptr;
  // How long a write waits for another connection's lock (SetLockWait), and when this wait began:
  // the busy handler (sqlite_store.cc, PollForLock) polls every millisecond until then.
  struct LockWait {
    int64_t ms = 10000;
    std::chrono::steady_clock::time_point since{};
  } lock_wait_;
  static int PollForLock(void* lock_wait, int count);
  std::string path_;
  int depth_ = 0;  // open Begin()s: 0 none, 1 the real transaction, >1 savepoints
  int read_depth_ = 0;  // open BeginRead()s
  bool read_txn_ = false;  // the outermost BeginRead() opened a deferred transaction
  bool poisoned_ = false;
  // Vector length per project, as far as this connection has seen (PutItem's check); forgotten
  // on every rollback.
  std::unordered_map<int64_t, int64_t> vector_dims_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace hitloop::sqlite
