// The data browser in the Store (store/item_query.h): every filter, the search, each sort with
// keyset paging in both directions, an item's history, and the gold split. Every backend runs
// this suite.
#include <gtest/gtest.h>

#include "store/item_query.h"
#include "store/store.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class StoreBrowseTest : public ::testing::TestWithParam<testing::StoreBackend> {
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
    // Another project's items never show up.
    Project other;
    other.name = "other";
    other.labels = {"ham", "spam"};
    auto o = store_->CreateProject(other);
    ASSERT_TRUE(o.ok());
    other_ = *o;
  }
  void TearDown() override {
    store_.reset();
    GetParam().cleanup(dir_.path());
  }

  int64_t AddItem(const std::string& ext, const std::string& text, int64_t project_id = 0) {
    Item it;
    it.project_id = project_id ? project_id : project_.id;
    it.external_id = ext;
    it.text = text;
    it.content_hash = "h" + ext;
    int64_t id = 0;
    EXPECT_TRUE(store_->PutItem(it, "t", &id).ok());
    return id;
  }
  void Answer(int64_t item, const std::string& who, const std::string& label, int64_t at,
              const std::string& kind = "review") {
    Annotation a;
    a.item_id = item;
    a.labels = {label};
    a.annotator = who;
    a.kind = kind;
    a.source = kind == "audit" ? LabelSource::kAudit : LabelSource::kHuman;
    a.created_at = at;
    ASSERT_TRUE(store_->AppendAnnotation(a).ok());
  }
  void Predict(int64_t item, const std::string& label, double confidence, int64_t at, const std::string& version) {
    Prediction p;
    p.item_id = item;
    p.model_version = version;
    p.label = label;
    p.confidence = confidence;
    p.created_at = at;
    ASSERT_TRUE(store_->PutPrediction(p).ok());
  }
  // The external ids of one page.
  std::vector<std::string> Ids(const ItemQuery& q, bool* more = nullptr) {
    auto page = QueryItems(*store_, q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const auto& r : page->rows) out.push_back(r.item.external_id);
    if (more) *more = page->more;
    return out;
  }
  ItemQuery Query() {
    ItemQuery q;
    q.project_id = project_.id;
    return q;
  }
  using V = std::vector<std::string>;

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_, other_;
};

TEST_P(StoreBrowseTest, FiltersByStateLabelSourceSplitAndHold) {
  const int64_t a = AddItem("a", "free money now");
  const int64_t b = AddItem("b", "meeting at noon");
  AddItem("c", "lunch?");
  const int64_t d = AddItem("d", "quarantine me");
  AddItem("x", "free money elsewhere", other_.id);
  Answer(a, "ann", "spam", 10);
  Answer(b, "bob", "ham", 20);
  ASSERT_TRUE(store_->SetItemHold(project_.id, "d", Store::ItemHold::kQuarantined).ok());
  (void)d;

  EXPECT_EQ(Ids(Query()), (V{"a", "b", "c", "d"}));  // not deleted: every state, quarantined too
  ItemQuery q = Query();
  q.state = "labeled";
  EXPECT_EQ(Ids(q), (V{"a", "b"}));
  q.state = "unlabeled";
  EXPECT_EQ(Ids(q), (V{"c"}));  // the quarantined item is not "unlabeled"
  q.state = "quarantined";
  EXPECT_EQ(Ids(q), (V{"d"}));
  q.state = "bogus";
  EXPECT_EQ(QueryItems(*store_, q).status().code(), StatusCode::kInvalidArgument);
  q = Query();
  q.label = "spam";
  EXPECT_EQ(Ids(q), (V{"a"}));
  q.label = "spa";  // whole labels only
  EXPECT_EQ(Ids(q), (V{}));
  q = Query();
  q.source = "human";
  EXPECT_EQ(Ids(q), (V{"a", "b"}));
  ASSERT_TRUE(SetItemSplit(*store_, b, Split::kGold).ok());
  q = Query();
  q.split = "gold";
  EXPECT_EQ(Ids(q), (V{"b"}));
  // Held items cannot move between splits.
  EXPECT_EQ(SetItemSplit(*store_, d, Split::kGold).code(), StatusCode::kConflict);
  EXPECT_EQ(SetItemSplit(*store_, 999999, Split::kGold).code(), StatusCode::kNotFound);
}

TEST_P(StoreBrowseTest, MultiLabelItemsMatchEachOfTheirLabels) {
  const int64_t a = AddItem("a", "one");
  Annotation ann;
  ann.item_id = a;
  ann.labels = {"ham", "spam"};
  ann.annotator = "ann";
  ann.kind = "review";
  ASSERT_TRUE(store_->AppendAnnotation(ann).ok());
  ItemQuery q = Query();
  q.label = "ham";
  EXPECT_EQ(Ids(q), (V{"a"}));
  q.label = "spam";
  EXPECT_EQ(Ids(q), (V{"a"}));
}

