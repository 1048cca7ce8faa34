// The ML-backend client against an in-process fake backend on 127.0.0.1.
#include "mlbackend/client.h"

#include <gtest/gtest.h>

#include "unit/mlbackend/fake_backend.h"

namespace hitloop::mlbackend {
namespace {

BackendSettings Settings(const testing::FakeMlBackend& fake) {
  BackendSettings s;
  s.name = "fake";
  s.url = fake.url();
  s.allow_outbound = {"127.0.0.1:" + std::to_string(fake.port)};
  return s;
}

const std::vector<std::string> kLabels = {"ham", "spam"};

TEST(BackendClient, PredictsInBatchesWithBasicAuth) {
  testing::FakeMlBackend fake;
  BackendSettings s = Settings(fake);
  s.batch = 2;
  s.auth_user = "ls";
  s.auth_pass = "pw";
  auto client = BackendClient::Create(s);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  std::vector<BackendTask> tasks = {{"1", "team meeting agenda"}, {"x2", "winner prize click"},
                                    {"3", "lunch budget"}};
  auto p = client->Predict(tasks, kLabels, "<View/>", "text", "1.1700000000");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].label, 0);
  EXPECT_EQ((*p)[1].label, 1);
  EXPECT_EQ((*p)[2].label, 0);
  EXPECT_DOUBLE_EQ(*(*p)[1].score, 0.99);
  const auto seen = fake.seen();
  ASSERT_EQ(seen.size(), 2u);  // 3 tasks in batches of 2
  EXPECT_EQ(seen[0].authorization, "Basic bHM6cHc=");  // base64("ls:pw")
  auto first = nlohmann::json::parse(seen[0].body);
  EXPECT_EQ(first["tasks"][0]["id"], 1);      // numeric ids as numbers, like Label Studio's
  EXPECT_EQ(first["tasks"][1]["id"], "x2");
  EXPECT_EQ(first["project"], "1.1700000000");
  EXPECT_EQ(first["label_config"], "<View/>");
  EXPECT_TRUE(first["params"].contains("context"));
}

TEST(BackendClient, RetriesBusyBackendThenGivesUp) {
  testing::FakeMlBackend fake;
  auto client = BackendClient::Create(Settings(fake));
  ASSERT_TRUE(client.ok());
  std::vector<BackendTask> tasks = {{"1", "cheap offer"}};
  fake.fail_next = 2;  // two 503s, then an answer: within Label Studio's 2 retries
  auto ok = client->Predict(tasks, kLabels, "", "text", "1.0");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(fake.seen().size(), 3u);
  fake.fail_next = 3;  // one more than the retries
  auto fail = client->Predict(tasks, kLabels, "", "text", "1.0");
  ASSERT_FALSE(fail.ok());
  EXPECT_EQ(fail.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(fail.status().message().find("HTTP 503"), std::string::npos) << fail.status().message();
}

TEST(BackendClient, LoopbackBackendIsRefusedUnlessAllowed) {
  testing::FakeMlBackend fake;
  BackendSettings s = Settings(fake);
  s.allow_outbound.clear();
  auto client = BackendClient::Create(s);
  ASSERT_TRUE(client.ok());
  auto h = client->Health();
  EXPECT_EQ(h.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(fake.seen().empty());
}

TEST(BackendClient, HealthAndSetup) {
  testing::FakeMlBackend fake;
  auto client = BackendClient::Create(Settings(fake));
  ASSERT_TRUE(client.ok());
  auto h = client->Health();
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ((*h)["model_class"], "Fake");
  auto v = client->Setup("1.0", "<View/>");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "fake-v1");
  auto body = nlohmann::json::parse(fake.seen().back().body);
  EXPECT_EQ(body["schema"], "<View/>");
}

// Regression (found beside fuzz_url's finding, same pattern): a health answer whose "status" was
// not a string made Health() throw nlohmann's type_error from j.value("status", "").
TEST(BackendClient, AHealthStatusThatIsNotAStringIsNotUpAndDoesNotThrow) {
  testing::FakeMlBackend fake;
  auto client = BackendClient::Create(Settings(fake));
  ASSERT_TRUE(client.ok());
  for (const char* body : {R"({"status": 1})", R"({"status": {"UP": true}})", R"([1, 2])", R"("UP")"}) {
    fake.SetHealthBody(body);
    auto h = client->Health();
    EXPECT_EQ(h.status().code(), StatusCode::kFailedPrecondition) << body << ": " << h.status().ToString();
  }
}

TEST(BackendClient, UnreachableBackendIsAnIoErrorAfterRetries) {
  BackendSettings s;
  s.name = "gone";
  s.url = "http://127.0.0.1:1";  // nothing listens on port 1
  s.allow_outbound = {"127.0.0.1:1"};
  auto client = BackendClient::Create(s);
  ASSERT_TRUE(client.ok());
  auto h = client->Health();
  EXPECT_EQ(h.status().code(), StatusCode::kIo) << h.status().ToString();
}

}  // namespace
}  // namespace hitloop::mlbackend
