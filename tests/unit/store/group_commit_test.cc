#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(Path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    reader_ = std::move(s).value();
    Project p;
    p.name = "mail";
    p.labels = {"ham", "spam"};
    auto created = reader_->CreateProject(p);
    ASSERT_TRUE(created.ok());
    project_ = *created;
    auto w = OpenSqliteStore(Path());
    ASSERT_TRUE(w.ok());
    committer_ = std::make_unique<GroupCommitter>(std::move(w).value(), GroupCommitter::Options{});
  }
  std::string Path() const { return dir_.path() + "/hitloop.db"; }

  // A job that inserts item `ext` and then returns `result`.
  GroupCommitter::Job PutJob(const std::string& ext, Status result = Status::Ok()) {
    return [this, ext, result](Store& w) -> Status {
      Item it;
      it.project_id = project_.id;
      it.external_id = ext;
      it.text = "text " + ext;
      it.content_hash = ext;
      int64_t id = 0;
      auto r = w.PutItem(it, "", &id);
      if (!r.ok()) return r.status();
      return result;
    };
  }

  // Runs `jobs` from one thread each, all in ONE batch and in the given order: a first job holds
  // the writer until every job is queued behind it, and job i+1 is handed in only once job i is
  // queued. Returns each job's result.
  std::vector<Status> RunInOneBatch(const std::vector<GroupCommitter::Job>& jobs) {
    const int64_t batches_before = committer_->stats().batches;
    std::atomic<bool> gate_running{false};
    std::atomic<bool> all_queued{false};
    std::thread gate([&] {
      Status st = committer_->Run([&](Store&) -> Status {
        gate_running = true;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!all_queued && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return Status::Ok();
      });
      EXPECT_TRUE(st.ok()) << st.ToString();
    });
    while (!gate_running) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::vector<Status> results(jobs.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < jobs.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = committer_->Run(jobs[i]); });
      while (committer_->queued() < i + 1)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    all_queued = true;
    for (auto& t : threads) t.join();
    gate.join();
    // The gate's batch, then one batch with every job.
    EXPECT_EQ(committer_->stats().batches - batches_before, 2);
    EXPECT_GE(committer_->stats().largest_batch, static_cast<int64_t>(jobs.size()));
    return results;
  }

  bool Committed(const std::string& ext) {
    auto it = reader_->FindItem(project_.id, ext);  // another connection: sees committed data only
    EXPECT_TRUE(it.ok());
    return it.ok() && it->has_value();
  }

  hitloop::testing::TempDir dir_;
  std::unique_ptr<Store> reader_;
  Project project_;
  std::unique_ptr<GroupCommitter> committer_;
};

TEST_F(GroupCommitTest, RunReturnsAfterTheJobHasCommitted) {
  ASSERT_TRUE(committer_->Run(PutJob("a")).ok());
  EXPECT_TRUE(Committed("a"));
  committer_.reset();
  auto s = OpenSqliteStore(Path());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->FindItem(project_.id, "a")->has_value());
}

TEST_F(GroupCommitTest, AFailingJobRollsBackOnlyItselfAndTheBatchCommits) {
  std::vector<GroupCommitter::Job> jobs = {
      PutJob("a"), PutJob("b", Conflict("lease is submitted")), PutJob("c"),
      [](Store&) -> Status { throw std::runtime_error("bug"); }, PutJob("d")};
  std::vector<Status> r = RunInOneBatch(jobs);
  EXPECT_TRUE(r[0].ok()) << r[0].ToString();
  EXPECT_EQ(r[1].code(), StatusCode::kConflict);
  EXPECT_TRUE(r[2].ok()) << r[2].ToString();
  EXPECT_EQ(r[3].code(), StatusCode::kInternal);
  EXPECT_TRUE(r[4].ok()) << r[4].ToString();
  EXPECT_TRUE(Committed("a"));
  EXPECT_FALSE(Committed("b"));
  EXPECT_TRUE(Committed("c"));
  EXPECT_TRUE(Committed("d"));
  EXPECT_EQ(committer_->stats().failed_jobs, 2);
  EXPECT_EQ(committer_->stats().failed_batches, 0);
}

TEST_F(GroupCommitTest, JobsOfABatchSeeEarlierJobsWrites) {
  int saw_a = -1;
  std::vector<GroupCommitter::Job> jobs = {
      PutJob("a"), [&](Store& w) -> Status {
        auto it = w.FindItem(project_.id, "a");  // not committed yet: only the batch sees it
        if (!it.ok()) return it.status();
        saw_a = it->has_value() ? 1 : 0;
        return Status::Ok();
      }};
  std::vector<Status> r = RunInOneBatch(jobs);
  ASSERT_TRUE(r[0].ok() && r[1].ok());
  EXPECT_EQ(saw_a, 1);
  EXPECT_TRUE(Committed("a"));
}

