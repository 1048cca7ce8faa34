// Interrupted schema migrations: a database an older build left at schema version 5 (before the
// queue counts, the claim hint, the queue reasons, item holds, gold answers, the state index and
// reviews) is opened by this build, which migrates it one version per transaction, and the
// migration is interrupted:
//   - by the k-th write or fsync failing (support/faulty_vfs.h), for every k = 1..N of a clean
//     migration (EIO, ENOSPC, short write, failing fsync);
//   - by kill -9 of a child process that is migrating a larger copy, at seeded random moments,
//     eight times on the same file (each kill on what the previous left;
//     HITLOOP_CRASH_SEED=N picks other moments).
// After each interruption the file opens read-only at a version between the old and the newest
// (each version is committed whole), passes integrity_check and foreign_key_check, keeps its rows,
// and the next open finishes the migration (the newest version, `db check` clean, queue counts
// agreeing with the queue).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "store/backup.h"
#include "store/open.h"
#include "store/sqlite/migrations.h"
#include "support/fault_sweep.h"
#include "support/faulty_vfs.h"
#include "support/temp_dir.h"
#include "unit/store/sqlite/raw_sql.h"

namespace hitloop::sqlite {
namespace {

using testing::Fault;

constexpr int64_t kHitloopAppId = 0x686C6F70;  // SqliteStore's application_id ("hlop")
constexpr size_t kOldVersion = 5;

// A database as a build that knew the first kOldVersion migrations left it, with `n` items, each
// with a queue entry (every other one open) and the answered ones with a submitted lease.
std::string MakeOldDatabase(const std::string& path, int n) {
  const auto& migrations = Migrations();
  std::string sql = "PRAGMA journal_mode=WAL; BEGIN;";
  for (size_t v = 0; v < kOldVersion; ++v) sql += migrations[v] + std::string(";");
  sql += "PRAGMA user_version=" + std::to_string(kOldVersion) + "; PRAGMA application_id=" +
         std::to_string(kHitloopAppId) + ";";
  sql += R"sql(
INSERT INTO projects(id, name, task_type, created_at) VALUES(1, 'p', 'single-label', 1);
INSERT INTO labels(project_id, idx, name, created_at) VALUES(1, 0, 'ham', 1), (1, 1, 'spam', 1);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < )sql" + std::to_string(n) + R"sql()
INSERT INTO items(id, project_id, external_id, text, content_hash, split, state, created_at)
  SELECT i, 1, 'x' || i, 'item text number ' || i || ' with a few more words in it', 'h' || i, 'pool',
         CASE WHEN i % 2 THEN 'queued' ELSE 'labeled' END, 1 FROM n;
INSERT INTO queue(id, project_id, item_id, pool, kind, priority, overlap, done, open, created_at)
  SELECT id, 1, id, 'general', 'review', id * 0.001, 1, 1 - id % 2, id % 2, 1 FROM items;
INSERT INTO leases(id, queue_id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state, finished_at)
  SELECT 'l' || id, id, id, 1, 'ann', 'general', 'review', 100, 700000, 'submitted', 150 FROM queue WHERE open = 0;
INSERT INTO annotations(project_id, item_id, labels, source, annotator, kind, created_at)
  SELECT 1, id, '["ham"]', 'human', 'ann', 'review', 150 FROM items WHERE id % 2 = 0;
COMMIT;)sql";
  return testing::RawExec(path, sql);
}

// "" when `path` is a healthy hitloop database at a version from kOldVersion to the newest with
// every row of an `n`-item MakeOldDatabase; *version receives its version.
std::string InterruptedProblems(const std::string& path, int n, int64_t* version) {
  auto report = CheckDatabase(path);
  if (!report.ok()) return "db check: " + report.status().ToString();
  *version = report->schema_version;
  std::string out;
  if (report->integrity != "ok") out += "integrity: " + report->integrity + "; ";
  if (report->foreign_key_violations != 0) out += "foreign keys; ";
  if (report->schema_version < static_cast<int64_t>(kOldVersion) || report->schema_version > report->latest_version) {
    out += "version " + std::to_string(report->schema_version) + "; ";
  }
  for (const char* table : {"items", "queue", "leases", "annotations"}) {
    const int64_t rows = testing::QueryDatabaseInt(path, std::string("SELECT COUNT(*) FROM ") + table);
    const int64_t want = std::string(table) == "items" || std::string(table) == "queue" ? n : n / 2;
    if (rows != want) out += std::string(table) + ": " + std::to_string(rows) + " rows; ";
  }
  return out;
}

