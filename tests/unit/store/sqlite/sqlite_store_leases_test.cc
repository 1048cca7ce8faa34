// A lease's kind and state are enums in memory (schema/types.h) and text in the database: text
// no version writes (a database edited by hand) is a Corruption naming the lease, never a crash
// nor a guess.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "store/open.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "unit/store/sqlite/raw_sql.h"

namespace hitloop {
namespace {

class SqliteLeaseTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("l.db");
    auto s = OpenSqliteStore(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Project p;
    p.name = "p";
    p.labels = {"a", "b"};
    auto created = (*s)->CreateProject(p);
    ASSERT_TRUE(created.ok());
    project_ = created->id;
    for (const char* ext : {"x1", "x2"}) {
      Item it;
      it.project_id = project_;
      it.external_id = ext;
      it.text = ext;
      it.content_hash = ext;
      int64_t id = 0;
      ASSERT_TRUE((*s)->PutItem(it, "t", &id).ok());
      QueueEntry e;
      e.project_id = project_;
      e.item_id = id;
      e.kind = "audit";
      ASSERT_TRUE((*s)->Enqueue(e).ok());
    }
    auto c = (*s)->Claim(Request());
    ASSERT_TRUE(c.ok() && c->has_value());
    EXPECT_EQ((*c)->lease.kind, LeaseKind::kAudit);
    lease_ = (*c)->lease.id;
    ASSERT_TRUE((*s)->FinishLease(lease_, "ann", LeaseState::kSubmitted, 1001).ok());
  }
  ClaimRequest Request() const {
    ClaimRequest req;
    req.project_id = project_;
    req.annotator = "ann";
    req.pools = {"general"};
    req.now = 1000;
    return req;
  }
  std::unique_ptr<Store> Reopen() {
    auto s = OpenSqliteStore(path_, OpenMode::kMustExist);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  testing::TempDir dir_;
  std::string path_;
  int64_t project_ = 0;
  std::string lease_;
};

TEST_F(SqliteLeaseTextTest, StoredTextReadsBackAsTheEnums) {
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto l = store->GetLease(lease_);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->kind, LeaseKind::kAudit);
  EXPECT_EQ(l->state, LeaseState::kSubmitted);
  EXPECT_EQ(store->FinishLease(lease_, "ann", LeaseState::kActive, 1002).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqliteLeaseTextTest, UnknownKindInTheDatabaseIsACorruptionNamingTheLease) {
  ASSERT_EQ(testing::RawExec(path_, "UPDATE leases SET kind='triage' WHERE id='" + lease_ + "'"), "");
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto l = store->GetLease(lease_);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kCorruption);
  EXPECT_NE(l.status().message().find("lease " + lease_), std::string::npos)
      << l.status().message();
  EXPECT_NE(l.status().message().find("'triage'"), std::string::npos) << l.status().message();
  EXPECT_EQ(store->ListSubmittedLeases(project_, "ann", 10).status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace hitloop
