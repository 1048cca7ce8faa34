#pragma once
// GroupCommitter: one writer thread that owns a write connection and runs write jobs handed in by
// many threads, several jobs to one transaction ("group commit"): one BEGIN IMMEDIATE ... COMMIT,
// and so one fsync, for up to `max_batch` jobs instead of one per job.
//
// How a batch runs (on the writer thread): take every queued job (at most max_batch), Begin(),
// then for each job in arrival order: Begin() (a nested transaction: a SAVEPOINT), run the job,
// Commit() it if it returned OK, Rollback() it otherwise, so a failing job undoes only its own
// writes; finally the outer Commit(). Only then are the callers woken. While a batch commits,
// new jobs queue up for the next one, so batches grow with the load and an idle writer commits a
// lone job at once (no timer, no added latency).
//
// Durability contract: Run() returns OK only after the COMMIT of the transaction that holds the
// job's writes has succeeded (on SQLite with synchronous=FULL: fsync'd). A job's own error is
// returned after that commit too. If the batch's Begin() or Commit() fails, every job of the
// batch gets that error, whatever it returned itself: none of their writes is durable and none
// may be acknowledged. A failed Commit() (an I/O error, a full disk, a failing fsync) comes back
// as FailedPrecondition naming the commit's error, since the writer has stopped: the store is
// poisoned (store.h), so every later job fails with FailedPrecondition too until the process
// restarts (fail-stop). A Begin() refused
// because another connection holds the write lock past the busy timeout comes back as
// FailedPrecondition too ("busy"; the batch wrote nothing, a retry may succeed).
//
// Jobs: run one at a time on the writer thread, in the order Run() was called, each seeing the
// writes of the jobs before it in its batch. A job gets the writer's Store and must use only it
// for writes; it must not call Run() (deadlock) nor Begin()/Commit() unpaired. A job that throws
// is rolled back and gets Internal.
//
// Several writers (PostgreSQL only): constructed with K stores, K writer threads each take the
// next batch from the one queue and run it on their own connection, so K batches run at once in K
// transactions, exactly as K servers' writers on one database do (their row locks, SKIP LOCKED
// claims and unique keys keep them apart; see docs/POSTGRES.md, "Several servers"). Jobs of one
// batch still run in arrival order and see each other's writes; jobs of batches running at once
// do not see each other's uncommitted writes. A batch's statements are round trips to the
// database, so one writer spends most of its time waiting: K writers overlap those waits. Once
// any writer's COMMIT fails, every writer fails its jobs with that error (fail-stop, as with one).
// SQLite has one write lock: give it one store.
//
// Threading: Run() is thread-safe and blocks its caller until the job's batch is finished.
// Destroy the GroupCommitter only after every thread that calls Run() is done with it (the
// server joins its workers first); the destructor joins the writer thread.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace hitloop {

class GroupCommitter {
 public:
  using Job = std::function<Status(Store&)>;

  struct Options {
    int max_batch = 256;  // jobs per transaction at most (bounds one batch's latency)
  };

  // Counters since construction (for logs and tests).
  struct Stats {
    int64_t batches = 0;         // outer transactions begun
    int64_t jobs = 0;            // jobs run
    int64_t failed_jobs = 0;     // jobs rolled back (their own error)
    int64_t failed_batches = 0;  // batches whose Begin or Commit failed
    int64_t largest_batch = 0;
    int64_t job_us = 0;     // writer time spent running jobs (incl. their savepoints)
    int64_t commit_us = 0;  // writer time spent in BEGIN and COMMIT (the fsync)
    int64_t max_commit_us = 0;       // the slowest BEGIN + COMMIT of one batch
    int64_t commits_over_10ms = 0;   // batches whose BEGIN + COMMIT took more than 10 ms
  };

  // Takes ownership of `store` (its connection is used only by the writer thread from now on).
  GroupCommitter(std::unique_ptr<Store> store, Options options);
  // K writers, one per store (K >= 1; each store's connection is used only by its writer).
  GroupCommitter(std::vector<std::unique_ptr<Store>> stores, Options options);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `job` in the next batch and waits until that batch has committed (or failed).
  Status Run(Job job);

  Stats stats() const;
  // OK while the writer can commit. After a failed Commit() (the store is poisoned: fail-stop,
  // e.g. the disk filled up) the error that stopped it, for good: /healthz reports it.
  Status health() const;
  // Jobs handed in and not yet taken into a batch (tests use it to line jobs up in one batch).
  size_t queued() const;

 private:
  struct Pending;
  void WriterLoop(Store& store);
  void RunBatch(Store& store, std::deque<Pending*>& batch);

  std::vector<std::unique_ptr<Store>> stores_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // writer waits for jobs
  std::deque<Pending*> queue_;       // not owned: each lives on its caller's stack
  bool stopping_ = false;
  Stats stats_;
  Status health_;  // guarded by mu_
  std::vector<std::thread> writers_;
};

}  // namespace hitloop
