#pragma once
// Store: the only place hitloop's data lives. SQL exists only below this interface.
//
// Threading: a Store object is one database connection and is NOT thread-safe; give each thread
// its own (Store::Open the same path again). Several connections/processes may share a database;
// claims are atomic across them.
//
// Durability: every method that returns OK after a write has committed it durably (SQLite:
// WAL + synchronous=FULL) unless it runs inside an explicit Begin()/Commit() pair, in which case
// the outermost Commit() is the durability point. After a failed commit the store is poisoned
// (fail-stop): every further write returns FailedPrecondition until the process reopens it.
//
// Atomicity: every write method is all-or-nothing, also inside an enclosing transaction (it runs
// in its own nested transaction), so a method that fails leaves the enclosing one as it was.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "schema/types.h"

namespace hitloop {

// Counts for `hitloop status`.
struct ProjectStatus {
  int64_t items = 0;
  std::map<std::string, int64_t> by_state;         // ItemStateName -> count
  std::map<std::string, int64_t> by_label_source;  // LabelSourceName -> items whose current label has it
  std::map<std::string, int64_t> by_split;         // pool | gold
  std::map<std::string, int64_t> by_label;         // current label -> count
  int64_t predictions = 0;                         // items with at least one prediction
  int64_t annotations = 0;                         // rows in the annotation history
  int64_t queued = 0;                              // open queue entries
  int64_t active_leases = 0;
  int64_t quarantined = 0;                         // items out of the loop (not in the counts above)
  int64_t deleted = 0;
};

// Outcome of PutItem.
enum class PutItemResult { kInserted, kExisting, kDuplicateInImport };

// Outcome of one item of PutItems: what PutItem would have returned for it, or the refusal
// (InvalidArgument: a NUL in a text, a vector of the wrong length) that PutItem would have given.
struct PutItemOutcome {
  Status status;
  PutItemResult result = PutItemResult::kInserted;
  int64_t id = 0;
};

// A queue entry: work for people.
struct QueueEntry {
  int64_t id = 0;
  int64_t project_id = 0;
  int64_t item_id = 0;
  std::string pool = "general";
  std::string kind = "review";  // review | audit | adjudicate
  double priority = 0.0;        // higher is served first (the AL score)
  int overlap = 1;              // annotators wanted
  int done = 0;                 // submitted so far
  // Why the entry is there, for the person who gets it (written by the loop; "" = not given):
  // uncertain | novel | new-class | requeued | seed | audit | audit-stratified | disagreement.
  std::string reason;
};

struct ClaimRequest {
  int64_t project_id = 0;
  std::string annotator;
  std::vector<std::string> pools;     // pools this annotator serves
  std::vector<std::string> kinds;     // empty = any kind
  int64_t now = 0;
  int64_t ttl_ms = 10 * 60 * 1000;
  // The new lease's id; empty = the store makes one (TimeOrderedId). The server makes it on the
  // request's own thread: the CSPRNG's system call then stays out of the one writer thread.
  std::string lease_id;
  std::vector<std::string> exclude_kinds;  // entries of these kinds are passed over
  // Non-empty: claim a gold question instead (an open entry of pool kGoldPool: a gold item with
  // a known answer this annotator has not answered or skipped; `pools`, `kinds` and
  // `exclude_kinds` are ignored). The lease is made in this pool with kind "gold", so what the
  // annotator is shown (loop/gold.h) can look like any review task of the pool.
  std::string gold_for_pool;
  // True: claim only this annotator's rework (pool kReworkPool, kind ReworkKind(annotator);
  // `pools`, `kinds` and `exclude_kinds` are ignored). The lease has kind "rework".
  bool rework_only = false;
};

// ---- gold questions (loop/gold.h) ----
// The pool under which gold questions wait: one open review entry per gold item with a known
// answer (Store::EnsureGoldQueue), handed out only through ClaimRequest::gold_for_pool. It is no
// person's pool (user pools may not be named so) and ClearQueue leaves its entries alone.
inline constexpr char kGoldPool[] = "_gold";
// A gold entry's overlap: every annotator may answer each gold question once.
inline constexpr int kGoldOverlap = 1000000000;

// One annotator's answers to gold questions in a project, as routing counts them: the newest
// answer per gold item, given since the last ClearGoldScores.
struct GoldScore {
  std::string annotator;
  int64_t answered = 0;
  int64_t correct = 0;
};

struct ClaimResult {
  Lease lease;
  QueueEntry entry;
};

// ---- reviews of people's answers (loop/review.h) ----
// A rejected answer goes back to its annotator as an open entry of the reserved pool kReworkPool
// whose kind is ReworkKind(annotator): only a claim by that annotator (ClaimRequest::rework_only)
// reaches it, and its lease has kind "rework". No user may have kReworkPool among their pools.
inline constexpr char kReworkPool[] = "_rework";
inline std::string ReworkKind(const std::string& annotator) { return "rework:" + annotator; }

// One verdict on one answer (an annotation by a person). Append-only, like the annotations.
struct Review {
  int64_t id = 0;
  int64_t project_id = 0;
  int64_t annotation_id = 0;
  int64_t item_id = 0;    // the answer's item (filled by the store)
  std::string annotator;  // whose answer (filled by the store)
  std::string reviewer;
  std::string verdict;    // approve | reject
  std::string comment;
  int64_t created_at = 0;
};

// Which answers a reviewer is shown (Store::ListAnswersForReview). Answers are annotations by
// people (source human) of kind review, adjudicate or rework, given in the app, or of kind answer,
// imported from files (JSONL `annotations`, --format answers, Label Studio annotations): the
// newest per (item, annotator), on items not deleted. Not gold questions, audits (source audit),
// an item's own imported label (kind import) or machine labels (docs/SERVER.md, "Reviewing answers").
struct ReviewQuery {
  std::string annotator;  // only this person's answers ("" = everyone's)
  bool unreviewed = false;  // only answers with no verdict yet
  // Sampled: ordered by a seeded pseudo-random key (((id + seed) * 2654435761) mod 1000003) instead
  // of the id, so the first n rows are a seeded random sample of size n.
  bool sampled = false;
  int64_t seed = 0;
  // Keyset cursor: the (key, id) of the previous page's last row; rows after it come next.
  int64_t after_key = -1, after_id = 0;
  int limit = 50;
};
struct ReviewCandidate {
  Annotation answer;
  int64_t key = 0;  // its sort key: the sample key when sampled, else its id
};

// ---- users and sessions ----
enum class Role { kAnnotator, kReviewer, kAdmin };  // ordered: each role can do what the lower can
const char* RoleName(Role r);                       // "annotator" | "reviewer" | "admin"
Result<Role> ParseRole(std::string_view s);

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kAnnotator;
  std::vector<std::string> pools = {"general"};
  int64_t created_at = 0;
  bool disabled = false;
};

