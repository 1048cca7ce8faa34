// Gold questions in the Store (store.h, "gold questions"; loop/gold.h): the gold-question
// entries, the gold claim, the known answer that people's answers never replace, and the gold
// scores routing reads. Every backend runs this suite.
#include <gtest/gtest.h>

#include <set>

#include "store/store.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class StoreGoldTest : public ::testing::TestWithParam<testing::StoreBackend> {
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
  void TearDown() override {
    store_.reset();
    GetParam().cleanup(dir_.path());
  }

  // An item; a gold one gets `known` as its imported label (the known answer).
  int64_t AddItem(const std::string& ext, Split split, const std::string& known = "") {
    Item it;
    it.project_id = project_.id;
    it.external_id = ext;
    it.text = "text of " + ext;
    it.content_hash = "h" + ext;
    it.split = split;
    int64_t id = 0;
    EXPECT_TRUE(store_->PutItem(it, "t", &id).ok());
    if (!known.empty()) {
      Annotation a;
      a.item_id = id;
      a.labels = {known};
      a.annotator = "import";
      a.kind = "import";
      EXPECT_TRUE(store_->AppendAnnotation(a).ok());
    }
    return id;
  }
  void QueueReview(int64_t item_id, const std::string& pool = "general") {
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = item_id;
    e.pool = pool;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  Result<std::optional<ClaimResult>> ClaimGold(const std::string& who, int64_t now = 1000) {
    ClaimRequest req{project_.id, who, {"general"}, {}, now, 600000};
    req.gold_for_pool = "general";
    return store_->Claim(req);
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_P(StoreGoldTest, GoldQueueOpensOneEntryPerGoldItemWithAKnownAnswer) {
  AddItem("g1", Split::kGold, "spam");
  AddItem("g2", Split::kGold, "ham");
  AddItem("g3", Split::kGold);  // no known answer: not a gold question
  AddItem("p1", Split::kPool);
  auto n = store_->EnsureGoldQueue(project_.id);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  n = store_->EnsureGoldQueue(project_.id);  // idempotent
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  auto counts = store_->QueueCounts(project_.id);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(std::make_pair(std::string(kGoldPool), std::string("review"))), 2);
  // Gold questions are not work waiting for people: status and the pools' counts leave them out.
  auto st = store_->GetStatus(project_.id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->queued, 0);
  EXPECT_EQ(*store_->CountOpenQueue(project_.id, {"general"}), 0);
}

TEST_P(StoreGoldTest, GoldClaimLeasesAGoldItemAsKindGoldInTheAskedPoolOncePerAnnotator) {
  const int64_t g1 = AddItem("g1", Split::kGold, "spam");
  const int64_t g2 = AddItem("g2", Split::kGold, "ham");
  QueueReview(AddItem("p1", Split::kPool));
  ASSERT_TRUE(store_->EnsureGoldQueue(project_.id).ok());
  std::set<int64_t> seen;
  for (int i = 0; i < 2; ++i) {
    auto c = ClaimGold("ann");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(c->has_value());
    const Lease& l = (*c)->lease;
    EXPECT_EQ(l.kind, LeaseKind::kGold);
    EXPECT_EQ(l.pool, "general");
    EXPECT_TRUE(l.item_id == g1 || l.item_id == g2);
    seen.insert(l.item_id);
    auto stored = store_->GetLease(l.id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->kind, LeaseKind::kGold);
    EXPECT_EQ(stored->pool, "general");
    ASSERT_TRUE(store_->FinishLease(l.id, "ann", LeaseState::kSubmitted, 1001).ok());
  }
  EXPECT_EQ(seen.size(), 2u);
  // Both answered: nothing more for ann, however often she asks...
  auto none = ClaimGold("ann");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // ...while another annotator gets the same gold questions (overlap is unlimited).
  auto other = ClaimGold("bob");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ((*other)->lease.kind, LeaseKind::kGold);
}

TEST_P(StoreGoldTest, PlainClaimsNeverHandOutGoldQuestions) {
  AddItem("g1", Split::kGold, "spam");
  ASSERT_TRUE(store_->EnsureGoldQueue(project_.id).ok());
  ClaimRequest req{project_.id, "ann", {"general", "experts"}, {}, 1000, 600000};
  auto c = store_->Claim(req);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
}

TEST_P(StoreGoldTest, ClearingTheReviewQueueKeepsTheGoldQuestions) {
  AddItem("g1", Split::kGold, "spam");
  QueueReview(AddItem("p1", Split::kPool));
  ASSERT_TRUE(store_->EnsureGoldQueue(project_.id).ok());
  ASSERT_TRUE(store_->ClearQueue(project_.id, "review").ok());
  auto counts = store_->QueueCounts(project_.id);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(std::make_pair(std::string(kGoldPool), std::string("review"))), 1);
  auto general = counts->find(std::make_pair(std::string("general"), std::string("review")));
  EXPECT_TRUE(general == counts->end() || general->second == 0);
  auto c = ClaimGold("ann");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->has_value());
}

