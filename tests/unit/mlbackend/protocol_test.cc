// Label Studio's ML-backend protocol shapes, on bodies from tests/data/mlbackend/ (see its README).
#include "mlbackend/protocol.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include "support/paths.h"

namespace hitloop::mlbackend {
namespace {

using nlohmann::json;

json Fixture(const std::string& name) {
  std::ifstream in(std::string(HITLOOP_SOURCE_DIR) + "/tests/data/mlbackend/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

TEST(LabelConfig, NamesFromTheSklearnExampleConfig) {
  const LabelConfigNames n = ParseLabelConfig(Fixture("predict_request.json")["label_config"].get<std::string>());
  EXPECT_EQ(n.from_name, "sentiment");
  EXPECT_EQ(n.to_name, "text");
  EXPECT_EQ(n.data_key, "text");
  EXPECT_EQ(n.choices, (std::vector<std::string>{"Positive", "Negative", "Neutral"}));
}

TEST(LabelConfig, MadeConfigParsesBackAndEscapes) {
  const std::vector<std::string> labels = {"a<b", "say \"hi\""};
  const std::string x = MakeLabelConfig(labels, true, "label", "text", "body");
  EXPECT_NE(x.find("choice=\"multiple\""), std::string::npos);
  const LabelConfigNames n = ParseLabelConfig(x);
  EXPECT_EQ(n.from_name, "label");
  EXPECT_EQ(n.to_name, "text");
  EXPECT_EQ(n.data_key, "body");
  EXPECT_EQ(n.choices, labels);
}

TEST(PredictResponse, SklearnExampleShapeWithNumericStringScore) {
  const std::vector<std::string> labels = {"Negative", "Positive"};
  auto r = ParsePredictResponse(Fixture("predict_response.json"), labels, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].label, 1);
  EXPECT_DOUBLE_EQ(*(*r)[0].score, 0.8272);
  EXPECT_EQ((*r)[0].model_version, "SklearnTextClassifier-v0.0.1");
  EXPECT_EQ((*r)[1].label, 0);
  EXPECT_DOUBLE_EQ(*(*r)[1].score, 0.9104);
}

TEST(PredictResponse, MissingScoreStaysMissingAndUnknownLabelIsNamed) {
  json body = {{"results",
                {{{"result", {{{"type", "choices"}, {"value", {{"choices", {"Neutral"}}}}}}}},
                 {{"result", json::array()}}}}};
  const std::vector<std::string> labels = {"Negative", "Positive"};
  auto r = ParsePredictResponse(body, labels, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)[0].score.has_value());
  EXPECT_EQ((*r)[0].label, -1);
  EXPECT_EQ((*r)[0].problem, "label 'Neutral' is not in the project");
  EXPECT_EQ((*r)[1].problem, "no choices result");
  // A bare list (older backends) is accepted; a count mismatch is not.
  EXPECT_TRUE(ParsePredictResponse(body["results"], labels, 2).ok());
  EXPECT_EQ(ParsePredictResponse(body, labels, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParsePredictResponse(json{{"results", {{{"result", {}}, {"score", "high"}}}}}, labels, 1).ok());
}

TEST(BackendSettings, RoundTripKeepsOtherKeysAndRemoves) {
  BackendSettings s;
  s.name = "llm";
  s.url = "http://127.0.0.1:9090";
  s.auth_user = "u";
  s.auth_pass = "p";
  s.allow_outbound = {"127.0.0.1:9090"};
  const std::string cfg = WithBackendSettings(R"({"loop": {"strategy": "margin"}, "io": {"text_field": "body"}})", s);
  auto back = LoadBackendSettings(cfg);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->url, s.url);
  EXPECT_EQ((*back)->auth_pass, "p");
  EXPECT_EQ((*back)->allow_outbound, s.allow_outbound);
  EXPECT_EQ((*back)->predict_timeout_ms, kPredictTimeoutMs);
  EXPECT_EQ((*back)->retries, kMaxRetries);
  const json j = json::parse(cfg);
  EXPECT_EQ(j["loop"]["strategy"], "margin");
  EXPECT_EQ(j["io"]["text_field"], "body");
  const std::string removed = WithBackendSettings(cfg, std::nullopt);
  EXPECT_FALSE(json::parse(removed).contains("ml_backend"));
  EXPECT_TRUE(json::parse(removed).contains("loop"));
  auto none = LoadBackendSettings(removed);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(LoadBackendSettings(R"({"ml_backend": {"url": "http://x", "retries": 99}})").ok());
}

// Regression (fuzz_url, 2026-12-07; input fuzz/corpus/fuzz_url/regress_region_type_not_a_string):
// a result region whose "type" was an object, not a string, made ParsePredictResponse throw
// nlohmann's type_error from region.value("type", "") — an ML backend's odd answer aborted the
// fuzz target, and would have ended a cycle with an exception instead of a clear problem.
TEST(PredictResponse, ARegionTypeThatIsNotAStringIsSkippedNotThrown) {
  const std::vector<std::string> labels = {"Negative", "Positive"};
  for (const json& type : {json{{"choices", {"Positive"}}}, json(5), json(nullptr), json::array()}) {
    json body = {{"results",
                  {{{"result", {{{"from_name", "sentiment"}, {"to_name", "text"}, {"type", type},
                                 {"value", {{"choices", {"Positive"}}}}}}},
                    {"score", 0.8}}}}};
    auto r = ParsePredictResponse(body, labels, 1);
    ASSERT_TRUE(r.ok()) << type.dump();
    EXPECT_EQ((*r)[0].label, -1) << type.dump();
    EXPECT_EQ((*r)[0].problem, "no choices result") << type.dump();
  }
}

}  // namespace
}  // namespace hitloop::mlbackend
