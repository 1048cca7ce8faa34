#include "loop/answer.h"

#include <gtest/gtest.h>

#include "loop_store_fixture.h"

namespace hitloop::loop {
namespace {

class AnswerTest : public LoopStoreFixture {};

TEST_F(AnswerTest, DisagreementUnderOverlapEnqueuesAdjudicationAgreementDoesNot) {
  AddItems(2, Split::kPool, 1);
  std::vector<int64_t> ids;
  for (const auto& [id, y] : gold_) ids.push_back(id);
  for (int64_t id : ids) {
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = id;
    e.kind = "review";
    e.overlap = 2;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  EXPECT_EQ(AnswerAll("alice", {"review"}), 2);
  // Nothing to adjudicate before the second answer.
  EXPECT_EQ(AnswerAll("reviewer", {"adjudicate"}), 0);
  // bob agrees on nothing: both items now have disagreeing answers.
  EXPECT_EQ(AnswerAll("bob", {"review"}, /*wrong=*/true), 2);
  int adjudicate = 0;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    adjudicate += q.kind == "adjudicate";
    return true;
  }).ok());
  EXPECT_EQ(adjudicate, 2);
  EXPECT_EQ(AnswerAll("reviewer", {"adjudicate"}), 2);
  auto history = store_->ListAnnotations(ids[0]);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().kind, "adjudicate");
  EXPECT_EQ(history->back().source, LabelSource::kHuman);

  // Agreement: no adjudication.
  AddItems(1, Split::kPool, 2);
  const int64_t third = gold_.rbegin()->first;
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = third;
  e.kind = "review";
  e.overlap = 2;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  EXPECT_EQ(AnswerAll("alice", {"review"}), 1);
  EXPECT_EQ(AnswerAll("bob", {"review"}), 1);
  EXPECT_EQ(AnswerAll("reviewer", {"adjudicate"}), 0);
}

TEST_F(AnswerTest, AuditLeasesRecordAuditLabels) {
  AddItems(1, Split::kPool, 3);
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = gold_.begin()->first;
  e.kind = "audit";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  EXPECT_EQ(AnswerAll("alice", {"audit"}), 1);
  auto it = store_->GetItem(e.item_id);
  ASSERT_TRUE(it.ok());
  EXPECT_EQ(it->label_source, LabelSource::kAudit);
}

// The server runs RecordAnswer inside a shared transaction (group commit): it must join it, and
// a failing answer must leave the other writes of that transaction alone.
TEST_F(AnswerTest, JoinsAnEnclosingTransactionAndFailsAlone) {
  AddItems(2, Split::kPool, 4);
  for (const auto& [id, y] : gold_) {
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = id;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  std::vector<Lease> leases;
  for (int i = 0; i < 2; ++i) {
    auto c = store_->Claim({project_.id, "alice", {"general"}, {}, now_, 60000});
    ASSERT_TRUE(c.ok() && c->has_value());
    leases.push_back((*c)->lease);
  }
  Answer good;
  good.labels = {"ham"};
  Answer bad;
  bad.labels = {"ham"};

  // Rolled back with the enclosing transaction: nothing of the answer stays.
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(RecordAnswer(*store_, project_, leases[0], "alice", good, now_).ok());
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_EQ(store_->GetLease(leases[0].id)->state, "active");
  EXPECT_TRUE(store_->ListAnnotations(leases[0].item_id)->empty());

  // In one transaction: a good answer, then one that fails after it finished the lease (its
  // annotation's item does not exist), then the good answer's effects still commit.
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(RecordAnswer(*store_, project_, leases[0], "alice", good, now_).ok());
  Lease broken = leases[1];
  broken.item_id = 999999;  // FinishLease succeeds, AppendAnnotation then fails: NotFound
  EXPECT_EQ(RecordAnswer(*store_, project_, broken, "alice", bad, now_).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(store_->GetLease(leases[0].id)->state, "submitted");
  EXPECT_EQ(store_->ListAnnotations(leases[0].item_id)->size(), 1u);
  // The failed answer's lease finish was undone with it.
  EXPECT_EQ(store_->GetLease(leases[1].id)->state, "active");
  EXPECT_TRUE(store_->ListAnnotations(leases[1].item_id)->empty());
}

}  // namespace
}  // namespace hitloop::loop
