#pragma once
// Operations on an open Store beyond its data, for the server and the cycle: a per-project
// cycle lock across processes, a readiness ping, a statement timeout. PostgreSQL implements
// them (store/postgres/pg_store_ops.cc); on SQLite they keep SQLite's behaviour, as each says.
// Each borrows `store` for the call and, like the Store, is not thread-safe per Store.
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace hitloop {

// Holds one project's cycle lock for as long as it lives (LockCycle). It must not outlive the
// Store that took it: it releases the lock on that connection (a closed or lost connection
// releases it too).
class CycleLock {
 public:
  virtual ~CycleLock() = default;
};

// Takes project `project_id`'s cycle lock: one cycle per project at a time across every process
// sharing the database. Call it outside any transaction (Internal otherwise).
// wait = false: FailedPrecondition "a cycle of project NAME is running (another process)" at once
// while another connection holds it; wait = true: blocks until it is free (no timeout).
// PostgreSQL: a session-level advisory lock (key pair "hlcy", project id). SQLite: the guard
// holds nothing — two cycles of one project in two processes both run, their final writes one
// after the other under SQLite's write lock (the later one's queue replaces the earlier's).
Result<std::unique_ptr<CycleLock>> LockCycle(Store& store, int64_t project_id,
                                             const std::string& project_name, bool wait);

// A trivial query (readiness): OK when the database answered within `timeout_ms`, otherwise its
// error (IoError when it did not answer in time or the connection is gone). The message may name
// the database's location: callers answering anonymous clients log it instead of sending it.
// PostgreSQL: SELECT 1 (cancelled at the deadline). SQLite: reads the project list (a read does
// not wait for SQLite's writer in WAL mode).
Status PingStore(Store& store, int64_t timeout_ms);

// Cancels any statement of this connection running longer than `ms` from now on (0 = no limit;
// PostgreSQL's statement_timeout: the statement fails with Conflict). InvalidArgument for a
// negative `ms`; FailedPrecondition on SQLite (it has no statement timeout).
Status SetStatementTimeout(Store& store, int64_t ms);

}  // namespace hitloop
