// Upgrades: a database an older build left at an earlier schema version opens with this build,
// is migrated to the newest version and keeps its rows. The earlier versions are made here the
// way those builds made them: the first N migrations of the (append-only) list, applied in order.
#include "store/sqlite/migrations.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/open.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "unit/store/sqlite/raw_sql.h"

namespace hitloop::sqlite {
namespace {

constexpr int64_t kHitloopApplicationId = 0x686C6F70;  // SqliteStore's application_id ("hlop")

// One integer from a query (e.g. a PRAGMA); -1 when it returns no row.
int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
      v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return v;
}

// A database as a build that knew the first `version` migrations left it.
std::string MakeDatabaseAt(const std::string& path, size_t version) {
  const auto& migrations = Migrations();
  for (size_t v = 0; v < version; ++v) {
    std::string err = testing::RawExec(path, std::string("BEGIN;") + migrations[v] + ";PRAGMA user_version=" +
                                     std::to_string(v + 1) + ";COMMIT;");
    if (!err.empty()) return "migration " + std::to_string(v + 1) + ": " + err;
  }
  return testing::RawExec(path, "PRAGMA application_id=" + std::to_string(kHitloopApplicationId));
}

TEST(MigrationsTest, EveryEarlierVersionUpgradesToTheNewest) {
  const int64_t newest = static_cast<int64_t>(Migrations().size());
  for (size_t v = 1; v < Migrations().size(); ++v) {
    SCOPED_TRACE("from version " + std::to_string(v));
    testing::TempDir dir;
    const std::string path = dir.File("old.db");
    ASSERT_EQ(MakeDatabaseAt(path, v), "");
    ASSERT_EQ(QueryInt(path, "PRAGMA user_version"), static_cast<int64_t>(v));
    {
      auto store = OpenSqliteStore(path, OpenMode::kMustExist);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      Project p;
      p.name = "after-upgrade";
      p.labels = {"a", "b"};
      auto created = (*store)->CreateProject(p);
      ASSERT_TRUE(created.ok()) << created.status().ToString();
    }
    EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), newest);
    EXPECT_EQ(QueryInt(path, "PRAGMA application_id"), kHitloopApplicationId);
  }
}

// The annotator page's migration (queue reasons, leases_by_annotator, queue_claim_kind) on a
// database at the version before it, with open work and answered work in it: the open entry is
// still claimed (no reason given), the answered lease is in its annotator's history, and new
// entries keep their reason.
TEST(MigrationsTest, QueueAndLeasesFromThePreviousVersionSurviveTheUpgrade) {
  size_t previous = 0;  // the version before the queue-reason migration
  for (size_t v = 0; v < Migrations().size(); ++v) {
    if (std::string(Migrations()[v]).find("ADD COLUMN reason") != std::string::npos) previous = v;
  }
  ASSERT_GT(previous, 0u);
  testing::TempDir dir;
  const std::string path = dir.File("old.db");
  ASSERT_EQ(MakeDatabaseAt(path, previous), "");
  ASSERT_EQ(testing::RawExec(path, R"sql(
INSERT INTO projects(id, name, task_type, created_at) VALUES(1, 'p', 'single-label', 1);
INSERT INTO labels(project_id, idx, name, created_at) VALUES(1, 0, 'ham', 1), (1, 1, 'spam', 1);
INSERT INTO items(id, project_id, external_id, text, content_hash, split, state, created_at)
  VALUES(1, 1, 'x1', 'first', 'h1', 'pool', 'queued', 1), (2, 1, 'x2', 'second', 'h2', 'pool', 'labeled', 1);
INSERT INTO queue(id, project_id, item_id, pool, kind, priority, overlap, done, open, created_at)
  VALUES(1, 1, 1, 'general', 'review', 0.5, 1, 0, 1, 1), (2, 1, 2, 'general', 'review', 0.4, 1, 1, 0, 1);
INSERT INTO leases(id, queue_id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state, finished_at)
  VALUES('lease-old', 2, 2, 1, 'ann', 'general', 'review', 100, 700000, 'submitted', 150);
)sql"),
            "");

  auto opened = OpenSqliteStore(path, OpenMode::kMustExist);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), static_cast<int64_t>(Migrations().size()));
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM sqlite_schema WHERE type='index' AND name IN "
                           "('leases_by_annotator', 'queue_claim_kind')"),
            2);

  auto p = store.GetProject("p");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->labels, (std::vector<std::string>{"ham", "spam"}));

  auto history = store.ListSubmittedLeases(1, "ann", 10);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].id, "lease-old");
  EXPECT_EQ((*history)[0].item_id, 2);

  ClaimRequest req;
  req.project_id = 1;
  req.annotator = "bob";
  req.pools = {"general"};
  req.now = 1000;
  auto claimed = store.Claim(req);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->entry.item_id, 1);
  EXPECT_EQ((*claimed)->entry.reason, "");

  QueueEntry audit;
  audit.project_id = 1;
  audit.item_id = 2;
  audit.kind = "audit";
  audit.priority = 1e9;
  audit.reason = "audit-stratified";
  ASSERT_TRUE(store.Enqueue(audit).ok());
  req.annotator = "carol";
  req.kinds = {"audit"};
  auto audit_claim = store.Claim(req);
  ASSERT_TRUE(audit_claim.ok()) << audit_claim.status().ToString();
  ASSERT_TRUE(audit_claim->has_value());
  EXPECT_EQ((*audit_claim)->entry.item_id, 2);
  EXPECT_EQ((*audit_claim)->entry.reason, "audit-stratified");
}

