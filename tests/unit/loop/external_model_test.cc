// A cycle whose project is connected to an external ML backend (loop/external_model.h) takes its
// pre-labels from it, through the outbound-safety rules.
#include "loop/external_model.h"

#include <gtest/gtest.h>

#include <set>

#include "loop/cycle.h"
#include "mlbackend/protocol.h"
#include "unit/loop/loop_store_fixture.h"
#include "unit/mlbackend/fake_backend.h"

namespace hitloop::loop {
namespace {

class ExternalModelTest : public LoopStoreFixture {
 protected:
  void Connect(const mlbackend::BackendSettings& s) {
    Project p = Reload();
    ASSERT_TRUE(store_->SetProjectConfig(p.id, mlbackend::WithBackendSettings(p.config_json, s)).ok());
  }
  mlbackend::BackendSettings Settings(bool allow) {
    mlbackend::BackendSettings s;
    s.name = "fake";
    s.url = fake_.url();
    s.auth_user = "hitloop";
    s.auth_pass = "secret";
    if (allow) s.allow_outbound = {"127.0.0.1:" + std::to_string(fake_.port)};
    return s;
  }
  Result<CycleRecord> Cycle() {
    CycleOptions o;
    o.models_dir = dir_.path() + "/models";
    o.now = now_ += 1000;
    o.featurizer.hash_bits = 14;
    return RunCycle(*store_, Reload(), o);
  }
  testing::FakeMlBackend fake_;
};

TEST_F(ExternalModelTest, CycleTakesPreLabelsFromTheConnectedBackend) {
  AddItems(300, Split::kPool, 1);
  Connect(Settings(true));
  auto rec = Cycle();
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_FALSE(rec->cold_start);           // no labels yet, but the backend is a model
  EXPECT_EQ(rec->model_name, "mlbackend:fake");
  EXPECT_EQ(rec->model_version, "fake-v1");
  EXPECT_TRUE(rec->model_path.empty());    // nothing trained, nothing saved
  // Every pool item was sent (nobody has labelled any), with Basic auth, after /setup.
  const auto seen = fake_.seen();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "setup");
  int tasks = 0;
  for (const auto& s : seen) {
    if (s.path != "predict") continue;
    EXPECT_EQ(s.authorization, "Basic aGl0bG9vcDpzZWNyZXQ=");  // base64("hitloop:secret")
    tasks += static_cast<int>(nlohmann::json::parse(s.body)["tasks"].size());
  }
  EXPECT_EQ(tasks, 300);
  // The backend's labels are the stored predictions, with its score as the confidence.
  int right = 0, seen_pred = 0;
  for (const auto& [id, label] : gold_) {
    auto p = store_->LatestPrediction(id);
    if (!p.ok() || !p->has_value()) continue;
    ++seen_pred;
    right += (*p)->label == label;
    EXPECT_NEAR((*p)->confidence, 0.99, 1e-6);
    EXPECT_EQ((*p)->model_version, "fake-v1");
  }
  EXPECT_EQ(seen_pred, 300);
  EXPECT_EQ(right, 300);
  // Not certified yet (no audits): nothing auto-accepted, audits drawn to measure the backend.
  EXPECT_EQ(rec->auto_accepted, 0);
  EXPECT_GT(rec->audits_queued, 0);
}

TEST_F(ExternalModelTest, LabelledItemsAreNotSentAndUnusablePredictionsGoToPeople) {
  AddItems(300, Split::kPool, 2);
  auto c1 = Cycle();  // cold start on hitloop's own model: queues seeds
  ASSERT_TRUE(c1.ok());
  ASSERT_GT(AnswerAll("alice", {}), 0);
  fake_.with_score = false;  // a prediction without a score is no confidence
  Connect(Settings(true));
  auto c2 = Cycle();
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  // Items somebody answered (as a seed or as an audit) are not sent; every other item is.
  size_t unanswered = 0;
  for (const auto& [id, label] : gold_) {
    auto anns = store_->ListAnnotations(id);
    ASSERT_TRUE(anns.ok());
    unanswered += anns->empty();
  }
  std::set<std::string> sent;
  for (const auto& s : fake_.seen()) {
    if (s.path != "predict") continue;
    const nlohmann::json body = nlohmann::json::parse(s.body);
    for (const auto& t : body["tasks"]) sent.insert(t["id"].get<std::string>());
  }
  EXPECT_EQ(sent.size(), unanswered);
  EXPECT_GT(unanswered, 100u);
  EXPECT_LT(unanswered, 300u);
  EXPECT_EQ(c2->auto_accepted, 0);
  // A missing score did not become a confidence: the stored distribution is uniform.
  int uniform = 0;
  for (const auto& [id, label] : gold_) {
    auto p = store_->LatestPrediction(id);
    if (p.ok() && p->has_value() && (*p)->model_version == "fake-v1") {
      uniform += std::abs((*p)->confidence - 0.5) < 1e-6;
    }
  }
  EXPECT_EQ(uniform, 300);
}

TEST_F(ExternalModelTest, LoopbackBackendNotAllowedFailsTheCycleAndSendsNothing) {
  AddItems(50, Split::kPool, 3);
  Connect(Settings(false));
  auto rec = Cycle();
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(rec.status().message().find("--allow-outbound 127.0.0.1:"), std::string::npos);
  EXPECT_TRUE(fake_.seen().empty());
}

}  // namespace
}  // namespace hitloop::loop
