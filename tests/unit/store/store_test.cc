// The Store contract, written against the interface: every backend runs this same suite.
// A backend joins by adding itself to kStoreBackends (tests/support/store_backends.h).
#include "store/operations.h"
#include "store/store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

using testing::kStoreBackends;
using testing::StoreBackend;

class StoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    if (auto why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << GetParam().name << ": " << why;
    auto s = GetParam().open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Project p;
    p.name = "spam";
    p.labels = {"ham", "spam"};
    auto created = store_->CreateProject(p);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_ = *created;
  }
  std::unique_ptr<Store> Reopen() {
    auto s = GetParam().open(dir_.path());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  int64_t AddItem(const std::string& ext, const std::string& text = "hello") {
    Item it;
    it.project_id = project_.id;
    it.external_id = ext;
    it.text = text;
    it.content_hash = "h" + ext;
    int64_t id = 0;
    auto r = store_->PutItem(it, "", &id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return id;
  }

  // Claims for `who` on `s` until nothing is left for them, calling `got` with each claim.
  // "Nothing" from PostgreSQL can be momentary (it passes over entries other connections are
  // claiming at that instant), so it is final only once the queue is empty or it has lasted.
  void ClaimUntilDone(Store& s, const std::string& who,
                      const std::function<void(const ClaimResult&)>& got) {
    int empty = 0;
    for (;;) {
      ClaimRequest req{project_.id, who, {"general"}, {}, 1000, 600000};
      auto c = s.Claim(req);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      if (!c->has_value()) {
        auto open = s.CountOpenQueue(project_.id, {"general"});
        ASSERT_TRUE(open.ok()) << open.status().ToString();
        if (*open == 0 || ++empty > 200) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      empty = 0;
      Status st = s.FinishLease((*c)->lease.id, who, LeaseState::kSubmitted, 1001);
      ASSERT_TRUE(st.ok()) << st.ToString();
      got(**c);
    }
  }

  void TearDown() override {
    store_.reset();
    GetParam().cleanup(dir_.path());
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_P(StoreTest, ProjectNamesAreUnique) {
  Project p;
  p.name = "spam";
  p.labels = {"x"};
  auto r = store_->CreateProject(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
}

TEST_P(StoreTest, LabelSetGrowsByAppendingOnly) {
  ASSERT_TRUE(store_->AddLabel(project_.id, "phishing").ok());
  EXPECT_EQ(store_->AddLabel(project_.id, "ham").code(), StatusCode::kAlreadyExists);
  auto p = store_->GetProject("spam");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->labels, (std::vector<std::string>{"ham", "spam", "phishing"}));
  EXPECT_EQ(p->LabelIndex("phishing"), 2);
}

TEST_P(StoreTest, PutItemIsIdempotentByExternalId) {
  Item it;
  it.project_id = project_.id;
  it.external_id = "a";
  it.text = "x";
  it.content_hash = "h";
  int64_t id1 = 0, id2 = 0;
  EXPECT_EQ(*store_->PutItem(it, "import-1", &id1), PutItemResult::kInserted);
  EXPECT_EQ(*store_->PutItem(it, "import-1", &id2), PutItemResult::kDuplicateInImport);
  EXPECT_EQ(id1, id2);
  EXPECT_EQ(*store_->PutItem(it, "import-2", &id2), PutItemResult::kExisting);
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 1);
}

// PutItems (the import's batch write: one multi-row INSERT per 1,000 items on PostgreSQL) gives
// each item exactly what PutItem one by one would: new, already present (another import),
// repeated within this import (this batch or an earlier one), or refused with its reason while
// the others are written.
TEST_P(StoreTest, PutItemsGivesEachItemWhatPutItemWould) {
  auto make = [&](const std::string& id, std::vector<float> v = {}) {
    Item it;
    it.project_id = project_.id;
    it.external_id = id;
    it.text = "text of " + id;
    it.content_hash = "h" + id;
    it.vector = std::move(v);
    return it;
  };
  int64_t old_id = 0;
  ASSERT_EQ(*store_->PutItem(make("old", {1, 2}), "import-0", &old_id), PutItemResult::kInserted);
  int64_t early_id = 0;
  ASSERT_EQ(*store_->PutItem(make("early", {1, 2}), "import-1", &early_id), PutItemResult::kInserted);
  std::vector<Item> batch = {make("a", {1, 2}), make("old", {3, 4}), make("a", {5, 6}),
                             make("early", {1, 2}), make("bad", {1, 2, 3}), make("b")};
  auto r = store_->PutItems(batch, "import-1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& out = *r;
  ASSERT_EQ(out.size(), batch.size());
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_EQ(out[0].result, PutItemResult::kInserted);
  EXPECT_EQ(out[1].result, PutItemResult::kExisting);
  EXPECT_EQ(out[1].id, old_id);
  EXPECT_EQ(out[2].result, PutItemResult::kDuplicateInImport);
  EXPECT_EQ(out[2].id, out[0].id);
  EXPECT_EQ(out[3].result, PutItemResult::kDuplicateInImport);
  EXPECT_EQ(out[3].id, early_id);
  EXPECT_EQ(out[4].status.code(), StatusCode::kInvalidArgument) << out[4].status.ToString();
  EXPECT_NE(out[4].status.message().find("dimensions"), std::string::npos);
  EXPECT_TRUE(out[5].status.ok());
  EXPECT_EQ(out[5].result, PutItemResult::kInserted);
  auto a = store_->GetItem(out[0].id);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->text, "text of a");
  EXPECT_EQ(a->vector, (std::vector<float>{1, 2}));
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 4);  // old, early, a, b
  // More than one INSERT's worth (1,000 rows a statement on PostgreSQL).
  std::vector<Item> many;
  for (int i = 0; i < 2500; ++i) many.push_back(make("m" + std::to_string(i)));
  auto m = store_->PutItems(many, "import-2");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  for (const auto& o : *m) ASSERT_EQ(o.result, PutItemResult::kInserted);
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 2504);
  auto last = store_->FindItem(project_.id, "m2499");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->id, m->back().id);
}