// The item-hold migration (quarantine, delete) on a database at the version before it: its items
// are in the project (no hold), appear in scans, and can be quarantined and deleted.
TEST(MigrationsTest, ItemsFromBeforeTheItemHoldMigrationAreInTheProjectAndCanBeQuarantined) {
  size_t before = 0;
  for (size_t v = 0; v < Migrations().size(); ++v) {
    if (std::string(Migrations()[v]).find("ADD COLUMN hold") != std::string::npos) before = v;
  }
  ASSERT_GT(before, 0u);
  testing::TempDir dir;
  const std::string path = dir.File("old.db");
  ASSERT_EQ(MakeDatabaseAt(path, before), "");
  ASSERT_EQ(testing::RawExec(path, R"sql(
INSERT INTO projects(id, name, task_type, created_at) VALUES(1, 'p', 'single-label', 1);
INSERT INTO labels(project_id, idx, name, created_at) VALUES(1, 0, 'ham', 1), (1, 1, 'spam', 1);
INSERT INTO items(id, project_id, external_id, text, content_hash, split, state, created_at)
  VALUES(1, 1, 'x1', 'first', 'h1', 'pool', 'queued', 1), (2, 1, 'x2', 'second', 'h2', 'pool', 'unlabeled', 1);
INSERT INTO queue(id, project_id, item_id, pool, kind, priority, overlap, done, open, created_at)
  VALUES(1, 1, 1, 'general', 'review', 0.5, 1, 0, 1, 1);
)sql"),
            "");
  auto opened = OpenSqliteStore(path, OpenMode::kMustExist);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), static_cast<int64_t>(Migrations().size()));
  std::vector<std::string> seen;
  ASSERT_TRUE(store.ScanItems(1, [&](const Item& it) {
    seen.push_back(it.external_id + "/" + it.hold);
    return true;
  }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"x1/", "x2/"}));
  ASSERT_TRUE(store.SetItemHold(1, "x1", Store::ItemHold::kQuarantined).ok());
  ASSERT_TRUE(store.SetItemHold(1, "x2", Store::ItemHold::kDeleted).ok());
  EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM queue WHERE open=1"), 0);
  EXPECT_EQ(QueryInt(path, "SELECT n FROM queue_open_counts WHERE project_id=1"), 0);
  auto st = store.GetStatus(1);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->quarantined, 1);
  EXPECT_EQ(st->deleted, 1);
  EXPECT_EQ(st->items, 0);
}

}  // namespace
}  // namespace hitloop::sqlite
