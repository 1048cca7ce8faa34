// The admin action log (store/action_log.h) on every backend: entries are written in the change's
// transaction (a rolled-back change leaves none), read back newest-N oldest first with filters
// and paging, and cannot be changed or deleted.
#include "store/action_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class ActionLogTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    if (auto why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << GetParam().name << ": " << why;
    auto s = GetParam().open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    GetParam().cleanup(dir_.path());
  }
  static AdminAction Action(const std::string& actor, const std::string& action, const std::string& project,
                            const std::string& target, int64_t at) {
    AdminAction a;
    a.actor = actor;
    a.action = action;
    a.project = project;
    a.target = target;
    a.at = at;
    a.detail = R"({"n":1})";
    return a;
  }
  std::vector<std::string> Actions(const AdminActionQuery& q) {
    auto r = ListAdminActions(*store_, q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& a : *r) out.push_back(a.actor + " " + a.action + " " + a.target);
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(ActionLogTest, EntriesCommitWithTheirChangeAndRollBackWithIt) {
  ASSERT_TRUE(store_->InTransaction([&]() -> Status {
    Project p;
    p.name = "p";
    p.labels = {"a", "b"};
    RETURN_IF_ERROR(store_->CreateProject(p).status());
    return AppendAdminAction(*store_, Action("root", "project.create", "p", "p", 1));
  }).ok());
  // A change that fails takes its entry with it.
  Status failed = store_->InTransaction([&]() -> Status {
    RETURN_IF_ERROR(AppendAdminAction(*store_, Action("root", "label.add", "p", "c", 2)));
    return Conflict("the change itself failed");
  });
  EXPECT_EQ(failed.code(), StatusCode::kConflict);
  EXPECT_EQ(Actions({}), (std::vector<std::string>{"root project.create p"}));
  auto all = ListAdminActions(*store_, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].at, 1);
  EXPECT_EQ((*all)[0].project, "p");
  EXPECT_EQ((*all)[0].detail, R"({"n":1})");
  EXPECT_GT((*all)[0].id, 0);
}

TEST_P(ActionLogTest, TheNewestAreListedOldestFirstWithFiltersAndPaging) {
  ASSERT_TRUE(store_->InTransaction([&]() -> Status {
    for (int i = 0; i < 5; ++i) {
      RETURN_IF_ERROR(AppendAdminAction(*store_, Action(i % 2 ? "bob" : "ann", "items.quarantine",
                                                        i < 3 ? "p" : "q", "t" + std::to_string(i), 10 + i)));
    }
    return Status::Ok();
  }).ok());
  EXPECT_EQ(Actions({}).size(), 5u);
  AdminActionQuery q;
  q.limit = 2;
  EXPECT_EQ(Actions(q), (std::vector<std::string>{"bob items.quarantine t3", "ann items.quarantine t4"}));
  auto page = ListAdminActions(*store_, q);
  ASSERT_TRUE(page.ok());
  q.before_id = (*page)[0].id;
  EXPECT_EQ(Actions(q), (std::vector<std::string>{"bob items.quarantine t1", "ann items.quarantine t2"}));
  AdminActionQuery by_project;
  by_project.project = "q";
  EXPECT_EQ(Actions(by_project), (std::vector<std::string>{"bob items.quarantine t3", "ann items.quarantine t4"}));
  AdminActionQuery by_actor;
  by_actor.actor = "bob";
  EXPECT_EQ(Actions(by_actor), (std::vector<std::string>{"bob items.quarantine t1", "bob items.quarantine t3"}));
  AdminActionQuery bad;
  bad.limit = 0;
  EXPECT_EQ(ListAdminActions(*store_, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(ActionLogTest, BadEntriesAreRefused) {
  ASSERT_TRUE(store_->InTransaction([&]() -> Status {
    EXPECT_EQ(AppendAdminAction(*store_, Action("", "x", "", "", 1)).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(AppendAdminAction(*store_, Action("a", "", "", "", 1)).code(), StatusCode::kInvalidArgument);
    AdminAction not_object = Action("a", "x", "", "", 1);
    not_object.detail = "[1]";
    EXPECT_EQ(AppendAdminAction(*store_, not_object).code(), StatusCode::kInvalidArgument);
    return Status::Ok();
  }).ok());
  EXPECT_TRUE(Actions({}).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ActionLogTest, ::testing::ValuesIn(testing::kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

// SQLite: an entry outside a transaction could not be tied to a change: refused.
TEST(ActionLogSqliteTest, AnEntryOutsideATransactionIsRefused) {
  testing::TempDir dir;
  auto s = OpenSqliteStore(dir.File("h.db"));
  ASSERT_TRUE(s.ok());
  AdminAction a;
  a.actor = "root";
  a.action = "user.create";
  EXPECT_EQ(AppendAdminAction(**s, a).code(), StatusCode::kInternal);
}

// The table is append-only: neither UPDATE nor DELETE gets past it (as the annotation history).
TEST(ActionLogSqliteTest, TheLogIsAppendOnly) {
  testing::TempDir dir;
  const std::string path = dir.File("h.db");
  {
    auto s = OpenSqliteStore(path);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->InTransaction([&]() -> Status {
      AdminAction a;
      a.actor = "root";
      a.action = "user.disable";
      a.target = "mallory";
      return AppendAdminAction(**s, a);
    }).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  for (const char* sql : {"UPDATE admin_actions SET actor='nobody'", "DELETE FROM admin_actions"}) {
    char* err = nullptr;
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << sql;
    EXPECT_NE(std::string(err ? err : "").find("append-only"), std::string::npos);
    sqlite3_free(err);
  }
  sqlite3_close(db);
}

}  // namespace
}  // namespace hitloop
