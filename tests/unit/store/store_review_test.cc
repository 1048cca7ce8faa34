// The review workflow in the Store (store.h, "reviews of people's answers"; loop/review.h):
// verdicts, the rework entry only the answer's annotator can claim, the listing's filters and
// keyset pages, and the migration that widened the queue's kinds. Every backend runs this suite.
#include <gtest/gtest.h>

#include <set>

#include "store/store.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class StoreReviewTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    if (auto why = GetParam().unavailable(); !why.empty())
      GTEST_SKIP() << GetParam().name << ": " << why;
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

  int64_t AddItem(const std::string& ext) {
    Item it;
    it.project_id = project_.id;
    it.external_id = ext;
    it.text = "text of " + ext;
    it.content_hash = "h" + ext;
    int64_t id = 0;
    EXPECT_TRUE(store_->PutItem(it, "t", &id).ok());
    return id;
  }
  int64_t Answer(int64_t item, const std::string& who, const std::string& label,
                 const std::string& kind = "review", int64_t at = 1000) {
    Annotation a;
    a.item_id = item;
    a.labels = {label};
    a.annotator = who;
    a.kind = kind;
    a.created_at = at;
    auto id = store_->AppendAnnotation(a);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  Result<int64_t> Verdict(int64_t answer, const std::string& reviewer, const std::string& verdict,
                          const std::string& comment = "") {
    Review r;
    r.project_id = project_.id;
    r.annotation_id = answer;
    r.reviewer = reviewer;
    r.verdict = verdict;
    r.comment = comment;
    r.created_at = 2000;
    return store_->PutReview(r);
  }
  Result<std::optional<ClaimResult>> ClaimRework(const std::string& who, int64_t now = 3000) {
    ClaimRequest req{project_.id, who, {"general"}, {}, now, 600000};
    req.rework_only = true;
    return store_->Claim(req);
  }
  std::vector<int64_t> Listed(const ReviewQuery& q) {
    auto got = store_->ListAnswersForReview(project_.id, q);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    std::vector<int64_t> ids;
    if (got.ok()) {
      for (const auto& c : *got) ids.push_back(c.answer.id);
    }
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_P(StoreReviewTest, ARejectedAnswerGoesBackToItsAnnotatorOnly) {
  const int64_t item = AddItem("a");
  const int64_t ans = Answer(item, "alice", "spam");
  auto id = Verdict(ans, "rita", "reject", "it is ham: read the signature");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  // Nobody else gets it: not bob through the rework claim, not anyone through their pools.
  auto bob = ClaimRework("bob");
  ASSERT_TRUE(bob.ok()) << bob.status().ToString();
  EXPECT_FALSE(bob->has_value());
  ClaimRequest plain{project_.id, "bob", {"general"}, {}, 3000, 600000};
  auto general = store_->Claim(plain);
  ASSERT_TRUE(general.ok());
  EXPECT_FALSE(general->has_value());
  // A request naming the rework pool is refused: the pool is reached only through rework_only.
  ClaimRequest sneaky{project_.id, "bob", {kReworkPool}, {ReworkKind("alice")}, 3000, 600000};
  EXPECT_EQ(store_->Claim(sneaky).status().code(), StatusCode::kInvalidArgument);
  auto mine = ClaimRework("alice");
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_TRUE(mine->has_value());
  EXPECT_EQ((*mine)->lease.kind, LeaseKind::kRework);
  EXPECT_EQ((*mine)->lease.item_id, item);
  EXPECT_EQ((*mine)->entry.reason, "rework");
  // Once held it is not handed out again, and once answered it is closed.
  auto again = ClaimRework("alice", 3001);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  ASSERT_TRUE(store_->FinishLease((*mine)->lease.id, "alice", LeaseState::kSubmitted, 3002).ok());
  again = ClaimRework("alice", 3003);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

TEST_P(StoreReviewTest, TwoPeoplesRejectedAnswersOnOneItemEachComeBack) {
  const int64_t item = AddItem("a");
  ASSERT_TRUE(Verdict(Answer(item, "alice", "spam"), "rita", "reject", "no").ok());
  ASSERT_TRUE(Verdict(Answer(item, "bob", "spam"), "rita", "reject", "no").ok());
  auto a = ClaimRework("alice");
  ASSERT_TRUE(a.ok() && a->has_value());
  ASSERT_TRUE(store_->FinishLease((*a)->lease.id, "alice", LeaseState::kSubmitted, 3001).ok());
  auto b = ClaimRework("bob", 3002);
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->lease.item_id, item);
}

TEST_P(StoreReviewTest, VerdictsAreRecordedAndRefusedOnOnesOwnOrNonAnswers) {
  const int64_t item = AddItem("a");
  const int64_t ans = Answer(item, "alice", "spam");
  EXPECT_EQ(Verdict(ans, "alice", "approve").status().code(), StatusCode::kConflict);
  EXPECT_EQ(Verdict(ans, "rita", "maybe").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Verdict(ans + 1000, "rita", "approve").status().code(), StatusCode::kNotFound);
  const int64_t imported = Answer(item, "file", "ham", "import");
  EXPECT_EQ(Verdict(imported, "rita", "approve").status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(Verdict(ans, "rita", "approve", "fine").ok());
  auto all = store_->ListReviews(project_.id, item);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].annotator, "alice");
  EXPECT_EQ((*all)[0].reviewer, "rita");
  EXPECT_EQ((*all)[0].verdict, "approve");
  EXPECT_EQ((*all)[0].comment, "fine");
  EXPECT_EQ((*all)[0].item_id, item);
  EXPECT_EQ((*all)[0].created_at, 2000);
  // An approval sends nothing back.
  auto none = ClaimRework("alice");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreReviewTest, ListingFiltersByAnnotatorAndVerdictAndKeepsTheNewestAnswer) {
  const int64_t i1 = AddItem("1"), i2 = AddItem("2");
  const int64_t a1 = Answer(i1, "alice", "spam");
  const int64_t b1 = Answer(i1, "bob", "ham");
  const int64_t a2 = Answer(i2, "alice", "ham");
  Answer(i2, "carol", "ham", "label");  // kind label: not an answer given in the app
  ReviewQuery q;
  EXPECT_EQ(Listed(q), (std::vector<int64_t>{a1, b1, a2}));
  q.annotator = "alice";
  EXPECT_EQ(Listed(q), (std::vector<int64_t>{a1, a2}));
  ASSERT_TRUE(Verdict(a1, "rita", "reject", "no").ok());
  q.unreviewed = true;
  EXPECT_EQ(Listed(q), (std::vector<int64_t>{a2}));
  // The rework supersedes the rejected answer in the listing (the history keeps both).
  const int64_t a1b = Answer(i1, "alice", "ham", "rework");
  q = ReviewQuery();
  EXPECT_EQ(Listed(q), (std::vector<int64_t>{b1, a2, a1b}));
  auto history = store_->ListAnnotations(i1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);
}

TEST_P(StoreReviewTest, PagesFollowTheCursorAndASeededSampleIsRepeatable) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 30; ++i)
    ids.push_back(Answer(AddItem("i" + std::to_string(i)), "alice", "spam"));
  ReviewQuery q;
  q.limit = 7;
  std::vector<int64_t> walked;
  for (;;) {
    auto page = store_->ListAnswersForReview(project_.id, q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& c : *page) walked.push_back(c.answer.id);
    if (static_cast<int>(page->size()) < q.limit) break;
    q.after_key = page->back().key;
    q.after_id = page->back().answer.id;
  }
  EXPECT_EQ(walked, ids);
  ReviewQuery s;
  s.sampled = true;
  s.seed = 42;
  s.limit = 10;
  const auto first = Listed(s), second = Listed(s);
  EXPECT_EQ(first, second);
  ASSERT_EQ(first.size(), 10u);
  EXPECT_NE(first, std::vector<int64_t>(ids.begin(), ids.begin() + 10));  // not the id order
  s.seed = 43;
  EXPECT_NE(Listed(s), first);
  // Paging the sample by its keys walks the same order.
  s.seed = 42;
  s.limit = 4;
  auto page = store_->ListAnswersForReview(project_.id, s);
  ASSERT_TRUE(page.ok());
  s.after_key = page->back().key;
  s.after_id = page->back().answer.id;
  auto next = Listed(s);
  EXPECT_EQ(std::vector<int64_t>(first.begin() + 4, first.begin() + 8), next);
}

