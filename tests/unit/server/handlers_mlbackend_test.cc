// hitloop as a Label Studio ML backend: /ml/{project}/health|setup|predict|webhook answer Label
// Studio's requests (tests/data/mlbackend/) from the project's current model.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "loop/cycle.h"
#include "loop/predictor.h"
#include "unit/server/server_fixture.h"
#include "support/paths.h"

namespace hitloop {
namespace {

using nlohmann::json;
using testing::ServerFixture;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(HITLOOP_SOURCE_DIR) + "/tests/data/mlbackend/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A sentiment project whose first cycle trained a model on imported labels.
class MlBackendServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = f_.AddProject("reviews", {"Positive", "Negative"});
    f_.AddUser("rev", Role::kReviewer, {"general"}, {"reviews"});
    f_.AddUser("ann", Role::kAnnotator, {"general"}, {"reviews"});
    const char* kPos[] = {"great", "love", "positive", "excellent", "happy", "wonderful"};
    const char* kNeg[] = {"awful", "broken", "waste", "terrible", "refund", "angry"};
    ASSERT_TRUE(f_.store().Begin().ok());
    for (int i = 0; i < 60; ++i) {
      const bool pos = i % 2 == 0;
      Item it;
      it.project_id = project_.id;
      it.external_id = "r" + std::to_string(i);
      it.text = std::string(pos ? kPos[i % 6] : kNeg[i % 6]) + " " + (pos ? kPos[(i + 1) % 6] : kNeg[(i + 1) % 6]) +
                " product " + std::to_string(i % 3);
      it.content_hash = it.external_id;
      int64_t id = 0;
      ASSERT_TRUE(f_.store().PutItem(it, "t", &id).ok());
      if (i < 40) {
        Annotation a;
        a.item_id = id;
        a.labels = {pos ? "Positive" : "Negative"};
        a.source = LabelSource::kHuman;
        a.annotator = "import";
        a.kind = "import";
        ASSERT_TRUE(f_.store().AppendAnnotation(a).ok());
      }
    }
    ASSERT_TRUE(f_.store().Commit().ok());
  }

  Result<loop::CycleRecord> RunCycle() {
    loop::CycleOptions o;
    o.models_dir = loop::DefaultModelsDir(f_.db_path(), project_.name);
    o.now = f_.clock().NowMillis();
    o.featurizer.hash_bits = 14;
    return loop::RunCycle(f_.store(), *f_.store().GetProject(project_.name), o);
  }

  ServerFixture f_;
  Project project_;
};