TEST_P(StoreGoldTest, PeoplesAnswersNeverOverwriteAGoldItemsKnownAnswer) {
  const int64_t g = AddItem("g1", Split::kGold, "spam");
  for (const char* kind : {"gold", "review", "audit", "adjudicate"}) {
    Annotation a;
    a.item_id = g;
    a.labels = {"ham"};
    a.source = std::string(kind) == "audit" ? LabelSource::kAudit : LabelSource::kHuman;
    a.annotator = "ann";
    a.kind = kind;
    ASSERT_TRUE(store_->AppendAnnotation(a).ok());
  }
  auto item = store_->GetItem(g);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->labels, std::vector<std::string>{"spam"});
  EXPECT_EQ(item->label_annotator, "import");
  EXPECT_EQ(item->state, ItemState::kLabeled);
  auto history = store_->ListAnnotations(g);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 5u);  // the import and the four answers, all kept
  // A pool item's label still follows people's answers.
  const int64_t p = AddItem("p1", Split::kPool);
  Annotation a;
  a.item_id = p;
  a.labels = {"ham"};
  a.annotator = "ann";
  a.kind = "review";
  ASSERT_TRUE(store_->AppendAnnotation(a).ok());
  EXPECT_EQ(store_->GetItem(p)->labels, std::vector<std::string>{"ham"});
}

TEST_P(StoreGoldTest, GoldScoresCountTheNewestAnswerPerItemUntilCleared) {
  const int64_t g1 = AddItem("g1", Split::kGold, "spam");
  const int64_t g2 = AddItem("g2", Split::kGold, "ham");
  ASSERT_TRUE(store_->PutGoldAnswer(project_.id, g1, "ann", false, 10).ok());
  ASSERT_TRUE(store_->PutGoldAnswer(project_.id, g1, "ann", true, 11).ok());  // amended: newest counts
  ASSERT_TRUE(store_->PutGoldAnswer(project_.id, g2, "ann", false, 12).ok());
  ASSERT_TRUE(store_->PutGoldAnswer(project_.id, g2, "bob", true, 13).ok());
  auto all = store_->GoldScores(project_.id, "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].annotator, "ann");
  EXPECT_EQ((*all)[0].answered, 2);
  EXPECT_EQ((*all)[0].correct, 1);
  EXPECT_EQ((*all)[1].annotator, "bob");
  auto cleared = store_->ClearGoldScores(project_.id, "ann");
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(*cleared, 2);
  auto ann = store_->GoldScores(project_.id, "ann");
  ASSERT_TRUE(ann.ok());
  EXPECT_TRUE(ann->empty());
  // A later answer counts again; bob's are untouched.
  ASSERT_TRUE(store_->PutGoldAnswer(project_.id, g2, "ann", true, 20).ok());
  ann = store_->GoldScores(project_.id, "ann");
  ASSERT_TRUE(ann.ok());
  ASSERT_EQ(ann->size(), 1u);
  EXPECT_EQ((*ann)[0].answered, 1);
  EXPECT_EQ((*ann)[0].correct, 1);
  EXPECT_EQ((*store_->GoldScores(project_.id, "bob"))[0].answered, 1);
}

TEST_P(StoreGoldTest, TheGoldPoolIsNoPersonsPool) {
  User u;
  u.name = "sneaky";
  u.pools = {"general", kGoldPool};
  auto r = store_->CreateUser(u, std::string(32, 'x'));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreGoldTest, ::testing::ValuesIn(testing::kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hitloop
