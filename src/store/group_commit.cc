#include "store/group_commit.h"

#include <pthread.h>

#include <algorithm>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <utility>

namespace hitloop {

struct GroupCommitter::Pending {
  explicit Pending(Job j) : job(std::move(j)) {}
  Job job;
  Status result;
  bool done = false;           // guarded by mu_
  std::condition_variable cv;  // wakes this caller only (no herd of every waiting caller)
};

namespace {
std::vector<std::unique_ptr<Store>> One(std::unique_ptr<Store> store) {
  std::vector<std::unique_ptr<Store>> v;
  v.push_back(std::move(store));
  return v;
}
}  // namespace

GroupCommitter::GroupCommitter(std::unique_ptr<Store> store, Options options)
    : GroupCommitter(One(std::move(store)), options) {}

GroupCommitter::GroupCommitter(std::vector<std::unique_ptr<Store>> stores, Options options)
    : stores_(std::move(stores)), options_(options) {
  for (auto& store : stores_) {
    Store* s = store.get();
    writers_.emplace_back([this, s] { WriterLoop(*s); });
  }
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : writers_) t.join();
}

Status GroupCommitter::Run(Job job) {
  Pending p(std::move(job));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return FailedPrecondition("writer is shutting down");
    queue_.push_back(&p);
  }
  work_cv_.notify_one();
  std::unique_lock<std::mutex> lock(mu_);
  p.cv.wait(lock, [&] { return p.done; });
  return p.result;
}

GroupCommitter::Stats GroupCommitter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Status GroupCommitter::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_;
}

size_t GroupCommitter::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void GroupCommitter::WriterLoop(Store& store) {
  pthread_setname_np(pthread_self(), "hitloop-writer");  // for top -H, perf and /proc
  const size_t max_batch = options_.max_batch < 1 ? 1 : static_cast<size_t>(options_.max_batch);
  for (;;) {
    std::deque<Pending*> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued job has been run
      while (!queue_.empty() && batch.size() < max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunBatch(store, batch);
    std::lock_guard<std::mutex> lock(mu_);
    for (Pending* p : batch) {
      p->done = true;
      // Under the lock: once `done` is seen, the caller may return and destroy *p.
      p->cv.notify_one();
    }
  }
}

void GroupCommitter::RunBatch(Store& store, std::deque<Pending*>& batch) {
  using Clock = std::chrono::steady_clock;
  auto us = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
  };
  int64_t failed_jobs = 0;
  bool batch_failed = false;
  std::optional<Status> commit_failed;  // the writer stops for good (the store is poisoned)
  int64_t job_us = 0;
  int64_t commit_us = 0;
  Clock::time_point t0 = Clock::now();
  Status begin = Status::Ok();
  {
    // Another writer's COMMIT failed: fail-stop for all of them (one writer's store refuses every
    // Begin by itself once poisoned).
    std::lock_guard<std::mutex> lock(mu_);
    if (!health_.ok())
      begin = FailedPrecondition("writer stopped after a failed commit: " + health_.message());
  }
  if (begin.ok()) begin = store.Begin();
  Clock::time_point t1 = Clock::now();
  commit_us += us(t0, t1);
  if (!begin.ok()) {
    // Another connection held the write lock past the busy timeout (or the store is poisoned).
    // Nothing was written; callers must not read this as a verdict on their request.
    Status st = begin.code() == StatusCode::kConflict
                    ? FailedPrecondition("store busy: " + begin.message())
                    : begin;
    for (Pending* p : batch) p->result = st;
    batch_failed = true;
    // A poisoned store refuses every Begin from now on.
    if (begin.code() == StatusCode::kFailedPrecondition) commit_failed = begin;
  } else {
    for (Pending* p : batch) {
      Status st = store.Begin();  // the job's savepoint
      if (!st.ok()) {
        p->result = st;
        ++failed_jobs;
        continue;
      }
      try {
        st = p->job(store);
      } catch (const std::exception& e) {
        st = Internal(std::string("write job threw: ") + e.what());
      } catch (...) {
        st = Internal("write job threw");
      }
      if (st.ok()) {
        st = store.Commit();  // RELEASE: merged into the batch, not durable yet
      } else {
        (void)store.Rollback();
        ++failed_jobs;
      }
      p->result = st;
    }
    Clock::time_point t2 = Clock::now();
    job_us = us(t1, t2);
    Status commit = store.Commit();
    commit_us += us(t2, Clock::now());
    if (!commit.ok()) {
      // Nothing of this batch is durable: no job may be acknowledged, whatever it returned. The
      // writer stops for good, which is what every caller hears (FailedPrecondition: the server's
      // 503, as for every later job), whatever the commit's own error was (an I/O error is not
      // the caller's request failing: it was a 500 "internal error").
      const Status stopped = commit.code() == StatusCode::kFailedPrecondition
                                 ? commit
                                 : FailedPrecondition("the writer stopped after a failed commit: " +
                                                      commit.message());
      for (Pending* p : batch) p->result = stopped;
      batch_failed = true;
      commit_failed = stopped;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (commit_failed.has_value() && health_.ok()) health_ = *commit_failed;
  stats_.batches += 1;
  stats_.jobs += static_cast<int64_t>(batch.size());
  stats_.failed_jobs += failed_jobs;
  stats_.failed_batches += batch_failed ? 1 : 0;
  stats_.job_us += job_us;
  stats_.commit_us += commit_us;
  stats_.max_commit_us = std::max(stats_.max_commit_us, commit_us);
  stats_.commits_over_10ms += commit_us > 10'000 ? 1 : 0;
  if (static_cast<int64_t>(batch.size()) > stats_.largest_batch) {
    stats_.largest_batch = static_cast<int64_t>(batch.size());
  }
}

}  // namespace hitloop