TEST_P(StoreReviewTest, VerdictsAreAppendOnlyAndHeldItemsAreNotReviewed) {
  const int64_t item = AddItem("a");
  const int64_t ans = Answer(item, "alice", "spam");
  ASSERT_TRUE(store_->SetItemHold(project_.id, "a", Store::ItemHold::kQuarantined).ok());
  EXPECT_EQ(Verdict(ans, "rita", "reject", "no").status().code(), StatusCode::kConflict);
  EXPECT_TRUE(store_->ListReviews(project_.id, 0)->empty());
}

// Imported answers (kind "answer": JSONL `annotations`, --format answers) were refused (400) and
// never listed, so a reviewer going through "all" or one annotator's answers never saw them. They
// are reviewed like answers given in the app; a rejected one goes back to its annotator when that
// name is a user, and otherwise (a name from a file) no rework is queued that nobody could claim.
TEST_P(StoreReviewTest, ImportedAnswersAreListedAndReviewedAndReworkGoesOnlyToUsers) {
  const int64_t item = AddItem("a");
  User alice;
  alice.name = "alice";
  ASSERT_TRUE(store_->CreateUser(alice, std::string(32, 'a')).ok());
  const int64_t mine = Answer(item, "alice", "spam", "answer");
  const int64_t file = Answer(item, "w7", "spam", "answer");
  const int64_t label = Answer(item, "import", "ham", "import");  // the item's own label: not an answer
  EXPECT_EQ(Listed({}), (std::vector<int64_t>{mine, file}));
  ReviewQuery by_w7;
  by_w7.annotator = "w7";
  EXPECT_EQ(Listed(by_w7), (std::vector<int64_t>{file}));
  EXPECT_EQ(Verdict(label, "rita", "approve").status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(Verdict(file, "rita", "reject", "not spam").ok());
  auto w7 = ClaimRework("w7");
  ASSERT_TRUE(w7.ok()) << w7.status().ToString();
  EXPECT_FALSE(w7->has_value()) << "w7 is no user: no rework entry";
  ASSERT_TRUE(Verdict(mine, "rita", "reject", "not spam").ok());
  auto a = ClaimRework("alice");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->lease.item_id, item);
  EXPECT_EQ(store_->ListReviews(project_.id, item)->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreReviewTest, ::testing::ValuesIn(testing::kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hitloop
