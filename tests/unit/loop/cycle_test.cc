#include "loop/cycle.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loop/config.h"
#include "loop_store_fixture.h"

namespace hitloop::loop {
namespace {

class CycleTest : public LoopStoreFixture {
 protected:
  CycleOptions Options() {
    CycleOptions o;
    o.models_dir = dir_.path() + "/models";
    o.now = now_;
    o.featurizer.hash_bits = 14;
    return o;
  }
  Result<CycleRecord> Cycle(const CycleOptions& o) {
    now_ += 1000;
    CycleOptions oo = o;
    oo.now = now_;
    return RunCycle(*store_, Reload(), oo);
  }
  int OpenCount(const std::string& kind) {
    int n = 0;
    EXPECT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
      n += q.kind == kind;
      return true;
    }).ok());
    return n;
  }
};

TEST_F(CycleTest, ColdStartThenCertifiedAutoAcceptWithRecordsAndModelFiles) {
  AddItems(1200, Split::kPool, 1);
  AddItems(200, Split::kGold, 2);
  auto c1 = Cycle(Options());
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_TRUE(c1->cold_start);
  EXPECT_EQ(c1->auto_accepted, 0);
  EXPECT_EQ(c1->queued_review, 50);
  EXPECT_EQ(c1->audits_queued, 50);
  EXPECT_EQ(c1->min_audits_needed, 149);
  // People answer; audits accumulate over cycles until the threshold is certified.
  bool certified = false;
  for (int round = 0; round < 6 && !certified; ++round) {
    AnswerAll("alice", {});
    auto c = Cycle(Options());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_FALSE(c->cold_start);
    EXPECT_FALSE(c->model_path.empty());
    ASSERT_TRUE(c->after.has_value());
    EXPECT_GT(c->after->accuracy, 0.9);
    if (round > 0) EXPECT_TRUE(c->before.has_value()) << c->before_note;
    certified = c->global_certified;
    if (certified) {
      EXPECT_GT(c->auto_accepted, 500);
      EXPECT_GE(c->audits_total, 149);
      EXPECT_GE(c->audit_precision.lower_bound, 0.98 - 1e-9);
    } else {
      EXPECT_EQ(c->auto_accepted, 0);
    }
  }
  EXPECT_TRUE(certified);
  auto status = store_->GetStatus(project_.id);
  ASSERT_TRUE(status.ok());
  EXPECT_GT(status->by_label_source["model"], 500);
  auto cycles = store_->ListCycles(project_.id);
  ASSERT_TRUE(cycles.ok());
  EXPECT_GE(cycles->size(), 3u);
  auto j = nlohmann::json::parse(cycles->back().record_json);
  EXPECT_TRUE(j["global_certified"].get<bool>());
}

TEST_F(CycleTest, FailingAuditsRequeueAutoLabels) {
  AddItems(1200, Split::kPool, 3);
  ASSERT_TRUE(Cycle(Options()).ok());
  CycleRecord last;
  for (int round = 0; round < 6; ++round) {
    AnswerAll("alice", {});
    auto c = Cycle(Options());
    ASSERT_TRUE(c.ok());
    last = *c;
    if (c->global_certified) break;
  }
  ASSERT_TRUE(last.global_certified);
  const int64_t accepted = last.auto_accepted;
  // A careless auditor contradicts the model on every audit: the bound fails, labels go back.
  AnswerAll("mallory", {"audit"}, /*wrong=*/true);
  auto c = Cycle(Options());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->global_certified);
  EXPECT_EQ(c->auto_accepted, 0);
  // Every auto label not itself just audited goes back to people.
  EXPECT_GE(c->requeued, accepted - 50);
  EXPECT_GT(c->requeued, 0);
  auto status = store_->GetStatus(project_.id);
  EXPECT_EQ(status->by_label_source["model"], 0);
  EXPECT_GE(OpenCount("review"), c->requeued);
}

TEST_F(CycleTest, RoutingRulesSendMetaMatchesToTheirPoolAndSeedClassNeedsItsOwnCertificate) {
  AddItems(300, Split::kPool, 4, R"({"domain":"medical"})");
  AddItems(300, Split::kPool, 5);
  auto cfg = MergeLoopConfig(project_.config_json,
                             R"({"routing":[{"when":{"meta":{"domain":"medical"}},"pool":"experts","overlap":2}]})");
  ASSERT_TRUE(cfg.ok());
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *cfg).ok());
  auto c = Cycle(Options());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_GT(c->queued_by_pool["experts"], 0);
  EXPECT_GT(c->queued_by_pool["general"], 0);
  bool overlap_seen = false;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    if (q.kind == "review" && q.pool == "experts") overlap_seen |= q.overlap == 2;
    if (q.kind == "review" && q.pool == "general") EXPECT_EQ(q.overlap, 1);
    return true;
  }).ok());
  EXPECT_TRUE(overlap_seen);
  // A class added mid-project with a seed query: matches go first, and it is remembered as new.
  ASSERT_TRUE(store_->AddLabel(project_.id, "phish").ok());
  CycleOptions o = Options();
  o.seed_class = "phish";
  o.seed_query = "lottery";
  auto c2 = Cycle(o);
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  auto parsed = ParseLoopConfig(Reload().config_json);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->new_classes, std::vector<std::string>{"phish"});
  for (const auto& cls : c2->classes) {
    if (cls.label == "phish") {
      EXPECT_FALSE(cls.certified);
      EXPECT_TRUE(cls.cold);
    }
  }
  o.seed_class = "nope";
  EXPECT_EQ(Cycle(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::loop
