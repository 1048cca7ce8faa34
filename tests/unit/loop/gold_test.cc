// Gold questions drive routing (loop/gold.h): mixing at gold_rate, qualification for a pool,
// flagging, and answers scored against the known answer that they never replace. The claims run
// on every store backend.
#include "loop/gold.h"

#include <gtest/gtest.h>

#include "loop/answer.h"
#include "loop/config.h"
#include "support/comparisons.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop::loop {
namespace {

TEST(GoldConfig, ParsesAndValidatesTheGoldRoutingKeys) {
  auto g = ParseGoldRouting(R"({"loop": {"gold_rate": 0.05, "flag_below": 0.5,
      "pools": {"experts": {"qualify_gold": 5, "qualify_accuracy": 0.8, "flag_below": 0.7}}}})");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_DOUBLE_EQ(g->gold_rate, 0.05);
  EXPECT_TRUE(g->active());
  EXPECT_EQ(g->For("experts").qualify_gold, 5);
  EXPECT_DOUBLE_EQ(g->For("experts").flag_below, 0.7);
  EXPECT_DOUBLE_EQ(g->For("general").flag_below, 0.5);  // the project's threshold
  EXPECT_EQ(g->For("general").qualify_gold, 0);
  // Defaults: nothing switched on, claims do not read gold scores.
  auto none = ParseGoldRouting("{}");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->active());
  for (const char* bad : {R"({"loop": {"gold_rate": 1.5}})", R"({"loop": {"flag_below": "x"}})",
                          R"({"loop": {"pools": {"experts": {"qualify_gold": -1}}}})",
                          R"({"loop": {"pools": {"experts": {"qualify_golds": 3}}}})",
                          R"({"loop": {"pools": {"_gold": {}}}})", R"({"loop": {"pools": []}})"}) {
    EXPECT_EQ(ParseGoldRouting(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(ParseLoopConfig(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(GoldAccess, FlagsOnlyWhenTheWilsonUpperBoundFallsBelowTheThreshold) {
  PoolPolicy p;
  p.flag_below = 0.5;
  // 0 of 3: upper bound 0.56, not yet evidence enough; 0 of 4: 0.49, flagged.
  EXPECT_EQ(AccessFor(p, StandingOf(3, 0)), PoolAccess::kOpen);
  EXPECT_EQ(AccessFor(p, StandingOf(4, 0)), PoolAccess::kFlagged);
  EXPECT_EQ(AccessFor(p, StandingOf(40, 12)), PoolAccess::kFlagged);  // 0.30, upper 0.45
  EXPECT_EQ(AccessFor(p, StandingOf(40, 15)), PoolAccess::kOpen);     // 0.375, upper 0.53
  EXPECT_EQ(AccessFor(p, StandingOf(40, 20)), PoolAccess::kOpen);
  EXPECT_EQ(AccessFor(p, StandingOf(0, 0)), PoolAccess::kOpen);
}

TEST(GoldAccess, QualificationNeedsEnoughAnswersAtTheAccuracy) {
  PoolPolicy p;
  p.qualify_gold = 3;
  p.qualify_accuracy = 0.8;
  EXPECT_EQ(AccessFor(p, StandingOf(0, 0)), PoolAccess::kQualifying);
  EXPECT_EQ(AccessFor(p, StandingOf(2, 2)), PoolAccess::kQualifying);
  EXPECT_EQ(AccessFor(p, StandingOf(3, 2)), PoolAccess::kQualifying);
  EXPECT_EQ(AccessFor(p, StandingOf(3, 3)), PoolAccess::kOpen);
  EXPECT_EQ(AccessFor(p, StandingOf(5, 4)), PoolAccess::kOpen);
}

TEST(GoldPlan, DrawBelowTheRateAsksForAGoldQuestionInTheFirstOpenPool) {
  GoldRouting g;
  g.gold_rate = 0.25;
  g.pools["experts"].qualify_gold = 2;
  const GoldStanding fresh = StandingOf(0, 0);
  ClaimPlan plan = PlanClaim(g, {"experts", "general"}, fresh, 0.9);
  EXPECT_EQ(plan.qualify_pool, "experts");
  EXPECT_EQ(plan.gold_pool, "");
  EXPECT_EQ(plan.open_pools, std::vector<std::string>{"general"});
  plan = PlanClaim(g, {"experts", "general"}, StandingOf(2, 2), 0.1);
  EXPECT_EQ(plan.qualify_pool, "");
  EXPECT_EQ(plan.gold_pool, "experts");
  EXPECT_EQ(plan.open_pools, (std::vector<std::string>{"experts", "general"}));
  plan = PlanClaim(g, {"experts", "general"}, StandingOf(2, 2), 0.25);
  EXPECT_EQ(plan.gold_pool, "");
}

class GoldClaimTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    if (auto why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << GetParam().name << ": " << why;
    auto s = GetParam().open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Project p;
    p.name = "mail";
    p.labels = {"ham", "spam"};
    auto created = store_->CreateProject(p);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_ = *created;
  }
  void TearDown() override {
    store_.reset();
    GetParam().cleanup(dir_.path());
  }

  void SetConfig(const std::string& loop_json) {
    auto merged = MergeLoopConfig(project_.config_json, loop_json);
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    ASSERT_TRUE(store_->SetProjectConfig(project_.id, *merged).ok());
    project_.config_json = *merged;
    auto g = ParseGoldRouting(project_.config_json);
    ASSERT_TRUE(g.ok());
    gold_ = *g;
  }
  // `n` gold items whose known answer is "spam", as gold questions.
  void AddGold(int n) {
    for (int i = 0; i < n; ++i) {
      Item it;
      it.project_id = project_.id;
      it.external_id = "g" + std::to_string(i);
      it.text = "gold text " + std::to_string(i);
      it.content_hash = it.external_id;
      it.split = Split::kGold;
      int64_t id = 0;
      ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
      Annotation a;
      a.item_id = id;
      a.labels = {"spam"};
      a.annotator = "import";
      a.kind = "import";
      ASSERT_TRUE(store_->AppendAnnotation(a).ok());
    }
    ASSERT_TRUE(store_->EnsureGoldQueue(project_.id).ok());
  }
  void AddTasks(int n, const std::string& pool) {
    for (int i = 0; i < n; ++i) {
      Item it;
      it.project_id = project_.id;
      it.external_id = pool + std::to_string(i);
      it.text = "task text " + it.external_id;
      it.content_hash = it.external_id;
      int64_t id = 0;
      ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
      QueueEntry e;
      e.project_id = project_.id;
      e.item_id = id;
      e.pool = pool;
      ASSERT_TRUE(store_->Enqueue(e).ok());
    }
  }
  // One claim for `who` serving `pools`; answers it with `label` through RecordAnswer. Returns
  // the lease's kind ("" when nothing was handed out).
  std::string ClaimAndAnswer(const std::string& who, const std::vector<std::string>& pools,
                             const std::string& label, double draw = 0.99) {
    ClaimRequest req{project_.id, who, pools, {}, now_, 600000};
    auto c = ClaimWithGold(*store_, gold_, req, draw);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok() || !c->has_value()) return "";
    const Lease& l = (*c)->lease;
    Status st = RecordAnswer(*store_, project_, l, who, Answer{{label}, 1000}, ++now_);
    EXPECT_TRUE(st.ok()) << st.ToString();
    last_pool_ = l.pool;
    return LeaseKindName(l.kind);
  }
  GoldStanding Standing(const std::string& who) {
    auto s = store_->GoldScores(project_.id, who);
    EXPECT_TRUE(s.ok());
    return !s.ok() || s->empty() ? GoldStanding{} : StandingOf((*s)[0].answered, (*s)[0].correct);
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
  GoldRouting gold_;
  int64_t now_ = 1000;
  std::string last_pool_;
};

TEST_P(GoldClaimTest, ANewAnnotatorGetsQualificationGoldFirstThenThePoolsTasks) {
  SetConfig(R"({"pools": {"experts": {"qualify_gold": 2, "qualify_accuracy": 1.0}}})");
  AddGold(4);
  AddTasks(2, "experts");
  EXPECT_EQ(ClaimAndAnswer("newbie", {"experts"}, "spam"), "gold");
  EXPECT_EQ(last_pool_, "experts");  // shown as a task of the pool being qualified for
  EXPECT_EQ(ClaimAndAnswer("newbie", {"experts"}, "spam"), "gold");
  EXPECT_EQ(Standing("newbie").correct, 2);
  EXPECT_EQ(ClaimAndAnswer("newbie", {"experts"}, "ham"), "review");  // qualified: real tasks
  EXPECT_EQ(ClaimAndAnswer("newbie", {"experts"}, "ham"), "review");
  EXPECT_EQ(ClaimAndAnswer("newbie", {"experts"}, "ham"), "");
}

TEST_P(GoldClaimTest, AnAnnotatorWhoFailsQualificationGetsNoneOfThePoolsTasks) {
  SetConfig(R"({"pools": {"experts": {"qualify_gold": 2, "qualify_accuracy": 1.0}}})");
  AddGold(3);
  AddTasks(2, "experts");
  AddTasks(1, "general");
  // Qualification questions come before the other pool's work.
  EXPECT_EQ(ClaimAndAnswer("guess", {"experts", "general"}, "ham"), "gold");
  EXPECT_EQ(ClaimAndAnswer("guess", {"experts", "general"}, "spam"), "gold");
  EXPECT_EQ(ClaimAndAnswer("guess", {"experts", "general"}, "ham"), "gold");  // still 1 of 2 right
  // Gold questions exhausted below the accuracy: experts stays closed, general is served.
  EXPECT_EQ(ClaimAndAnswer("guess", {"experts", "general"}, "ham"), "review");
  EXPECT_EQ(last_pool_, "general");
  EXPECT_EQ(ClaimAndAnswer("guess", {"experts", "general"}, "ham"), "");
}

TEST_P(GoldClaimTest, AFlaggedAnnotatorGetsNothingMoreFromThePoolUntilTheFlagIsCleared) {
  SetConfig(R"({"gold_rate": 0.5, "pools": {"general": {"flag_below": 0.5}}})");
  AddGold(6);
  AddTasks(3, "general");
  // The draw below gold_rate asks for gold; four wrong answers put the upper bound at 0.49.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ClaimAndAnswer("sloppy", {"general"}, "ham", 0.1), "gold");
  EXPECT_LT(Standing("sloppy").upper, 0.5);
  EXPECT_EQ(ClaimAndAnswer("sloppy", {"general"}, "ham", 0.1), "");   // no gold question
  EXPECT_EQ(ClaimAndAnswer("sloppy", {"general"}, "ham", 0.99), "");  // no real task
  // Someone else still gets the pool's work.
  EXPECT_EQ(ClaimAndAnswer("careful", {"general"}, "ham", 0.99), "review");
  // An admin clears the flag: the earlier answers stop counting and work flows again.
  auto cleared = store_->ClearGoldScores(project_.id, "sloppy");
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(*cleared, 4);
  EXPECT_EQ(ClaimAndAnswer("sloppy", {"general"}, "ham", 0.99), "review");
}

// `hitloop quality --clear-flag` and the clear-flag route share ClearGoldFlag: a mistyped name
// is an error, not "cleared 0 answers".
TEST_P(GoldClaimTest, ClearingTheFlagOfSomeoneWhoIsNotAUserIsNotFound) {
  SetConfig(R"({"gold_rate": 0.5, "pools": {"general": {"flag_below": 0.5}}})");
  AddGold(4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ClaimAndAnswer("sloppy", {"general"}, "ham", 0.1), "gold");
  auto typo = ClearGoldFlag(*store_, project_.id, "slopy");
  EXPECT_EQ(typo.status().code(), StatusCode::kNotFound);
  EXPECT_NE(typo.status().message().find("slopy"), std::string::npos);
  User u;
  u.name = "sloppy";
  ASSERT_TRUE(store_->CreateUser(u, "token-hash-sloppy").ok());
  auto cleared = ClearGoldFlag(*store_, project_.id, "sloppy");
  ASSERT_TRUE(cleared.ok()) << cleared.status().ToString();
  EXPECT_EQ(*cleared, 4);
}

TEST_P(GoldClaimTest, GoldQuestionsAreMixedInOnlyWhenTheDrawFallsBelowTheRate) {
  SetConfig(R"({"gold_rate": 0.2})");
  AddGold(2);
  AddTasks(3, "general");
  EXPECT_EQ(ClaimAndAnswer("ann", {"general"}, "ham", 0.5), "review");
  EXPECT_EQ(ClaimAndAnswer("ann", {"general"}, "spam", 0.1), "gold");
  EXPECT_EQ(ClaimAndAnswer("ann", {"general"}, "spam", 0.1), "gold");
  // No unanswered gold question left: the draw falls through to real work.
  EXPECT_EQ(ClaimAndAnswer("ann", {"general"}, "ham", 0.1), "review");
  EXPECT_EQ(Standing("ann").answered, 2);
  // Without any gold setting, a claim never hands out a gold question.
  SetConfig("{}");
  EXPECT_EQ(ClaimAndAnswer("bob", {"general"}, "ham", 0.0), "review");
}

TEST_P(GoldClaimTest, GoldAnswersAreScoredAndNeverOverwriteTheKnownAnswer) {
  SetConfig(R"({"gold_rate": 1.0})");
  AddGold(2);
  EXPECT_EQ(ClaimAndAnswer("ann", {"general"}, "ham", 0.0), "gold");
  EXPECT_EQ(ClaimAndAnswer("bob", {"general"}, "spam", 0.0), "gold");
  EXPECT_EQ(Standing("ann").answered, 1);
  EXPECT_EQ(Standing("ann").correct, 0);
  EXPECT_EQ(Standing("bob").correct, 1);
  ASSERT_TRUE(store_->ScanItems(project_.id, [&](const Item& it) {
    EXPECT_EQ(it.labels, std::vector<std::string>{"spam"}) << it.external_id;
    EXPECT_EQ(it.label_annotator, "import") << it.external_id;
    return true;
  }).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, GoldClaimTest, ::testing::ValuesIn(testing::kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hitloop::loop

namespace hitloop::loop {
namespace {

// Regression: a gold comparison was scored by comparing label lists, so an answer that carried its
// display order ("shown:BA") or a strength ("/much") never matched the known "A>B": everyone
// failed qualification on comparison projects. The order of the responses is what is scored.
TEST(GoldComparison, TheOrderIsScoredNotTheStrengthOrTheDisplayOrder) {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  const Project p = testing::MakePairwiseProject(dir.File("db"), &store, "pw", {"harmless", "helpful"});
  Item it;
  it.project_id = p.id;
  it.external_id = "g";
  it.text = "q";
  it.content_hash = "g";
  it.split = Split::kGold;
  it.meta_json = R"({"prompt":"q","responses":[{"text":"a"},{"text":"b"},{"text":"c"}]})";
  int64_t id = 0;
  ASSERT_TRUE(store->PutItem(it, "t", &id).ok());
  Annotation known;
  known.item_id = id;
  known.labels = {"harmless:A>B=C", "helpful:C>A>B"};
  known.annotator = "import";
  known.kind = "import";
  ASSERT_TRUE(store->AppendAnnotation(known).ok());
  Lease lease;
  lease.project_id = p.id;
  lease.item_id = id;
  lease.kind = LeaseKind::kGold;
  const std::vector<std::pair<std::string, std::vector<std::string>>> answers = {
      {"right", {"harmless:A>C=B/much", "helpful:C>A>B", "shown:CAB"}},
      {"wrong_order", {"harmless:A>B=C", "helpful:A>C>B", "shown:ABC"}},
      {"missing_criterion", {"harmless:A>B=C", "shown:ABC"}},
      {"undecodable", {"harmless:A>B", "helpful:C>A>B"}},
  };
  int64_t now = 1;
  for (const auto& [who, labels] : answers) {
    ASSERT_TRUE(ScoreGoldAnswer(*store, lease, who, labels, ++now).ok()) << who;
  }
  for (const auto& [who, labels] : answers) {
    auto s = store->GoldScores(p.id, who);
    ASSERT_TRUE(s.ok() && s->size() == 1) << who;
    EXPECT_EQ((*s)[0].correct, who == "right" ? 1 : 0) << who;
  }
}

}  // namespace
}  // namespace hitloop::loop
