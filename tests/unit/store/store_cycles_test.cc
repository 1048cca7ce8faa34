// The "cycles and loop support" section of the Store interface.
#include <gtest/gtest.h>

#include <chrono>

#include "store/operations.h"
#include "store/store.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class StoreCyclesTest : public ::testing::TestWithParam<testing::StoreBackend> {
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
    ASSERT_TRUE(created.ok());
    project_ = *created;
  }
  int64_t AddItem(const std::string& ext) {
    Item it;
    it.project_id = project_.id;
    it.external_id = ext;
    it.text = "text " + ext;
    it.content_hash = "h" + ext;
    int64_t id = 0;
    EXPECT_TRUE(store_->PutItem(it, "", &id).ok());
    return id;
  }
  void TearDown() override {
    store_.reset();
    GetParam().cleanup(dir_.path());
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_P(StoreCyclesTest, AppendNumbersCyclesPerProjectAndListReturnsThemInOrder) {
  auto c1 = store_->AppendCycle(project_.id, 1000, R"({"a":1})");
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ(*c1, 1);
  auto c2 = store_->AppendCycle(project_.id, 2000, R"({"a":2})");
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(*c2, 2);
  Project other;
  other.name = "other";
  other.labels = {"x", "y"};
  auto o = store_->CreateProject(other);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*store_->AppendCycle(o->id, 3000, "{}"), 1);
  auto list = store_->ListCycles(project_.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].cycle, 1);
  EXPECT_EQ((*list)[0].created_at, 1000);
  EXPECT_EQ((*list)[1].record_json, R"({"a":2})");
  EXPECT_EQ(store_->AppendCycle(9999, 1, "{}").status().code(), StatusCode::kNotFound);
  // Durable across reopen.
  store_.reset();
  auto s = GetParam().open(dir_.path());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->ListCycles(project_.id)->size(), 2u);
}

TEST_P(StoreCyclesTest, OpenQueueScanAndLatestEntry) {
  const int64_t a = AddItem("a"), b = AddItem("b");
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = a;
  e.kind = "audit";
  e.pool = "experts";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  e.item_id = b;
  e.kind = "review";
  e.overlap = 3;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  std::vector<QueueEntry> seen;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    seen.push_back(q);
    return true;
  }).ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].kind, "audit");
  EXPECT_EQ(seen[0].pool, "experts");
  auto latest = store_->LatestQueueEntry(b, "review");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->overlap, 3);
  EXPECT_FALSE(store_->LatestQueueEntry(b, "audit")->has_value());
  ASSERT_TRUE(store_->ClearQueue(project_.id, "review").ok());
  EXPECT_TRUE(store_->LatestQueueEntry(b, "review")->has_value());  // closed entries count too
  int open = 0;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry&) { return ++open, true; }).ok());
  EXPECT_EQ(open, 1);
}

// An admin's label settles an item (the data browser's relabel): its untouched review and audit
// entries close; an entry someone holds, an adjudication and another item's entries stay open.
TEST_P(StoreCyclesTest, CloseItemEntriesClosesOnlyTheItemsUntouchedReviewsAndAudits) {
  const int64_t a = AddItem("a"), b = AddItem("b"), c = AddItem("c");
  QueueEntry e;
  e.project_id = project_.id;
  for (const auto& [item, kind] : std::vector<std::pair<int64_t, std::string>>{
           {a, "review"}, {a, "audit"}, {a, "adjudicate"}, {b, "review"}, {c, "review"}}) {
    e.item_id = item;
    e.kind = kind;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  ClaimRequest req;
  req.project_id = project_.id;
  req.annotator = "alice";
  req.pools = {e.pool};
  req.kinds = {"review"};
  // The store's clock is the wall clock here: a lease taken now is live when the entries close.
  req.now = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(store_->CloseItemEntries(a).ok());
  auto claimed = store_->Claim(req);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  ASSERT_EQ((*claimed)->entry.item_id, b);
  ASSERT_TRUE(store_->CloseItemEntries(b).ok());  // held by alice: stays open
  std::vector<std::pair<int64_t, std::string>> open;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    open.emplace_back(q.item_id, q.kind);
    return true;
  }).ok());
  const std::vector<std::pair<int64_t, std::string>> want = {{a, "adjudicate"}, {b, "review"}, {c, "review"}};
  EXPECT_EQ(open, want);
  // a still has an open entry (the adjudication), so it stays queued.
  EXPECT_EQ(store_->GetItem(a)->state, ItemState::kQueued);
  ASSERT_TRUE(store_->CloseItemEntries(c).ok());
  EXPECT_EQ(store_->GetItem(c)->state, ItemState::kUnlabeled);
}

