// PgStore: operations — the per-project cycle lock (a session-level advisory lock), the
// readiness ping and the statement timeout. See the "operations" section of store/operations.h.
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <limits>

#include "store/postgres/pg_store.h"

namespace hitloop::pg {
namespace {

// pg_advisory_lock's first key of the (int4, int4) pair: "hlcy". The migration lock uses the
// one-bigint form, a separate key space.
constexpr int32_t kCycleLockKey = 0x686C6379;

class PgCycleLock final : public CycleLock {
 public:
  PgCycleLock(PgStore* store, int64_t project_id) : store_(store), project_id_(project_id) {}
  // A failed unlock (the connection is gone, or it sits in an aborted transaction) cannot be
  // reported from here; the lock then lasts until the connection closes.
  ~PgCycleLock() override { (void)store_->UnlockCycle(project_id_); }

 private:
  PgStore* store_;
  int64_t project_id_;
};

Status CheckProjectKey(int64_t project_id) {
  if (project_id <= 0 || project_id > std::numeric_limits<int32_t>::max()) {
    return InvalidArgument("cycle lock: project id " + std::to_string(project_id) +
                           " is outside the advisory lock's int4 key");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<CycleLock>> PgStore::LockCycle(int64_t project_id,
                                                      const std::string& project_name, bool wait) {
  RETURN_IF_ERROR(CheckProjectKey(project_id));
  if (depth_ > 0 || read_depth_ > 0) {
    return Internal(where_ + ": cycle lock: taken inside a transaction");
  }
  PgParams p;
  p.Add(static_cast<int64_t>(kCycleLockKey)).Add(project_id);
  if (!wait) {
    PgRows rows;
    RETURN_IF_ERROR(
        Query("SELECT pg_try_advisory_lock($1::int4, $2::int4)", p, &rows, "take the cycle lock"));
    if (rows.rows() != 1 || !rows.Bool(0, 0)) {
      return FailedPrecondition("a cycle of project " + project_name +
                                " is running (another process)");
    }
  } else {
    // The session's lock_timeout (10 s, or the server's) would cut the wait short: lift it for
    // this one statement's transaction. A session-level lock outlives the transaction.
    RETURN_IF_ERROR(ExecScript("BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0",
                               "wait for the cycle lock"));
    Status st = Query("SELECT pg_advisory_lock($1::int4, $2::int4)", p, "wait for the cycle lock");
    if (!st.ok()) {
      (void)ExecScript("ROLLBACK", "wait for the cycle lock");
      return st;
    }
    RETURN_IF_ERROR(ExecScript("COMMIT", "wait for the cycle lock"));
  }
  return std::unique_ptr<CycleLock>(new PgCycleLock(this, project_id));
}

Status PgStore::UnlockCycle(int64_t project_id) {
  PgParams p;
  p.Add(static_cast<int64_t>(kCycleLockKey)).Add(project_id);
  PgRows rows;
  RETURN_IF_ERROR(
      Query("SELECT pg_advisory_unlock($1::int4, $2::int4)", p, &rows, "release the cycle lock"));
  if (rows.rows() != 1 || !rows.Bool(0, 0)) {
    return Internal(where_ + ": release the cycle lock of project " + std::to_string(project_id) +
                    ": this connection did not hold it");
  }
  return Status::Ok();
}

Status PgStore::SetStatementTimeout(int64_t ms) {
  PgParams p;
  p.AddText(std::to_string(ms) + "ms");
  return Query("SELECT set_config('statement_timeout', $1, false)", p, "set statement_timeout");
}

Status PgStore::Ping(int64_t timeout_ms) {
  if (poisoned_ || PQstatus(conn_) != CONNECTION_OK) {
    return IoError(where_ + ": ping: the connection is gone");
  }
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max<int64_t>(timeout_ms, 1));
  // Waits until the answer is complete (kDone), the deadline passes (kLate) or the connection
  // fails (kBroken).
  enum class Wait { kDone, kLate, kBroken };
  auto await = [&]() -> Wait {
    while (true) {
      if (PQconsumeInput(conn_) == 0) return Wait::kBroken;
      if (PQisBusy(conn_) == 0) return Wait::kDone;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Wait::kLate;
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(left)) < 0 && errno != EINTR) return Wait::kBroken;
    }
  };
  if (PQsendQuery(conn_, "SELECT 1") == 0) return ErrorFrom(nullptr, "ping");
  const Wait w = await();
  if (w == Wait::kBroken) {
    Status st = ErrorFrom(nullptr, "ping");
    poisoned_ = true;  // whatever it was, this connection is mid-query and cannot be reused
    return st;
  }
  if (w == Wait::kLate) {
    // Ask the server to stop the query, then give the answer as long again to arrive; a
    // connection still busy after that cannot be used again (poisoned: reopen).
    if (PGcancel* c = PQgetCancel(conn_)) {
      char err[256];
      (void)PQcancel(c, err, sizeof err);
      PQfreeCancel(c);
    }
    const auto again = Clock::now() + std::chrono::milliseconds(std::max<int64_t>(timeout_ms, 1));
    bool drained = false;
    while (Clock::now() < again) {
      if (PQconsumeInput(conn_) == 0) break;
      if (PQisBusy(conn_) == 0) {
        drained = true;
        break;
      }
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      (void)poll(&fd, 1, 50);
    }
    if (drained) {
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    } else {
      poisoned_ = true;
    }
    return IoError(where_ + ": ping: no answer within " + std::to_string(timeout_ms) + " ms");
  }
  Status st = Status::Ok();
  while (PGresult* r = PQgetResult(conn_)) {
    if (st.ok() && PQresultStatus(r) != PGRES_TUPLES_OK) st = ErrorFrom(r, "ping");
    PQclear(r);
  }
  return st;
}

}  // namespace hitloop::pg