// The next open finishes the migration.
std::string ReopenProblems(const std::string& path) {
  {
    auto s = OpenSqliteStore(path, OpenMode::kMustExist);
    if (!s.ok()) return "reopen: " + s.status().ToString();
    auto p = (*s)->GetProject("p");
    if (!p.ok()) return "reopen: " + p.status().ToString();
  }
  return testing::DatabaseProblems(path);
}

TEST(MigrationsFaultsTest, AFaultAtAnyWriteOfAMigrationLeavesAWholeVersionAndTheNextOpenFinishes) {
  testing::InstallFaultyVfs();
  testing::SkipRealSyncs(true);
  testing::TempDir dir;
  const std::string old_db = dir.File("old.db"), work = dir.File("work.db");
  constexpr int kItems = 60;
  ASSERT_EQ(MakeOldDatabase(old_db, kItems), "");
  int64_t version = 0;
  ASSERT_EQ(InterruptedProblems(old_db, kItems, &version), "");
  ASSERT_EQ(version, static_cast<int64_t>(kOldVersion));

  testing::CopyDatabase(old_db, work);
  const int64_t w0 = testing::Writes(), s0 = testing::Syncs();
  { ASSERT_TRUE(OpenSqliteStore(work, OpenMode::kMustExist).ok()); }
  const int64_t writes = testing::Writes() - w0, syncs = testing::Syncs() - s0;
  ASSERT_EQ(testing::DatabaseProblems(work), "");
  ASSERT_GE(syncs, static_cast<int64_t>(Migrations().size() - kOldVersion));

  int points = 0, refused = 0, partial = 0;
  for (Fault fault : testing::kEveryFault) {
    const int64_t n = fault == Fault::kFsync ? syncs : writes;
    for (int64_t k = 1; k <= n; ++k) {
      SCOPED_TRACE(std::string(testing::FaultName(fault)) + " at " + std::to_string(k) + " of " +
                   std::to_string(n));
      testing::CopyDatabase(old_db, work);
      testing::ArmFault(fault, k);
      Status opened;
      {
        auto s = OpenSqliteStore(work, OpenMode::kMustExist);
        opened = s.status();
      }
      testing::Disarm();
      ++points;
      EXPECT_TRUE(testing::FaultFired());
      if (!opened.ok()) {
        ++refused;
        EXPECT_FALSE(opened.message().empty());
      }
      EXPECT_EQ(InterruptedProblems(work, kItems, &version), "") << opened.ToString();
      if (version != static_cast<int64_t>(Migrations().size())) ++partial;
      EXPECT_EQ(ReopenProblems(work), "");
    }
  }
  std::cerr << "migration " << kOldVersion << " -> " << Migrations().size() << ": " << writes
            << " writes, " << syncs << " syncs, " << points << " injection points, " << refused
            << " opens refused, " << partial << " left between versions\n";
}

TEST(MigrationsFaultsTest, KillNineDuringAMigrationLeavesAWholeVersionAndTheNextOpenFinishes) {
  testing::TempDir dir;
  const std::string old_db = dir.File("old.db"), db = dir.File("h.db");
  constexpr int kItems = 40'000;
  ASSERT_EQ(MakeOldDatabase(old_db, kItems), "");
  // How long a whole migration takes here: the kills land within it.
  testing::CopyDatabase(old_db, db);
  const auto t0 = std::chrono::steady_clock::now();
  { ASSERT_TRUE(OpenSqliteStore(db, OpenMode::kMustExist).ok()); }
  const double whole_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  const char* env = std::getenv("HITLOOP_CRASH_SEED");
  const uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 1;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> delay(0.0, whole_ms);
  testing::CopyDatabase(old_db, db);
  int killed = 0;
  int64_t version = 0;
  for (int round = 0; round < 8; ++round) {
    const double ms = delay(rng);
    SCOPED_TRACE("HITLOOP_CRASH_SEED=" + std::to_string(seed) + ", kill " + std::to_string(round) +
                 " after " + std::to_string(ms) + " ms of " + std::to_string(whole_ms));
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto s = OpenSqliteStore(db, OpenMode::kMustExist);
      _exit(s.ok() ? 0 : 1);
    }
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
    if (kill(child, SIGKILL) == 0) {
      int wstatus = 0;
      waitpid(child, &wstatus, 0);
      if (WIFSIGNALED(wstatus)) ++killed;
      else EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "the migration failed by itself";
    }
    EXPECT_EQ(InterruptedProblems(db, kItems, &version), "");
    std::cerr << "kill after " << ms << " ms: at version " << version << "\n";
  }
  EXPECT_EQ(ReopenProblems(db), "");
  std::cerr << "migration crash loop: seed " << seed << ", whole migration " << whole_ms << " ms, "
            << killed << " of 8 children killed mid-way\n";
}

}  // namespace
}  // namespace hitloop::sqlite
