// The live cycle on a multi-label project (loop/multilabel.h, loop/cycle_multilabel.cc).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/rng.h"
#include "loop/answer.h"
#include "loop/cycle.h"
#include "loop/multilabel.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace hitloop::loop {
namespace {

class MultiLabelCycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.path() + "/hitloop.db");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Project p;
    p.name = "tags";
    p.type = TaskType::kMultiLabel;
    p.labels = {"sport", "money", "health"};
    auto created = store_->CreateProject(p);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_ = *created;
  }

  // Each item carries each tag with probability 0.4 (at least one) and 3 words of each of its tags.
  void AddItems(int n, uint64_t seed) {
    static const char* kWords[3][6] = {{"match", "goal", "team", "coach", "league", "score"},
                                       {"bank", "price", "loan", "market", "budget", "tax"},
                                       {"doctor", "diet", "sleep", "clinic", "virus", "fitness"}};
    Rng rng(seed);
    for (int i = 0; i < n; ++i) {
      int mask = 0;
      for (int c = 0; c < 3; ++c) mask |= (rng.Uniform() < 0.4 ? 1 : 0) << c;
      if (mask == 0) mask = 1 << rng.Below(3);
      std::string text = "today ";
      for (int c = 0; c < 3; ++c) {
        if (!(mask >> c & 1)) continue;
        for (int w = 0; w < 3; ++w) text += std::string(kWords[c][rng.Below(6)]) + " ";
      }
      text += "news " + std::to_string(rng.Below(7));
      Item it;
      it.project_id = project_.id;
      it.external_id = "p" + std::to_string(seed) + "-" + std::to_string(i);
      it.text = text;
      it.content_hash = it.external_id;
      int64_t id = 0;
      ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
      gold_[id] = mask;
    }
  }

  // Plays the people: claims every open entry and answers the item's true set.
  int AnswerAll() {
    int answered = 0;
    for (;;) {
      ClaimRequest req;
      req.project_id = project_.id;
      req.annotator = "alice";
      req.pools = {"general"};
      req.now = now_;
      auto c = store_->Claim(req);
      EXPECT_TRUE(c.ok()) << c.status().ToString();
      if (!c.ok() || !c->has_value()) return answered;
      Answer ans;
      ans.labels = LabelSetNames(project_.labels, gold_[(*c)->lease.item_id]);
      const Status st = RecordAnswer(*store_, project_, (*c)->lease, "alice", ans, now_);
      EXPECT_TRUE(st.ok()) << st.ToString();
      ++answered;
    }
  }

  Result<CycleRecord> Cycle() {
    now_ += 1000;
    CycleOptions o;
    o.models_dir = dir_.path() + "/models";
    o.now = now_;
    o.featurizer.hash_bits = 14;
    return RunCycle(*store_, *store_->GetProject(project_.name), o);
  }

  hitloop::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
  std::map<int64_t, int> gold_;
  int64_t now_ = 1'700'000'000'000;
};

// Regression: `hitloop cycle` refused multi-label projects ("cycle: only single-label projects are
// supported by the loop so far") although `project create --type multi-label` offered them.
TEST_F(MultiLabelCycleTest, CycleRefusedMultiLabelProjects) {
  AddItems(100, 1);
  auto c = Cycle();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->cold_start);
  EXPECT_TRUE(c->multi_label);
  // The 50-item seed batch less the items the same cycle drew for an audit (50 of these 100):
  // PlanCycle.AnItemDrawnForAnAuditIsNotAlsoInTheReviewBatch.
  EXPECT_GT(c->queued_review, 0);
  EXPECT_LE(c->queued_review, 50);
}

TEST_F(MultiLabelCycleTest, PerLabelModelsPreLabelSetsThenCertifiedAutoAccept) {
  AddItems(1500, 2);
  ASSERT_TRUE(Cycle().ok());
  bool certified = false;
  for (int round = 0; round < 6 && !certified; ++round) {
    AnswerAll();
    auto c = Cycle();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_FALSE(c->cold_start);
    EXPECT_TRUE(c->multi_label);
    ASSERT_EQ(c->classes.size(), 3u);
    EXPECT_TRUE(std::filesystem::exists(c->model_path)) << c->model_path;
    certified = c->global_certified;
    if (!certified) {
      EXPECT_EQ(c->auto_accepted, 0);
    }
  }
  ASSERT_TRUE(certified);
  // Pre-labels: per-label probabilities and the predicted set; accepted items carry their set.
  int64_t accepted = 0, exact = 0;
  for (const auto& [id, mask] : gold_) {
    auto pred = store_->LatestPrediction(id);
    ASSERT_TRUE(pred.ok());
    ASSERT_TRUE(pred->has_value());
    EXPECT_EQ((*pred)->distribution.size(), 3u);
    std::vector<float> p((*pred)->distribution.begin(), (*pred)->distribution.end());
    EXPECT_EQ((*pred)->label, LabelSetText(project_.labels, PredictSet(p).mask));
    auto item = store_->GetItem(id);
    ASSERT_TRUE(item.ok());
    if (item->label_source == LabelSource::kModel) {
      ++accepted;
      exact += LabelSetMask(project_.labels, item->labels) == mask;
    }
  }
  EXPECT_GT(accepted, 300);
  EXPECT_GE(static_cast<double>(exact) / accepted, 0.97);
  auto cycles = store_->ListCycles(project_.id);
  ASSERT_TRUE(cycles.ok());
  auto j = nlohmann::json::parse(cycles->back().record_json);
  EXPECT_TRUE(j["multi_label"].get<bool>());
  EXPECT_TRUE(j["global_certified"].get<bool>());
}

}  // namespace
}  // namespace hitloop::loop
