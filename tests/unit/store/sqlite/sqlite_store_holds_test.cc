// Store::SetItemHold: quarantine, delete and restore of items (migration 9).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/open.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class StoreHoldsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("h.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Project p;
    p.name = "p";
    p.labels = {"a", "b"};
    auto created = store_->CreateProject(p);
    ASSERT_TRUE(created.ok());
    pid_ = created->id;
    for (const char* ext : {"x1", "x2", "x3"}) {
      Item it;
      it.project_id = pid_;
      it.external_id = ext;
      it.text = std::string("text of ") + ext;
      it.vector = {1, 2, 3};
      it.meta_json = R"({"k":"v"})";
      it.content_hash = ext;
      int64_t id = 0;
      ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
      ids_.push_back(id);
    }
  }
  std::vector<std::string> Scan(bool with_quarantined) {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->ScanItems(pid_, [&](const Item& it) {
      out.push_back(it.external_id + (it.hold.empty() ? "" : ":" + it.hold));
      return true;
    }, true, with_quarantined).ok());
    return out;
  }
  int64_t OpenEntries() {
    int64_t n = 0;
    EXPECT_TRUE(store_->ScanOpenQueue(pid_, [&](const QueueEntry&) { return ++n, true; }).ok());
    return n;
  }
  hitloop::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  int64_t pid_ = 0;
  std::vector<int64_t> ids_;
};

TEST_F(StoreHoldsTest, QuarantineClosesQueueEntriesReleasesLeasesAndRefusesAnswers) {
  QueueEntry e;
  e.project_id = pid_;
  e.item_id = ids_[0];
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ClaimRequest req;
  req.project_id = pid_;
  req.annotator = "ann";
  req.pools = {"general"};
  req.now = 1000;
  auto claim = store_->Claim(req);
  ASSERT_TRUE(claim.ok() && claim->has_value());
  ASSERT_EQ(store_->GetStatus(pid_)->queued, 1);

  ASSERT_TRUE(store_->SetItemHold(pid_, "x1", Store::ItemHold::kQuarantined).ok());
  EXPECT_EQ(OpenEntries(), 0);
  auto st = store_->GetStatus(pid_);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->queued, 0);  // the open-count triggers followed
  EXPECT_EQ(st->quarantined, 1);
  EXPECT_EQ(st->items, 2);
  EXPECT_EQ(store_->GetLease((*claim)->lease.id)->state, LeaseState::kReleased);
  EXPECT_EQ(store_->FinishLease((*claim)->lease.id, "ann", LeaseState::kSubmitted, 2000).code(),
            StatusCode::kConflict);
  Annotation a;
  a.item_id = ids_[0];
  a.labels = {"a"};
  a.annotator = "ann";
  EXPECT_EQ(store_->AppendAnnotation(a).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Scan(false), (std::vector<std::string>{"x2", "x3"}));
  EXPECT_EQ(Scan(true), (std::vector<std::string>{"x1:quarantined", "x2", "x3"}));
}

TEST_F(StoreHoldsTest, DeleteErasesContentAndPredictionsButKeepsTheHistory) {
  Annotation a;
  a.item_id = ids_[1];
  a.labels = {"b"};
  a.annotator = "ann";
  ASSERT_TRUE(store_->AppendAnnotation(a).ok());
  Prediction p;
  p.item_id = ids_[1];
  p.model_version = "m1";
  p.label = "b";
  p.confidence = 0.9;
  ASSERT_TRUE(store_->PutPrediction(p).ok());

  ASSERT_TRUE(store_->SetItemHold(pid_, "x2", Store::ItemHold::kDeleted).ok());
  auto gone = store_->GetItem(ids_[1]);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->hold, "deleted");
  EXPECT_EQ(gone->text, "");
  EXPECT_TRUE(gone->vector.empty());
  EXPECT_EQ(gone->meta_json, "{}");
  EXPECT_FALSE(store_->LatestPrediction(ids_[1])->has_value());
  EXPECT_EQ(store_->ListAnnotations(ids_[1])->size(), 1u);  // append-only history stays
  EXPECT_EQ(Scan(true), (std::vector<std::string>{"x1", "x3"}));
  EXPECT_EQ(store_->GetStatus(pid_)->deleted, 1);

  // Final: no way back, and re-importing the id adds nothing.
  EXPECT_EQ(store_->SetItemHold(pid_, "x2", Store::ItemHold::kNone).code(), StatusCode::kConflict);
  EXPECT_EQ(store_->SetItemHold(pid_, "x2", Store::ItemHold::kQuarantined).code(), StatusCode::kConflict);
  EXPECT_TRUE(store_->SetItemHold(pid_, "x2", Store::ItemHold::kDeleted).ok());  // no-op
  Item again;
  again.project_id = pid_;
  again.external_id = "x2";
  again.text = "back?";
  again.content_hash = "x2";
  int64_t id = 0;
  EXPECT_EQ(*store_->PutItem(again, "t2", &id), PutItemResult::kExisting);
  EXPECT_EQ(store_->GetItem(ids_[1])->text, "");
}

TEST_F(StoreHoldsTest, RestoreAndUnknownIds) {
  ASSERT_TRUE(store_->SetItemHold(pid_, "x3", Store::ItemHold::kQuarantined).ok());
  ASSERT_TRUE(store_->SetItemHold(pid_, "x3", Store::ItemHold::kQuarantined).ok());  // no-op
  ASSERT_TRUE(store_->SetItemHold(pid_, "x3", Store::ItemHold::kNone).ok());
  EXPECT_EQ(Scan(false), (std::vector<std::string>{"x1", "x2", "x3"}));
  EXPECT_EQ(store_->SetItemHold(pid_, "nope", Store::ItemHold::kQuarantined).code(), StatusCode::kNotFound);
  // Inside a transaction the whole batch is one: a later unknown id undoes an earlier hold.
  Status st = store_->InTransaction([&]() -> Status {
    RETURN_IF_ERROR(store_->SetItemHold(pid_, "x1", Store::ItemHold::kDeleted));
    return store_->SetItemHold(pid_, "nope", Store::ItemHold::kDeleted);
  });
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetItem(ids_[0])->hold, "");
  EXPECT_EQ(store_->GetItem(ids_[0])->text, "text of x1");
}

}  // namespace
}  // namespace hitloop