TEST_P(StoreTest, VectorsAndMetaRoundTrip) {
  Item it;
  it.project_id = project_.id;
  it.external_id = "v";
  it.vector = {1.5f, -2.0f, 0.25f};
  it.meta_json = R"({"domain":"medical"})";
  it.content_hash = "h";
  it.split = Split::kGold;
  int64_t id = 0;
  ASSERT_TRUE(store_->PutItem(it, "", &id).ok());
  auto got = store_->GetItem(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->vector, it.vector);
  EXPECT_EQ(got->meta_json, it.meta_json);
  EXPECT_EQ(got->split, Split::kGold);
}

TEST_P(StoreTest, AnnotationsAreAppendOnlyAndPeopleWinOverMachines) {
  int64_t id = AddItem("a");
  Annotation human;
  human.item_id = id;
  human.labels = {"spam"};
  human.annotator = "alice";
  ASSERT_TRUE(store_->AppendAnnotation(human).ok());
  Annotation model;
  model.item_id = id;
  model.labels = {"ham"};
  model.source = LabelSource::kModel;
  model.annotator = "model-v1";
  model.confidence = 0.99;
  ASSERT_TRUE(store_->AppendAnnotation(model).ok());
  auto item = store_->GetItem(id);
  EXPECT_EQ(item->labels, std::vector<std::string>{"spam"});
  EXPECT_EQ(item->label_source, LabelSource::kHuman);
  EXPECT_EQ(item->state, ItemState::kLabeled);
  auto history = store_->ListAnnotations(id);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].annotator, "model-v1");
}

TEST_P(StoreTest, TransactionRollbackLeavesNothing) {
  ASSERT_TRUE(store_->Begin().ok());
  AddItem("a");
  AddItem("b");
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 0);
  Status st = store_->InTransaction([&] {
    AddItem("c");
    return InvalidArgument("boom");
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 0);
}