TEST_P(StoreBrowseTest, FiltersOnPredictionsQueueAnnotatorsDetectorsAndDisagreement) {
  const int64_t a = AddItem("a", "alpha");
  const int64_t b = AddItem("b", "beta");
  const int64_t c = AddItem("c", "gamma");
  // The newest prediction counts: a was spam 0.9, now ham 0.55.
  Predict(a, "spam", 0.9, 100, "m1");
  Predict(a, "ham", 0.55, 200, "m2");
  Predict(b, "spam", 0.97, 200, "m2");
  ItemQuery q = Query();
  q.prelabel = "spam";
  EXPECT_EQ(Ids(q), (V{"b"}));
  q = Query();
  q.min_confidence = 0.5;
  q.max_confidence = 0.6;
  EXPECT_EQ(Ids(q), (V{"a"}));
  q.max_confidence.reset();
  EXPECT_EQ(Ids(q), (V{"a", "b"}));  // c has no prediction: in no band

  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = c;
  e.pool = "experts";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  q = Query();
  q.pool = "experts";
  EXPECT_EQ(Ids(q), (V{"c"}));
  q.pool = "general";
  EXPECT_EQ(Ids(q), (V{}));

  Answer(a, "ann", "spam", 10);
  Answer(a, "bob", "ham", 11);
  Answer(b, "ann", "spam", 12);
  Answer(b, "bob", "spam", 13, "audit");
  q = Query();
  q.annotator = "bob";
  EXPECT_EQ(Ids(q), (V{"a", "b"}));
  q = Query();
  q.disagreement = true;
  EXPECT_EQ(Ids(q), (V{"a"}));

  std::vector<Detection> ds = {{a, "language", "en", 0.9, ""}, {b, "language", "de", 0.9, ""},
                               {c, "duplicate", "group:1", 1, ""}};
  ASSERT_TRUE(store_->PutDetections(ds).ok());
  q = Query();
  q.detector = "language";
  EXPECT_EQ(Ids(q), (V{"a", "b"}));
  q.detector_value = "de";
  EXPECT_EQ(Ids(q), (V{"b"}));
  q = Query();
  q.detector = "duplicate";
  EXPECT_EQ(Ids(q), (V{"c"}));
}

TEST_P(StoreBrowseTest, SearchesTextAndIdsWithPatternCharactersTakenLiterally) {
  AddItem("a", "Free MONEY now");
  AddItem("b", "100% sure");
  AddItem("c", "snake_case and back\\slash");
  AddItem("order-42", "nothing");
  ItemQuery q = Query();
  q.text = "money";  // ASCII case-folded
  EXPECT_EQ(Ids(q), (V{"a"}));
  q.text = "%";
  EXPECT_EQ(Ids(q), (V{"b"}));
  q.text = "_";
  EXPECT_EQ(Ids(q), (V{"c"}));
  q.text = "\\";
  EXPECT_EQ(Ids(q), (V{"c"}));
  q.text = "der-4";
  EXPECT_EQ(Ids(q), (V{"order-42"}));
  q.text = "'; DROP TABLE items; --";
  EXPECT_EQ(Ids(q), (V{}));
  EXPECT_EQ(Ids(Query()).size(), 4u);
}

TEST_P(StoreBrowseTest, KeysetPagesCoverEveryItemOnceInEachSort) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(AddItem("i" + std::to_string(i), "t"));
  // Confidences with a tie (i1, i2) and one item without a prediction (i6).
  const double conf[] = {0.9, 0.5, 0.5, 0.7, 0.6, 0.99};
  for (int i = 0; i < 6; ++i) Predict(ids[i], "spam", conf[i], 100, "m1");
  Answer(ids[3], "ann", "ham", 5000);
  Answer(ids[0], "ann", "ham", 6000);
  struct Case {
    ItemSort sort;
    bool desc;
    V want;
  };
  const Case cases[] = {
      {ItemSort::kId, false, {"i0", "i1", "i2", "i3", "i4", "i5", "i6"}},
      {ItemSort::kId, true, {"i6", "i5", "i4", "i3", "i2", "i1", "i0"}},
      {ItemSort::kConfidence, false, {"i6", "i1", "i2", "i4", "i3", "i0", "i5"}},
      {ItemSort::kConfidence, true, {"i5", "i0", "i3", "i4", "i2", "i1", "i6"}},
      // Never answered: the import time (now, after 6000), in id order; then the answered ones.
      {ItemSort::kChanged, true, {"i6", "i5", "i4", "i2", "i1", "i0", "i3"}},
  };
  for (const Case& c : cases) {
    ItemQuery q = Query();
    q.sort = c.sort;
    q.descending = c.desc;
    q.limit = 2;
    V all;
    for (int page = 0; page < 10; ++page) {
      auto got = QueryItems(*store_, q);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      for (const auto& r : got->rows) all.push_back(r.item.external_id);
      if (!got->more) break;
      q.has_after = true;
      q.after_key = got->rows.back().sort_key;
      q.after_id = got->rows.back().item.id;
    }
    EXPECT_EQ(all, c.want) << static_cast<int>(c.sort) << (c.desc ? " desc" : "");
  }
}