TEST_P(StoreCyclesTest, WithdrawAutoLabelClearsOnlyMachineLabels) {
  const int64_t a = AddItem("a"), b = AddItem("b");
  Annotation m;
  m.item_id = a;
  m.labels = {"spam"};
  m.source = LabelSource::kModel;
  m.annotator = "model-v1";
  ASSERT_TRUE(store_->AppendAnnotation(m).ok());
  Annotation h = m;
  h.item_id = b;
  h.source = LabelSource::kHuman;
  h.annotator = "alice";
  ASSERT_TRUE(store_->AppendAnnotation(h).ok());
  ASSERT_TRUE(store_->WithdrawAutoLabel(a).ok());
  ASSERT_TRUE(store_->WithdrawAutoLabel(b).ok());
  auto ia = store_->GetItem(a);
  ASSERT_TRUE(ia.ok());
  EXPECT_EQ(ia->state, ItemState::kUnlabeled);
  EXPECT_TRUE(ia->labels.empty());
  EXPECT_FALSE(ia->label_source.has_value());
  EXPECT_EQ(store_->ListAnnotations(a)->size(), 1u);  // history kept
  auto ib = store_->GetItem(b);
  EXPECT_EQ(ib->state, ItemState::kLabeled);
  EXPECT_EQ(ib->labels, std::vector<std::string>{"spam"});
}

TEST_P(StoreCyclesTest, DetectionsAreStoredPerItemAndDetectorAndReplaced) {
  const int64_t a = AddItem("a"), b = AddItem("b");
  std::vector<Detection> ds = {{a, "language", "en", 0.9, ""},
                               {a, "format", "email", 0.8, ""},
                               {b, "boilerplate", "mixed", 0.7, R"([[0,4,"signature"]])"}};
  ASSERT_TRUE(store_->PutDetections(ds).ok());
  // A newer answer replaces the older one; an unknown item is refused and nothing of that call
  // is kept (one transaction).
  std::vector<Detection> again = {{a, "language", "de", 0.95, ""}, {999999, "language", "fr", 1, ""}};
  EXPECT_EQ(store_->PutDetections(again).code(), StatusCode::kNotFound);
  std::vector<Detection> newer = {{a, "language", "de", 0.95, ""}};
  ASSERT_TRUE(store_->PutDetections(newer).ok());
  std::vector<Detection> seen;
  ASSERT_TRUE(store_->ScanDetections(project_.id, [&](const Detection& d) {
    seen.push_back(d);
    return true;
  }).ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].detector, "format");
  EXPECT_EQ(seen[1].detector, "language");
  EXPECT_EQ(seen[1].value, "de");
  EXPECT_DOUBLE_EQ(seen[1].confidence, 0.95);
  EXPECT_EQ(seen[2].item_id, b);
  EXPECT_EQ(seen[2].detail_json, R"([[0,4,"signature"]])");
  EXPECT_TRUE(seen[0].detail_json.empty());
  auto one = store_->ItemDetections(a);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 2u);
  EXPECT_EQ((*one)[0].detector, "format");
  EXPECT_EQ((*one)[1].value, "de");
  EXPECT_TRUE(store_->ItemDetections(AddItem("c"))->empty());
  // Another project sees none of them.
  Project other;
  other.name = "other";
  other.labels = {"x", "y"};
  auto o = store_->CreateProject(other);
  ASSERT_TRUE(o.ok());
  int n = 0;
  ASSERT_TRUE(store_->ScanDetections(o->id, [&](const Detection&) { return ++n, true; }).ok());
  EXPECT_EQ(n, 0);
}

// One cycle per project across processes: a second connection (another process's) cannot take
// a project's cycle lock while the first holds it, can take another project's, and gets it once
// the first lets go.
TEST_P(StoreCyclesTest, CycleLockIsExclusivePerProjectAcrossConnections) {
  if (std::string(GetParam().name) != "postgres") {
    GTEST_SKIP() << "SQLite takes no cross-process cycle lock (store/operations.h)";
  }
  Project other;
  other.name = "other";
  other.labels = {"x", "y"};
  auto o = store_->CreateProject(other);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  auto second = GetParam().open(dir_.path());
  ASSERT_TRUE(second.ok()) << second.status().ToString();

  auto held = LockCycle(*store_, project_.id, project_.name, /*wait=*/false);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  auto refused = LockCycle(**second, project_.id, project_.name, /*wait=*/false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("a cycle of project spam is running (another process)"),
            std::string::npos)
      << refused.status().message();
  auto elsewhere = LockCycle(**second, o->id, o->name, /*wait=*/false);
  EXPECT_TRUE(elsewhere.ok()) << elsewhere.status().ToString();

  held->reset();  // the first cycle ends
  auto after = LockCycle(**second, project_.id, project_.name, /*wait=*/true);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  // Now the first connection is the one refused; the store still works between the two.
  auto first_again = LockCycle(*store_, project_.id, project_.name, /*wait=*/false);
  EXPECT_FALSE(first_again.ok());
  EXPECT_TRUE(store_->AppendCycle(project_.id, 1000, "{}").ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreCyclesTest, ::testing::ValuesIn(testing::kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hitloop