TEST_F(MlBackendServerTest, PredictAnswersLabelStudioRequestWithCurrentModel) {
  auto rec = RunCycle();
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  ASSERT_FALSE(rec->model_path.empty());
  f_.Start();
  auto r = f_.Call("rev", "POST", "/ml/reviews/predict", Fixture("predict_request.json"));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  ASSERT_EQ(j["results"].size(), 2u) << r.body;
  EXPECT_EQ(j["model_version"], rec->model_version);
  for (const json& res : j["results"]) {
    EXPECT_EQ(res["model_version"], rec->model_version);
    ASSERT_EQ(res["result"].size(), 1u);
    // Names from the request's labelling config, not hitloop's defaults.
    EXPECT_EQ(res["result"][0]["from_name"], "sentiment");
    EXPECT_EQ(res["result"][0]["to_name"], "text");
    EXPECT_EQ(res["result"][0]["type"], "choices");
    EXPECT_GT(res["score"].get<double>(), 0.5);
    EXPECT_LE(res["score"].get<double>(), 1.0);
  }
  EXPECT_EQ(j["results"][0]["result"][0]["value"]["choices"][0], "Positive") << r.body;
  EXPECT_EQ(j["results"][1]["result"][0]["value"]["choices"][0], "Negative") << r.body;

  // The same model through loop::CurrentModel gives the same score: one code path.
  auto ref = loop::NewestModel(f_.store(), *f_.store().GetProject("reviews"));
  ASSERT_TRUE(ref.ok());
  auto m = loop::LoadCurrentModel(*f_.store().GetProject("reviews"), *ref, {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<float> probs;
  const std::string texts[] = {"That is positive!"};
  ASSERT_TRUE((*m)->Predict(texts, &probs).ok());
  EXPECT_NEAR(j["results"][0]["score"].get<double>(), std::max(probs[0], probs[1]), 1e-6);
}

TEST_F(MlBackendServerTest, TaskWithoutTextKeepsItsPlaceWithAnEmptyResult) {
  ASSERT_TRUE(RunCycle().ok());
  f_.Start();
  json req = {{"tasks", {{{"id", 1}, {"data", {{"image", 3}}}},
                         {{"id", 2}, {"data", {{"review", "love it, great"}}}}}},
              {"label_config", ""}};
  auto r = f_.Call("rev", "POST", "/ml/reviews/predict", req.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  ASSERT_EQ(j["results"].size(), 2u);
  EXPECT_TRUE(j["results"][0]["result"].empty());
  EXPECT_FALSE(j["results"][0].contains("score"));
  // The only string field is the text; hitloop's default control names.
  EXPECT_EQ(j["results"][1]["result"][0]["value"]["choices"][0], "Positive");
  EXPECT_EQ(j["results"][1]["result"][0]["from_name"], "label");
}

TEST_F(MlBackendServerTest, BeforeAnyModelSetupAndHealthAnswerAndPredictSaysWhy) {
  f_.Start();
  auto setup = f_.Call("rev", "POST", "/ml/reviews/setup", Fixture("setup_request.json"));
  ASSERT_EQ(setup.status, 200) << setup.body;
  EXPECT_TRUE(setup.json()["model_version"].is_null());
  auto health = f_.Call("rev", "GET", "/ml/reviews/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["status"], "UP");
  auto predict = f_.Call("rev", "POST", "/ml/reviews/predict", Fixture("predict_request.json"));
  EXPECT_EQ(predict.status, 404);
  EXPECT_NE(predict.body.find("no model yet"), std::string::npos) << predict.body;
}

TEST_F(MlBackendServerTest, SetupHealthAndWebhookAfterACycle) {
  auto rec = RunCycle();
  ASSERT_TRUE(rec.ok());
  f_.Start();
  auto setup = f_.Call("rev", "POST", "/ml/reviews/setup", Fixture("setup_request.json"));
  ASSERT_EQ(setup.status, 200);
  EXPECT_EQ(setup.json()["model_version"], rec->model_version);
  auto health = f_.Call("rev", "GET", "/ml/reviews/health");
  EXPECT_EQ(health.json()["model_version"], rec->model_version);
  auto hook = f_.Call("rev", "POST", "/ml/reviews/webhook", Fixture("webhook_request.json"));
  EXPECT_EQ(hook.status, 200);
  EXPECT_EQ(hook.json()["action"], "ANNOTATION_CREATED");
}

// Label Studio sends Basic auth to a model server; the password is a hitloop API token, and only
// on /ml/ routes.
TEST_F(MlBackendServerTest, BasicAuthWithTokenAsPasswordOnMlRoutesOnly) {
  f_.Start();
  auto basic = [](const std::string& userpass) {
    static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char ch : userpass) {
      val = (val << 8) + ch;
      bits += 8;
      while (bits >= 0) {
        out.push_back(kB64[(val >> bits) & 0x3F]);
        bits -= 6;
      }
    }
    if (bits > -6) out.push_back(kB64[((val << 8) >> (bits + 8)) & 0x3F]);
    while (out.size() % 4) out.push_back('=');
    return httplib::Headers{{"Authorization", "Basic " + out}};
  };
  const std::string tok = ServerFixture::Token("rev");
  EXPECT_EQ(f_.Call("", "GET", "/ml/reviews/health", "", basic("labelstudio:" + tok)).status, 200);
  EXPECT_EQ(f_.Call("", "GET", "/ml/reviews/health", "", basic("labelstudio:wrong")).status, 401);
  EXPECT_EQ(f_.Call("", "GET", "/ml/reviews/health", "", basic("no-colon")).status, 401);
  EXPECT_EQ(f_.Call("", "GET", "/api/v1/projects/reviews/metrics", "", basic("x:" + tok)).status, 401);
  // Annotators may not use the model server.
  EXPECT_EQ(f_.Call("", "GET", "/ml/reviews/health", "", basic("x:" + ServerFixture::Token("ann"))).status,
            404);
}

}  // namespace
}  // namespace hitloop