// A throw inside InTransaction (a defect, e.g. a JSON dump of bytes that are not UTF-8) undoes the
// transaction before it goes on: the connection is not left holding it (a server would keep the
// write lock for good).
TEST_P(StoreTest, AThrowInsideATransactionRollsItBackAndPassesOn) {
  EXPECT_THROW((void)store_->InTransaction([&]() -> Status {
    AddItem("a");
    throw std::runtime_error("defect");
  }),
               std::runtime_error);
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 0);
  EXPECT_EQ(store_->Commit().code(), StatusCode::kFailedPrecondition);  // no transaction left open
  AddItem("b");
  store_.reset();
  EXPECT_EQ(Reopen()->GetStatus(project_.id)->items, 1);
}

TEST_P(StoreTest, NestedRollbackUndoesOnlyTheInnerWrites) {
  ASSERT_TRUE(store_->Begin().ok());
  AddItem("a");
  ASSERT_TRUE(store_->Begin().ok());
  AddItem("b");
  ASSERT_TRUE(store_->Rollback().ok());
  AddItem("c");
  ASSERT_TRUE(store_->Commit().ok());
  store_.reset();
  auto s = Reopen();
  EXPECT_EQ(s->GetStatus(project_.id)->items, 2);
  EXPECT_TRUE(s->FindItem(project_.id, "a")->has_value());
  EXPECT_FALSE(s->FindItem(project_.id, "b")->has_value());
  EXPECT_TRUE(s->FindItem(project_.id, "c")->has_value());
}

TEST_P(StoreTest, OuterRollbackUndoesCommittedInnerTransactions) {
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->InTransaction([&] {
    AddItem("a");
    return store_->InTransaction([&] {
      AddItem("b");
      return Status::Ok();
    });
  }).ok());
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 2);  // visible inside the transaction
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 0);
  // The store is usable afterwards, with no transaction left open.
  AddItem("c");
  EXPECT_EQ(store_->Commit().code(), StatusCode::kFailedPrecondition);  // nothing to commit
  store_.reset();
  EXPECT_EQ(Reopen()->GetStatus(project_.id)->items, 1);
}

TEST_P(StoreTest, FailedWriteMethodInsideATransactionLeavesItAsItWas) {
  int64_t a = AddItem("a");
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = a;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  auto claimed = store_->Claim({project_.id, "alice", {"general"}, {}, 1000, 60000});
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  const std::string lease = (*claimed)->lease.id;

  ASSERT_TRUE(store_->Begin().ok());
  AddItem("b");
  // Someone else's lease: Conflict, and nothing of the attempt stays in the transaction.
  EXPECT_EQ(store_->FinishLease(lease, "bob", LeaseState::kSubmitted, 2000).code(),
            StatusCode::kConflict);
  ASSERT_TRUE(store_->FinishLease(lease, "alice", LeaseState::kSubmitted, 2000).ok());
  // The second submit of the same lease fails inside the same transaction...
  EXPECT_EQ(store_->FinishLease(lease, "alice", LeaseState::kSubmitted, 2001).code(),
            StatusCode::kConflict);
  ASSERT_TRUE(store_->Commit().ok());
  // ...and the first one's effects (one submission, entry closed) are what committed.
  auto l = store_->GetLease(lease);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->state, LeaseState::kSubmitted);
  auto entry = store_->LatestQueueEntry(a, "review");
  ASSERT_TRUE(entry.ok() && entry->has_value());
  EXPECT_EQ((*entry)->done, 1);
  EXPECT_EQ(store_->GetStatus(project_.id)->items, 2);
}

TEST_P(StoreTest, UnbalancedTransactionCallsAreRefused) {
  EXPECT_EQ(store_->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Rollback().ok());  // no-op outside a transaction
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->Commit().ok());
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(store_->Commit().code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreTest, CommittedDataSurvivesReopen) {
  AddItem("a");
  store_.reset();
  auto s = Reopen();
  auto p = s->GetProject("spam");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(s->GetStatus(p->id)->items, 1);
  EXPECT_TRUE(s->CheckIntegrity().ok());
}

TEST_P(StoreTest, PredictionsKeepFullDistribution) {
  int64_t id = AddItem("a");
  Prediction p;
  p.item_id = id;
  p.model_version = "m1";
  p.distribution = {0.2, 0.8};
  p.label = "spam";
  p.confidence = 0.8;
  ASSERT_TRUE(store_->PutPrediction(p).ok());
  auto got = store_->LatestPrediction(id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->distribution, p.distribution);
  EXPECT_EQ(store_->GetStatus(project_.id)->predictions, 1);
}