// The durability contract: when the batch's COMMIT fails, no job of it is acknowledged (even the
// ones whose own work succeeded), nothing of it is in the database, and the writer refuses work
// until restart (fail-stop).
TEST_F(GroupCommitTest, AFailedCommitAcknowledgesNothingAndStopsTheWriter) {
  // A foreign-key violation deferred to COMMIT makes SQLite refuse the COMMIT itself.
  GroupCommitter::Job poison = [](Store& w) -> Status {
    sqlite3* db = static_cast<sqlite::SqliteStore&>(w).db();
    if (sqlite3_exec(db, "PRAGMA defer_foreign_keys=ON", nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_exec(
            db, "INSERT INTO labels(project_id, idx, name, created_at) VALUES(424242, 0, 'x', 0)",
            nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Internal(sqlite3_errmsg(db));
    }
    return Status::Ok();
  };
  std::vector<Status> r = RunInOneBatch({PutJob("a"), poison, PutJob("b")});
  for (const Status& st : r) EXPECT_FALSE(st.ok());
  EXPECT_FALSE(Committed("a"));
  EXPECT_FALSE(Committed("b"));
  EXPECT_EQ(committer_->stats().failed_batches, 1);
  // Fail-stop: the poisoned writer acknowledges nothing more.
  EXPECT_EQ(committer_->Run(PutJob("c")).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Committed("c"));
  // A restart (new connection) works, and the database is intact.
  auto w = OpenSqliteStore(Path());
  ASSERT_TRUE(w.ok());
  committer_ = std::make_unique<GroupCommitter>(std::move(w).value(), GroupCommitter::Options{});
  EXPECT_TRUE(committer_->Run(PutJob("c")).ok());
  EXPECT_TRUE(Committed("c"));
  EXPECT_TRUE(reader_->CheckIntegrity().ok());
}

TEST_F(GroupCommitTest, ABatchThatCannotBeginReportsBusyAndWritesNothing) {
  // Another connection holds the write lock: the writer's BEGIN IMMEDIATE gives up after the
  // busy timeout. (Shortened here so the test does not wait 10 s.)
  auto other = OpenSqliteStore(Path());
  ASSERT_TRUE(other.ok());
  committer_.reset();
  auto w = OpenSqliteStore(Path());
  ASSERT_TRUE(w.ok());
  sqlite3_busy_timeout(static_cast<sqlite::SqliteStore&>(**w).db(), 50);
  committer_ = std::make_unique<GroupCommitter>(std::move(w).value(), GroupCommitter::Options{});
  ASSERT_TRUE((*other)->Begin().ok());
  Status st = committer_->Run(PutJob("a"));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message().rfind("store busy", 0), 0u) << st.ToString();
  ASSERT_TRUE((*other)->Rollback().ok());
  // Not fail-stop: the next batch goes through.
  EXPECT_TRUE(committer_->Run(PutJob("a")).ok());
  EXPECT_TRUE(Committed("a"));
}

TEST_F(GroupCommitTest, ConcurrentCallersAllCommit) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!committer_->Run(PutJob("t" + std::to_string(t) + "-" + std::to_string(i))).ok())
          ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(reader_->GetStatus(project_.id)->items, kThreads * kPerThread);
  GroupCommitter::Stats s = committer_->stats();
  EXPECT_EQ(s.jobs, kThreads * kPerThread);
  EXPECT_EQ(s.failed_batches, 0);
}

// Several writers (PostgreSQL servers use them, --db-writers): each runs its own batch on its own
// connection at the same time. Here the two writers' stores are two SQLite files, so that their
// transactions do not wait on one write lock: jobs A and B each wait for the other to be running,
// which only works if two batches run at once (with one writer, A would time out first).
TEST(GroupCommitWriters, TwoWritersRunTwoBatchesAtOnce) {
  hitloop::testing::TempDir dir;
  std::vector<std::unique_ptr<Store>> stores;
  for (const char* name : {"/a.db", "/b.db"}) {
    auto s = OpenSqliteStore(dir.path() + name);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    stores.push_back(std::move(s).value());
  }
  GroupCommitter committer(std::move(stores), GroupCommitter::Options{});
  std::atomic<int> running{0};
  auto rendezvous = [&](Store&) -> Status {
    ++running;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (running.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return running.load() >= 2 ? Status::Ok() : Internal("the other job never ran alongside");
  };
  Status a, b;
  std::thread ta([&] { a = committer.Run(rendezvous); });
  while (committer.queued() > 0 || running.load() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread tb([&] { b = committer.Run(rendezvous); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a.ToString();
  EXPECT_TRUE(b.ok()) << b.ToString();
  EXPECT_EQ(committer.stats().batches, 2);
}

// Fail-stop holds for every writer: once one writer's COMMIT failed, the others acknowledge
// nothing either (their own connections would still commit).
TEST(GroupCommitWriters, AFailedCommitStopsEveryWriter) {
  hitloop::testing::TempDir dir;
  std::vector<std::unique_ptr<Store>> stores;
  for (const char* name : {"/a.db", "/b.db", "/c.db"}) {
    auto s = OpenSqliteStore(dir.path() + name);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    stores.push_back(std::move(s).value());
  }
  GroupCommitter committer(std::move(stores), GroupCommitter::Options{});
  GroupCommitter::Job poison = [](Store& w) -> Status {
    sqlite3* db = static_cast<sqlite::SqliteStore&>(w).db();
    if (sqlite3_exec(db, "PRAGMA defer_foreign_keys=ON", nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_exec(
            db, "INSERT INTO labels(project_id, idx, name, created_at) VALUES(424242, 0, 'x', 0)",
            nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Internal(sqlite3_errmsg(db));
    }
    return Status::Ok();
  };
  EXPECT_FALSE(committer.Run(poison).ok());
  EXPECT_FALSE(committer.health().ok());
  // Whichever writer takes them: refused.
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(committer.Run([](Store&) { return Status::Ok(); }).ok()) << i;
  }
  EXPECT_EQ(committer.stats().failed_batches, 7);
}

}  // namespace
}  // namespace hitloop
