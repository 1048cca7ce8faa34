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

}  // namespace
}  // namespace hitloop::loop