// PutPredictions writes what PutPrediction would, row for row (PostgreSQL: 1,000 rows a
// statement), replaces an item's prediction of the same version, and refuses a missing item.
TEST_P(StoreTest, PutPredictionsIsPutPredictionForEachRow) {
  std::vector<Prediction> ps;
  for (int i = 0; i < 2500; ++i) {
    Prediction p;
    p.item_id = AddItem("i" + std::to_string(i));
    p.model_version = i % 2 ? "m1" : "m2";
    p.label = i % 3 ? "ham" : "spam";
    p.confidence = 0.5 + (i % 50) / 100.0;
    if (i % 7) p.distribution = {1.0 - p.confidence, p.confidence};
    p.created_at = 1000 + i;
    ps.push_back(p);
  }
  ASSERT_TRUE(store_->PutPredictions(ps).ok());
  ps[5].label = "spam";  // the same item and version again: replaced
  ps[5].confidence = 0.99;
  ASSERT_TRUE(store_->PutPredictions(std::span<const Prediction>(ps).subspan(5, 1)).ok());
  for (int i : {0, 5, 6, 999, 1000, 2499}) {
    auto got = store_->LatestPrediction(ps[i].item_id);
    ASSERT_TRUE(got.ok() && got->has_value()) << i;
    EXPECT_EQ((*got)->model_version, ps[i].model_version);
    EXPECT_EQ((*got)->label, ps[i].label) << i;
    EXPECT_DOUBLE_EQ((*got)->confidence, ps[i].confidence);
    EXPECT_EQ((*got)->distribution, ps[i].distribution);
    EXPECT_EQ((*got)->created_at, ps[i].created_at);
  }
  EXPECT_EQ(store_->GetStatus(project_.id)->predictions, 2500);
  // Two rows of one item and version in one call (one statement may not upsert a row twice).
  std::vector<Prediction> twice = {ps[1], ps[1]};
  twice[1].label = "spam";
  ASSERT_TRUE(store_->PutPredictions(twice).ok());
  EXPECT_EQ((*store_->LatestPrediction(ps[1].item_id))->label, "spam");
  Prediction ghost = ps[2];
  ghost.item_id = 987654321;
  std::vector<Prediction> bad = {ps[3], ghost};
  EXPECT_FALSE(store_->PutPredictions(bad).ok());  // PostgreSQL: NotFound; SQLite: the NOT NULL project_id
}