// A stored response for an Idempotency-Key (scoped to one user).
struct IdempotentResponse {
  std::string fingerprint;  // what the request was (e.g. "submit:<lease>:<labels>")
  int status = 0;
  std::string body;
};
// ---- cycles ----
// One recorded cycle of the loop (loop/cycle.h writes the JSON record; the store keeps it as is).
struct CycleRow {
  int64_t project_id = 0;
  int64_t cycle = 0;       // 1, 2, ... per project
  int64_t created_at = 0;  // ms since epoch
  std::string record_json;
};

class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Transactions nest. The outermost Begin() starts a real transaction (BEGIN IMMEDIATE on
  // SQLite: it takes the write lock) and its Commit() is the durability point. A Begin() inside
  // an open transaction starts a nested one (a SAVEPOINT): its Commit() merges its writes into
  // the enclosing transaction (nothing is durable yet) and its Rollback() undoes only the writes
  // made since that Begin(). Every Begin() that returned OK must be ended by exactly one
  // Commit() or Rollback(), innermost first.
  // Errors: Begin() on a poisoned store is FailedPrecondition; a failed outermost Commit()
  // rolls the whole transaction back and poisons the store (fail-stop). If the database
  // abandoned the transaction on its own (SQLite does on some I/O errors), the store is poisoned
  // and the outermost Commit() returns IoError: nothing of it is durable.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;  // ends the innermost transaction; no-op outside one
  // Runs `fn` in one (possibly nested) transaction: commits if it returns OK, rolls back
  // otherwise and returns fn's error.
  Status InTransaction(const std::function<Status()>& fn);

  // A read snapshot: the reads between BeginRead() and EndRead() see one consistent state of
  // the database and pay for opening a read transaction once instead of once per statement
  // (on SQLite in WAL mode every new read transaction after someone else's commit also drops
  // the connection's page cache). Writes inside a snapshot are refused (Begin() is
  // FailedPrecondition). Inside a write transaction both are no-ops (it is one snapshot
  // already). Snapshots nest; only the outermost EndRead() ends it.
  virtual Status BeginRead() = 0;
  virtual Status EndRead() = 0;
  // Runs `fn` in a read snapshot and returns fn's status (or the snapshot's error).
  Status InReadSnapshot(const std::function<Status()>& fn);
  // How long a write waits for another connection's write lock before it is refused (Conflict).
  // Default 10 s.
  virtual void SetLockWait(int64_t ms) = 0;
  // The clock for the times a caller does not give: a row's created_at left 0, when an entry was
  // queued, when a hold released a lease, which leases GetStatus counts as active. Methods that
  // take `now` use it instead. SystemClock by default; a test sets a FakeClock to move time. Not
  // owned: it must outlive the store.
  void SetClock(const Clock* clock) { clock_ = clock; }

  // ---- projects ----
  virtual Result<Project> CreateProject(const Project& p) = 0;  // AlreadyExists on name clash
  virtual Result<Project> GetProject(const std::string& name) = 0;
  virtual Result<Project> GetProjectById(int64_t id) = 0;
  virtual Result<std::vector<Project>> ListProjects() = 0;
  // Appends `label` to the label set (novel class). AlreadyExists if present.
  virtual Status AddLabel(int64_t project_id, const std::string& label) = 0;
  virtual Status SetProjectConfig(int64_t project_id, const std::string& config_json) = 0;

  // ---- items ----
  // Inserts `item` (id ignored) unless (project, external_id) exists. `import_tag` names the
  // current import: a clash with a row written under the same tag is kDuplicateInImport.
  // On kInserted, *id receives the new item id; on kExisting, the existing one.
  virtual Result<PutItemResult> PutItem(const Item& item, const std::string& import_tag,
                                        int64_t* id) = 0;
  // PutItem for each of `items` in order, with the same outcomes (a later copy of an id earlier
  // in the same import, this batch included, is kDuplicateInImport), in as few round trips as
  // the backend can (PostgreSQL: one multi-row INSERT). An item PutItem would refuse gets its
  // InvalidArgument in its outcome and nothing is written for it; any other error fails the
  // call. The default calls PutItem one by one.
  virtual Result<std::vector<PutItemOutcome>> PutItems(std::span<const Item> items,
                                                       const std::string& import_tag);
  virtual Result<Item> GetItem(int64_t item_id) = 0;
  virtual Result<std::optional<Item>> FindItem(int64_t project_id, const std::string& external_id) = 0;
  // Streams items in id order; `fn` returning false stops early. `with_vectors` false skips
  // decoding dense vectors. Deleted items never appear; quarantined ones only with
  // `with_quarantined` (exports), never to the loop.
  virtual Status ScanItems(int64_t project_id, const std::function<bool(const Item&)>& fn,
                           bool with_vectors = true, bool with_quarantined = false) = 0;
  // Takes the project's item `external_id` out of the project, or puts a quarantined one back:
  //   kQuarantined: out of queues (open entries closed, active leases released) and cycles, no
  //     new annotations; kept, exported and counted in status.
  //   kDeleted: as quarantined, and its text, vector, meta, predictions and detections are
  //     erased; it is in no export. The annotation history stays (append-only); re-importing
  //     the id adds nothing. Final.
  //   kNone: a quarantined item back in the project (unlabeled unless it has a label); the next
  //     cycle queues it again. Conflict for a deleted item.
  // NotFound for an unknown id. Setting the hold an item already has is a no-op.
  enum class ItemHold { kNone, kQuarantined, kDeleted };
  virtual Status SetItemHold(int64_t project_id, const std::string& external_id, ItemHold hold) = 0;
  virtual Status SetItemState(int64_t item_id, ItemState state) = 0;
  // Withdraws a machine label the loop no longer vouches for: clears the item's denormalised
  // label when its source is model or rule (the annotation history keeps it) and sets state
  // unlabeled unless the item is queued. No-op for items whose current label is a person's.
  virtual Status WithdrawAutoLabel(int64_t item_id) = 0;

  // ---- annotations (append-only) ----
  // Appends to the history and updates the item's current label/state:
  //   human/audit -> state labeled; model/rule -> state auto (only if not already labeled).
  // On a gold item (split gold) only kinds "import" and "label" change it: people's answers
  // (review, audit, adjudicate, gold) are history only, never the known answer.
  virtual Result<int64_t> AppendAnnotation(const Annotation& a) = 0;
  virtual Result<std::vector<Annotation>> ListAnnotations(int64_t item_id) = 0;
  // In id (= arrival) order; `after_id` > 0: only annotations with a larger id.
  virtual Status ScanAnnotations(int64_t project_id,
                                 const std::function<bool(const Annotation&)>& fn,
                                 int64_t after_id = 0) = 0;

  // ---- predictions (latest per item and model version kept) ----
  // Every reader below sees only published versions. A cycle stages its model version first
  // (StagePredictions, its own transaction), writes the predictions in short transactions while
  // people keep claiming, and publishes the version in its final transaction, so the write lock
  // is never held for a whole pool's predictions. A version that is never published (the cycle
  // failed) stays hidden until DropStagedPredictions removes its rows.
  virtual Status PutPrediction(const Prediction& p) = 0;
  // PutPrediction for each, as one statement per 1,000 where the backend can (PostgreSQL); the
  // first error stops it (the caller's transaction decides what stays).
  virtual Status PutPredictions(std::span<const Prediction> ps);
  // The caller names a version no prediction of the project has (the cycle's own: its number and
  // time); AlreadyExists when it is staged already.
  virtual Status StagePredictions(int64_t project_id, const std::string& model_version,
                                  int64_t now) = 0;
  // Makes a staged version visible; FailedPrecondition when it is not staged (any more).
  virtual Status PublishPredictions(int64_t project_id, const std::string& model_version) = 0;
  // Deletes the rows of every staged version of the project, `chunk` item ids per transaction,
  // then forgets the versions. Returns the rows deleted.
  virtual Result<int64_t> DropStagedPredictions(int64_t project_id, int64_t chunk = 20000) = 0;
  virtual Result<std::optional<Prediction>> LatestPrediction(int64_t item_id) = 0;
  // Streams the newest prediction of every item of the project with id > after_item_id, in item
  // id order; `fn` returning false stops early.
  virtual Status ScanLatestPredictions(int64_t project_id, int64_t after_item_id,
                                       const std::function<bool(const Prediction&)>& fn) = 0;

  // ---- queue and leases ----
  virtual Result<int64_t> Enqueue(const QueueEntry& e) = 0;  // replaces an open entry of same item+kind
  // Closes the project's untouched open entries of `kind` (not the gold questions, kGoldPool).
  virtual Status ClearQueue(int64_t project_id, const std::string& kind) = 0;
  // Closes the item's untouched open review and audit entries (as ClearQueue: not ones someone
  // holds or has partly answered, not gold questions): a label an admin set settles them.
  virtual Status CloseItemEntries(int64_t item_id) = 0;
  // Atomically picks the highest-priority entry the annotator may take and leases it.
  // Returns nullopt when nothing is available. Never hands an entry to more annotators than its
  // overlap (counting unexpired active leases and submissions) nor twice to one annotator.
  virtual Result<std::optional<ClaimResult>> Claim(const ClaimRequest& req) = 0;
  virtual Result<Lease> GetLease(const std::string& lease_id) = 0;
  // Marks an active, unexpired lease held by `annotator` as `new_state` (submitted | released |
  // skipped; InvalidArgument for active). Conflict if it is expired, not active, or not theirs.
  // On submitted the queue entry's done count rises and closes when it reaches overlap.
  virtual Status FinishLease(const std::string& lease_id, const std::string& annotator,
                             LeaseState new_state, int64_t now) = 0;
  // Streams the project's open queue entries (any kind) in id order; `fn` false stops early.
  virtual Status ScanOpenQueue(int64_t project_id, const std::function<bool(const QueueEntry&)>& fn) = 0;
  // The newest queue entry (open or closed) of `item_id` and `kind`, or nullopt.
  virtual Result<std::optional<QueueEntry>> LatestQueueEntry(int64_t item_id, const std::string& kind) = 0;
  // Open queue entries by pool and kind, for the dashboard: (pool, kind) -> entries.
  virtual Result<std::map<std::pair<std::string, std::string>, int64_t>> QueueCounts(
      int64_t project_id) = 0;
  // Open queue entries of a project in the given pools (a covering-index count, for progress).
  virtual Result<int64_t> CountOpenQueue(int64_t project_id, const std::vector<std::string>& pools) = 0;
  // The annotator's submitted leases in the project, newest first, at most `limit` (their
  // history panel; an index walk, independent of the project's size).
  virtual Result<std::vector<Lease>> ListSubmittedLeases(int64_t project_id, const std::string& annotator,
                                                         int limit) = 0;

  // ---- gold questions (loop/gold.h) ----
  // Opens a gold-question entry (pool kGoldPool, kind review, overlap kGoldOverlap, reason "gold")
  // for every gold item of the project with a known answer (split gold, a label, not held) that
  // has no open review entry; returns how many it opened. Their priority is a fixed hash of the
  // item id, so gold questions are served in an order unrelated to their import order.
  virtual Result<int64_t> EnsureGoldQueue(int64_t project_id) = 0;
  // Records `annotator`'s answer to the gold item `item_id` (newest replaces older; counted again
  // after a clear). `correct`: equal to the item's known answer.
  virtual Status PutGoldAnswer(int64_t project_id, int64_t item_id, const std::string& annotator,
                               bool correct, int64_t now) = 0;
  // Counted gold answers per annotator (one, or all when `annotator` is empty), sorted by name;
  // annotators with none counted are omitted.
  virtual Result<std::vector<GoldScore>> GoldScores(int64_t project_id, const std::string& annotator) = 0;
  // Stops counting the annotator's gold answers so far (an admin clearing a flag: routing starts
  // them afresh; the annotation history and `hitloop quality` keep every answer). Returns how many
  // answers were counted before.
  virtual Result<int64_t> ClearGoldScores(int64_t project_id, const std::string& annotator) = 0;

  // ---- reviews of people's answers (loop/review.h) ----
  // Appends `r` (annotation_id, reviewer, verdict, comment, created_at) and returns its id; the
  // store fills item_id and annotator from the answer. On "reject", in the same transaction, the
  // item goes back to the answer's annotator: an open entry (pool kReworkPool, kind
  // ReworkKind(annotator), overlap 1, reason "rework") that only they can claim. NotFound: no
  // such answer in the project; InvalidArgument: not a reviewable answer (see ReviewQuery) or a
  // bad verdict; Conflict: the reviewer gave the answer, or the item is held.
  virtual Result<int64_t> PutReview(const Review& r) = 0;
  // The verdicts of one item (item_id > 0) or of the whole project (0), in id order.
  virtual Result<std::vector<Review>> ListReviews(int64_t project_id, int64_t item_id) = 0;
  // Answers to review, in (key, id) order after the cursor, at most `q.limit`.
  virtual Result<std::vector<ReviewCandidate>> ListAnswersForReview(int64_t project_id, const ReviewQuery& q) = 0;

  // ---- status ----
  virtual Result<ProjectStatus> GetStatus(int64_t project_id) = 0;

  // ---- users, membership, sessions and idempotency keys ----
  // Token and session secrets never reach the store: callers pass a hash (32-byte BLAKE2b).
  // CreateUser: AlreadyExists on a name clash. `token_hash` must be unique.
  virtual Result<User> CreateUser(const User& u, const std::string& token_hash) = 0;
  // Replaces the user's token hash (token rotation). NotFound if no such user.
  virtual Status SetUserToken(int64_t user_id, const std::string& token_hash) = 0;
  virtual Status SetUserDisabled(int64_t user_id, bool disabled) = 0;
  virtual Result<std::optional<User>> FindUserByTokenHash(const std::string& token_hash) = 0;
  virtual Result<std::optional<User>> FindUserByName(const std::string& name) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  // Project membership (admins see every project regardless).
  virtual Status AddMember(int64_t project_id, int64_t user_id) = 0;  // idempotent
  virtual Result<std::vector<int64_t>> ListMemberProjects(int64_t user_id) = 0;
  virtual Result<bool> IsMember(int64_t project_id, int64_t user_id) = 0;
  // Browser sessions, keyed by the hash of the cookie value; expired ones are never returned.
  virtual Status CreateSession(const std::string& session_hash, int64_t user_id, int64_t now,
                               int64_t expires_at) = 0;
  virtual Result<std::optional<User>> FindSession(const std::string& session_hash, int64_t now) = 0;
  virtual Status DeleteSession(const std::string& session_hash) = 0;
  // Idempotency keys: the first response stored for (user, key) wins; AlreadyExists otherwise.
  virtual Result<std::optional<IdempotentResponse>> GetIdempotent(int64_t user_id,
                                                                  const std::string& key) = 0;
  virtual Status PutIdempotent(int64_t user_id, const std::string& key, const IdempotentResponse& r,
                               int64_t now) = 0;

  // ---- cycles (the record's JSON is loop/cycle_record.h's) ----
  // Appends the next cycle record of the project (number = previous max + 1) and returns its
  // number. NotFound for an unknown project.
  virtual Result<int64_t> AppendCycle(int64_t project_id, int64_t created_at,
                                      const std::string& record_json) = 0;
  // All cycle records of the project, oldest first.
  virtual Result<std::vector<CycleRow>> ListCycles(int64_t project_id) = 0;

  // ---- detections (autolabel/ answers) ----
  // Inserts or replaces one detection per (item, detector). NotFound if an item does not exist.
  virtual Status PutDetections(std::span<const Detection> detections) = 0;
  // Streams the project's detections ordered by item id, then detector; `fn` false stops early.
  virtual Status ScanDetections(int64_t project_id, const std::function<bool(const Detection&)>& fn) = 0;
  // One item's detections, ordered by detector (empty when none ran).
  virtual Result<std::vector<Detection>> ItemDetections(int64_t item_id) = 0;

  // SQLite: "ok" from PRAGMA integrity_check, otherwise Corruption with its report.
  virtual Status CheckIntegrity() = 0;

 protected:
  Store() = default;
  // Now by the store's clock (SetClock), in ms since the epoch: the backends' only wall time.
  int64_t Now() const { return clock_->NowMillis(); }

 private:
  const Clock* clock_ = SystemClock::Default();
};

// Holds a read snapshot for a scope (see Store::BeginRead): ended by End() or the destructor.
// If the snapshot cannot be opened the reads run one statement at a time, which is still correct.
// With open_now = false it opens at the first Open() (for reads that may not happen at all).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Store& store, bool open_now = true) : store_(store) {
    if (open_now) Open();
  }
  ~ReadSnapshot() { End(); }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  void Open() {
    if (!open_ && !ended_) open_ = store_.BeginRead().ok();
  }
  void End() {
    if (open_) (void)store_.EndRead();
    open_ = false;
    ended_ = true;
  }

 private:
  Store& store_;
  bool open_ = false;
  bool ended_ = false;
};

// Opens (creating and migrating if needed) the SQLite database at `path`.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace hitloop