TEST_P(StoreBrowseTest, RowsCarryPredictionAnswersAndLastChange) {
  const int64_t a = AddItem("a", "alpha");
  Predict(a, "spam", 0.8, 100, "m1");
  Answer(a, "ann", "spam", 1000);
  Answer(a, "bob", "ham", 2000, "audit");
  auto page = QueryItems(*store_, Query());
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  const ItemRow& r = page->rows[0];
  EXPECT_EQ(r.item.text, "alpha");
  ASSERT_TRUE(r.prediction.has_value());
  EXPECT_EQ(r.prediction->label, "spam");
  EXPECT_DOUBLE_EQ(r.prediction->confidence, 0.8);
  EXPECT_EQ(r.answers, 2);
  EXPECT_EQ(r.changed_at, 2000);
  ItemQuery bad = Query();
  bad.limit = 0;
  EXPECT_EQ(QueryItems(*store_, bad).status().code(), StatusCode::kInvalidArgument);
}

// A cycle stages its predictions before its final transaction (Store::StagePredictions): until
// it publishes them, no filter, sort, page row or history sees them.
TEST_P(StoreBrowseTest, StagedPredictionsAreInvisibleToFiltersRowsAndHistoryUntilPublished) {
  const int64_t a = AddItem("a", "alpha");
  const int64_t b = AddItem("b", "beta");
  Predict(a, "spam", 0.9, 100, "m1");
  ASSERT_TRUE(store_->StagePredictions(project_.id, "m2", 150).ok());
  Predict(a, "ham", 0.55, 200, "m2");
  Predict(b, "ham", 0.97, 200, "m2");
  ItemQuery q = Query();
  q.prelabel = "ham";
  EXPECT_EQ(Ids(q), (V{}));
  q = Query();
  q.prelabel = "spam";
  EXPECT_EQ(Ids(q), (V{"a"}));
  q = Query();
  q.min_confidence = 0.0;
  EXPECT_EQ(Ids(q), (V{"a"}));  // b has no visible prediction
  auto page = QueryItems(*store_, Query());
  ASSERT_TRUE(page.ok());
  for (const auto& r : page->rows) {
    if (r.item.external_id == "a") {
      ASSERT_TRUE(r.prediction.has_value());
      EXPECT_EQ(r.prediction->model_version, "m1");
    } else {
      EXPECT_FALSE(r.prediction.has_value());
    }
  }
  auto h = GetItemHistory(*store_, a);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->predictions.size(), 1u);
  EXPECT_EQ(h->predictions[0].model_version, "m1");

  ASSERT_TRUE(store_->PublishPredictions(project_.id, "m2").ok());
  q = Query();
  q.prelabel = "ham";
  EXPECT_EQ(Ids(q), (V{"a", "b"}));
  h = GetItemHistory(*store_, a);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->predictions.size(), 2u);
}

TEST_P(StoreBrowseTest, HistoryHasEveryPredictionQueueEntryAndLease) {
  const int64_t a = AddItem("a", "alpha");
  Predict(a, "spam", 0.9, 100, "m1");
  Predict(a, "ham", 0.6, 200, "m2");
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = a;
  e.reason = "uncertain";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ClaimRequest req{project_.id, "ann", {"general"}, {}, 1000, 600000};
  auto claim = store_->Claim(req);
  ASSERT_TRUE(claim.ok() && claim->has_value());
  ASSERT_TRUE(store_->FinishLease((*claim)->lease.id, "ann", LeaseState::kSubmitted, 1500).ok());
  auto h = GetItemHistory(*store_, a);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->predictions.size(), 2u);
  EXPECT_EQ(h->predictions[0].model_version, "m1");
  EXPECT_EQ(h->predictions[1].label, "ham");
  ASSERT_EQ(h->queue.size(), 1u);
  EXPECT_EQ(h->queue[0].entry.reason, "uncertain");
  EXPECT_FALSE(h->queue[0].open);  // its one slot was answered
  ASSERT_EQ(h->leases.size(), 1u);
  EXPECT_EQ(h->leases[0].annotator, "ann");
  EXPECT_EQ(h->leases[0].state, LeaseState::kSubmitted);
  EXPECT_EQ(GetItemHistory(*store_, 999999).status().code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreBrowseTest, ::testing::ValuesIn(testing::kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hitloop