// A cycle's predictions are staged (written in short transactions, hidden) and published in its
// final transaction; a version never published is dropped, rows and all.
TEST_P(StoreTest, StagedPredictionsAreHiddenUntilPublishedAndDroppedIfNever) {
  const int64_t a = AddItem("a"), b = AddItem("b");
  auto put = [&](int64_t item, const std::string& version, const std::string& label, int64_t at) {
    Prediction p;
    p.item_id = item;
    p.model_version = version;
    p.label = label;
    p.confidence = 0.7;
    p.distribution = {0.3, 0.7};
    p.created_at = at;
    ASSERT_TRUE(store_->PutPrediction(p).ok());
  };
  auto latest = [&](int64_t item) -> std::string {
    auto got = store_->LatestPrediction(item);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() && got->has_value() ? (*got)->model_version : "";
  };
  auto scanned = [&](Store& s) {
    std::map<int64_t, std::string> out;
    EXPECT_TRUE(s.ScanLatestPredictions(project_.id, 0, [&](const Prediction& p) {
      out[p.item_id] = p.model_version;
      return true;
    }).ok());
    return out;
  };
  put(a, "m1", "ham", 100);
  ASSERT_TRUE(store_->StagePredictions(project_.id, "m2", 150).ok());
  EXPECT_EQ(store_->StagePredictions(project_.id, "m2", 160).code(), StatusCode::kAlreadyExists);
  put(a, "m2", "spam", 200);
  put(b, "m2", "spam", 200);
  EXPECT_EQ(latest(a), "m1");
  EXPECT_EQ(latest(b), "");
  EXPECT_EQ(scanned(*store_), (std::map<int64_t, std::string>{{a, "m1"}}));
  EXPECT_EQ(store_->GetStatus(project_.id)->predictions, 1);
  {
    auto other = Reopen();  // another connection sees the same
    EXPECT_EQ(scanned(*other), (std::map<int64_t, std::string>{{a, "m1"}}));
  }

  ASSERT_TRUE(store_->PublishPredictions(project_.id, "m2").ok());
  EXPECT_EQ(latest(a), "m2");
  EXPECT_EQ(latest(b), "m2");
  EXPECT_EQ(store_->GetStatus(project_.id)->predictions, 2);
  EXPECT_EQ(store_->PublishPredictions(project_.id, "m2").code(), StatusCode::kFailedPrecondition);

  // A version that is never published (its cycle failed): dropped in chunks of one item id.
  ASSERT_TRUE(store_->StagePredictions(project_.id, "m3", 250).ok());
  put(a, "m3", "ham", 300);
  put(b, "m3", "ham", 300);
  auto dropped = store_->DropStagedPredictions(project_.id, 1);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(*dropped, 2);
  EXPECT_EQ(latest(a), "m2");
  EXPECT_EQ(store_->PublishPredictions(project_.id, "m3").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store_->DropStagedPredictions(project_.id), 0);
  // Published rows are never dropped.
  EXPECT_EQ(scanned(*store_), (std::map<int64_t, std::string>{{a, "m2"}, {b, "m2"}}));
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

TEST_P(StoreTest, ClaimServesHighestPriorityAndRespectsOverlap) {
  int64_t a = AddItem("a"), b = AddItem("b");
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = a;
  e.priority = 0.1;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  e.item_id = b;
  e.priority = 0.9;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ClaimRequest req;
  req.project_id = project_.id;
  req.annotator = "alice";
  req.pools = {"general"};
  req.now = 1000;
  auto c1 = store_->Claim(req);
  ASSERT_TRUE(c1.ok() && c1->has_value());
  EXPECT_EQ((*c1)->lease.item_id, b);
  req.annotator = "bob";
  auto c2 = store_->Claim(req);
  ASSERT_TRUE(c2.ok() && c2->has_value());
  EXPECT_EQ((*c2)->lease.item_id, a);
  req.annotator = "carol";
  auto c3 = store_->Claim(req);
  ASSERT_TRUE(c3.ok());
  EXPECT_FALSE(c3->has_value()) << "overlap 1: both items are held";
}

TEST_P(StoreTest, ExpiredLeaseIsClaimableAgainAndItsSubmitRefused) {
  int64_t a = AddItem("a");
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = a;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ClaimRequest req{project_.id, "alice", {"general"}, {}, 1000, 500};
  auto c1 = store_->Claim(req);
  ASSERT_TRUE(c1->has_value());
  req.annotator = "bob";
  req.now = 1600;  // alice's lease expired at 1500
  auto c2 = store_->Claim(req);
  ASSERT_TRUE(c2->has_value());
  EXPECT_EQ(store_->FinishLease((*c1)->lease.id, "alice", LeaseState::kSubmitted, 1600).code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_->FinishLease((*c2)->lease.id, "alice", LeaseState::kSubmitted, 1600).code(),
            StatusCode::kConflict)
      << "someone else's lease";
  EXPECT_TRUE(store_->FinishLease((*c2)->lease.id, "bob", LeaseState::kSubmitted, 1700).ok());
  EXPECT_EQ(store_->FinishLease((*c2)->lease.id, "bob", LeaseState::kSubmitted, 1700).code(),
            StatusCode::kConflict)
      << "already submitted";
  req.annotator = "carol";
  EXPECT_FALSE(store_->Claim(req)->has_value()) << "entry closed after its one submit";
}

TEST_P(StoreTest, AnItemHeldUnderOneEntryIsNotHandedOutUnderAnother) {
  // A cycle can draw an audit for an item whose review is out with someone: the item is held by
  // one person at a time all the same (overlap is per item).
  int64_t a = AddItem("a");
  int64_t b = AddItem("b");
  QueueEntry review;
  review.project_id = project_.id;
  review.item_id = a;
  review.priority = 5;
  ASSERT_TRUE(store_->Enqueue(review).ok());
  ClaimRequest req{project_.id, "alice", {"general"}, {}, 1000, 500};
  auto held = store_->Claim(req);
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_EQ((*held)->lease.item_id, a);
  QueueEntry audit = review;
  audit.kind = "audit";
  audit.priority = 1e9;  // first in line, yet held through the review
  ASSERT_TRUE(store_->Enqueue(audit).ok());
  QueueEntry other = review;
  other.item_id = b;
  ASSERT_TRUE(store_->Enqueue(other).ok());
  req.annotator = "bob";
  auto next = store_->Claim(req);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->lease.item_id, b) << "item a is with alice";
  // Once alice's lease ends, the audit is bob's... or anyone's.
  ASSERT_TRUE(store_->FinishLease((*held)->lease.id, "alice", LeaseState::kSubmitted, 1100).ok());
  req.annotator = "carol";
  req.now = 1100;
  auto after = store_->Claim(req);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->lease.item_id, a);
  EXPECT_EQ((*after)->lease.kind, LeaseKind::kAudit);
  ASSERT_TRUE(store_->FinishLease((*after)->lease.id, "carol", LeaseState::kSubmitted, 1150).ok());
  // And an expired hold does not block either.
  int64_t c = AddItem("c");
  QueueEntry rc = review;
  rc.item_id = c;
  rc.priority = 7;
  ASSERT_TRUE(store_->Enqueue(rc).ok());
  req.annotator = "dave";
  auto hc = store_->Claim(req);
  ASSERT_TRUE(hc.ok() && hc->has_value());
  ASSERT_EQ((*hc)->lease.item_id, c);
  QueueEntry ac = rc;
  ac.kind = "audit";
  ac.priority = 1e9;
  ASSERT_TRUE(store_->Enqueue(ac).ok());
  req.annotator = "erin";
  auto blocked = store_->Claim(req);
  EXPECT_FALSE(blocked.ok() && blocked->has_value() && (*blocked)->lease.item_id == c);
  req.annotator = "frank";
  req.now = 1100 + 600;  // dave's lease (500 ms) has expired
  auto late = store_->Claim(req);
  ASSERT_TRUE(late.ok() && late->has_value());
  EXPECT_EQ((*late)->lease.item_id, c);
  EXPECT_EQ((*late)->lease.kind, LeaseKind::kAudit);
}

TEST_P(StoreTest, OverlapTwoGoesToTwoDistinctAnnotators) {
  int64_t a = AddItem("a");
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = a;
  e.overlap = 2;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ClaimRequest req{project_.id, "alice", {"general"}, {}, 1000, 60000};
  auto c1 = store_->Claim(req);
  ASSERT_TRUE(c1->has_value());
  EXPECT_FALSE(store_->Claim(req)->has_value()) << "never twice to one annotator";
  ASSERT_TRUE(store_->FinishLease((*c1)->lease.id, "alice", LeaseState::kSubmitted, 1001).ok());
  EXPECT_FALSE(store_->Claim(req)->has_value()) << "alice already answered";
  req.annotator = "bob";
  auto c2 = store_->Claim(req);
  ASSERT_TRUE(c2->has_value());
  ASSERT_TRUE(store_->FinishLease((*c2)->lease.id, "bob", LeaseState::kSubmitted, 1002).ok());
  req.annotator = "carol";
  EXPECT_FALSE(store_->Claim(req)->has_value());
}

TEST_P(StoreTest, PoolsSeparateQueues) {
  int64_t a = AddItem("a");
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = a;
  e.pool = "experts";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ClaimRequest req{project_.id, "gina", {"general"}, {}, 1000, 60000};
  EXPECT_FALSE(store_->Claim(req)->has_value());
  req.pools = {"general", "experts"};
  EXPECT_TRUE(store_->Claim(req)->has_value());
}

TEST_P(StoreTest, ConcurrentClaimsNeverDoubleAssign) {
  const int kItems = 40;
  for (int i = 0; i < kItems; ++i) {
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = AddItem("i" + std::to_string(i));
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  std::mutex mu;
  std::multiset<int64_t> claimed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto s = Reopen();
      ClaimUntilDone(*s, "w" + std::to_string(t), [&](const ClaimResult& c) {
        std::lock_guard<std::mutex> lock(mu);
        claimed.insert(c.lease.item_id);
      });
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kItems));
  for (int64_t id : claimed) EXPECT_EQ(claimed.count(id), 1u) << "item " << id;
}

// Overlap 2 on every entry, six connections claiming and submitting at once (two of them as the
// same person): every item ends with exactly two answers from two different people.
TEST_P(StoreTest, ConcurrentClaimsKeepOverlapExactAndOnePersonOnce) {
  const int kItems = 12;
  for (int i = 0; i < kItems; ++i) {
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = AddItem("o" + std::to_string(i));
    e.overlap = 2;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  std::mutex mu;
  std::map<int64_t, std::multiset<std::string>> answers;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto s = Reopen();
      const std::string who = t < 2 ? "same" : "w" + std::to_string(t);
      ClaimUntilDone(*s, who, [&](const ClaimResult& c) {
        std::lock_guard<std::mutex> lock(mu);
        answers[c.lease.item_id].insert(who);
      });
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(answers.size(), static_cast<size_t>(kItems));
  for (const auto& [item, people] : answers) {
    EXPECT_EQ(people.size(), 2u) << "item " << item;
    for (const auto& p : people) EXPECT_EQ(people.count(p), 1u) << "item " << item << " twice to " << p;
  }
}

// A claim inside another connection's open transaction is invisible until it commits; the
// second claimer neither waits for it nor takes the same slot, and gets it after a rollback.
TEST_P(StoreTest, ClaimHeldInAnOpenTransactionIsPassedOverNotDoubled) {
  if (std::string(GetParam().name) == "sqlite") {
    GTEST_SKIP() << "SQLite has one writer: a second claim waits for the first transaction";
  }
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = AddItem("held");
  ASSERT_TRUE(store_->Enqueue(e).ok());
  auto other = Reopen();
  ClaimRequest a{project_.id, "alice", {"general"}, {}, 1000, 600000};
  ClaimRequest b{project_.id, "bob", {"general"}, {}, 1000, 600000};
  ASSERT_TRUE(store_->Begin().ok());
  auto first = store_->Claim(a);
  ASSERT_TRUE(first.ok() && first->has_value());
  auto second = other->Claim(b);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->has_value());
  ASSERT_TRUE(store_->Rollback().ok());
  auto third = other->Claim(b);
  ASSERT_TRUE(third.ok() && third->has_value());
  EXPECT_EQ((*third)->lease.item_id, e.item_id);
  // Now committed: the entry is full for everyone else.
  auto fourth = store_->Claim(a);
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE(fourth->has_value());
}

TEST_P(StoreTest, StatusCountsByStateAndSource) {
  int64_t a = AddItem("a");
  AddItem("b");
  Annotation m;
  m.item_id = a;
  m.labels = {"ham"};
  m.source = LabelSource::kModel;
  m.annotator = "m1";
  ASSERT_TRUE(store_->AppendAnnotation(m).ok());
  auto st = store_->GetStatus(project_.id);
  EXPECT_EQ(st->items, 2);
  EXPECT_EQ(st->by_state["auto"], 1);
  EXPECT_EQ(st->by_state["unlabeled"], 1);
  EXPECT_EQ(st->by_label_source["model"], 1);
  EXPECT_EQ(st->by_label["ham"], 1);
}

// The times a caller does not give come from the store's clock (Store::SetClock), not the wall:
// a test moves it and sees rows stamped and leases expire by it.
TEST_P(StoreTest, TimesTheCallerLeavesOutComeFromTheStoresClock) {
  FakeClock clock(5'000'000);
  store_->SetClock(&clock);
  const int64_t a = AddItem("a");
  Annotation h;
  h.item_id = a;
  h.labels = {"ham"};
  h.source = LabelSource::kHuman;
  h.annotator = "alice";  // created_at 0: the store stamps it
  ASSERT_TRUE(store_->AppendAnnotation(h).ok());
  auto list = store_->ListAnnotations(a);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().created_at, 5'000'000);
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = AddItem("b");
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ClaimRequest req{project_.id, "bob", {"general"}, {}, clock.NowMillis(), 1000};
  auto c = store_->Claim(req);
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ(store_->GetStatus(project_.id)->active_leases, 1);
  clock.Advance(2000);  // past the lease's expiry
  EXPECT_EQ(store_->GetStatus(project_.id)->active_leases, 0);
}

// '|' separates labels in the CSV formats: a label holding it could not be exported and re-imported.
TEST_P(StoreTest, LabelNameWithPipeIsRefused) {
  Project p;
  p.name = "pipes";
  p.labels = {"a|b", "c"};
  auto created = store_->CreateProject(p);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.status().message().find("'|' is not allowed"), std::string::npos) << created.status().message();
  Status st = store_->AddLabel(project_.id, "x|y");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddLabel(project_.id, "tab\there").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->AddLabel(project_.id, "fine label").ok());
}

// Operations (store/operations.h): the statement timeout cancels a statement that runs too long, here a
// write waiting for another connection's row lock with a lock wait far longer than the timeout.
TEST_P(StoreTest, StatementTimeoutCancelsALongStatementOnPostgresAndIsRefusedOnSqlite) {
  if (std::string(GetParam().name) != "postgres") {
    const Status st = SetStatementTimeout(*store_, 100);
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
    return;
  }
  const int64_t item = AddItem("a");
  auto other = Reopen();
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->SetItemState(item, ItemState::kLabeled).ok());  // holds the row's lock
  other->SetLockWait(60'000);
  ASSERT_TRUE(SetStatementTimeout(*other, 200).ok());
  const Status st = other->SetItemState(item, ItemState::kLabeled);
  EXPECT_EQ(st.code(), StatusCode::kConflict) << st.ToString();
  EXPECT_NE(st.message().find("statement timeout"), std::string::npos) << st.ToString();
  ASSERT_TRUE(store_->Rollback().ok());
  ASSERT_TRUE(SetStatementTimeout(*other, 0).ok());
  EXPECT_TRUE(other->SetItemState(item, ItemState::kLabeled).ok());
  EXPECT_EQ(SetStatementTimeout(*other, -1).code(), StatusCode::kInvalidArgument);
}

// The readiness ping answers on a working connection, on either backend.
TEST_P(StoreTest, PingAnswers) { EXPECT_TRUE(PingStore(*store_, 1000).ok()); }

#ifdef HITLOOP_HAVE_POSTGRES
// A database that does not answer (here: the connection's server process is stopped) must not
// hold the ping past its deadline: /readyz answers within its time even then.
TEST_P(StoreTest, PingGivesUpAtItsDeadlineWhenPostgresDoesNotAnswer) {
  if (std::string(GetParam().name) != "postgres") {
    GTEST_SKIP() << "stops a PostgreSQL server process";
  }
  PGconn* admin = PQconnectdb(std::getenv("HITLOOP_TEST_PG"));
  ASSERT_EQ(PQstatus(admin), CONNECTION_OK) << PQerrorMessage(admin);
  const std::string db = hitloop::testing::PgTestDbName(dir_.path());
  const char* params[] = {db.c_str()};
  PGresult* r = PQexecParams(admin,
                             "SELECT pid FROM pg_stat_activity WHERE datname = $1"
                             " AND backend_type = 'client backend'",
                             1, nullptr, params, nullptr, nullptr, 0);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(admin);
  ASSERT_EQ(PQntuples(r), 1);
  const pid_t pid = static_cast<pid_t>(std::atoi(PQgetvalue(r, 0, 0)));
  PQclear(r);
  PQfinish(admin);
  if (kill(pid, SIGSTOP) != 0) GTEST_SKIP() << "cannot signal the cluster's processes (not local?)";
  const Status st = PingStore(*store_, 200);
  kill(pid, SIGCONT);
  EXPECT_EQ(st.code(), StatusCode::kIo) << st.ToString();
  EXPECT_NE(st.message().find("no answer within 200 ms"), std::string::npos) << st.ToString();
}
#endif

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hitloop
