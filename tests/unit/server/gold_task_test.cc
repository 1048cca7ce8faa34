// A gold question (loop/gold.h) reaches the annotator in exactly the shape of a review task of
// the same pool: the same keys at every level, the same kind, pool and reason, and no trace of
// "gold" in anything the annotator's routes send.
#include <gtest/gtest.h>

#include <set>

#include "loop/config.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

// Every key path of `j` ("item.meta.source", "prediction.distribution.ham", ...).
void KeyPaths(const nlohmann::json& j, const std::string& at, std::set<std::string>* out) {
  if (!j.is_object()) return;
  for (const auto& [k, v] : j.items()) {
    out->insert(at + k);
    KeyPaths(v, at + k + ".", out);
  }
}

int64_t AddItem(Store& s, const Project& p, const std::string& ext, Split split) {
  Item it;
  it.project_id = p.id;
  it.external_id = ext;
  it.text = "text of " + ext;
  it.meta_json = R"({"source":"test"})";
  it.content_hash = "h-" + ext;
  it.split = split;
  int64_t id = 0;
  EXPECT_TRUE(s.PutItem(it, "", &id).ok());
  Prediction pr;
  pr.item_id = id;
  pr.model_version = "m1";
  pr.label = "spam";
  pr.confidence = 0.7;
  pr.distribution = {0.3, 0.7};
  EXPECT_TRUE(s.PutPrediction(pr).ok());
  return id;
}

TEST(GoldTask, AGoldQuestionIsSentInTheShapeOfAReviewTask) {
  ServerFixture f;
  Project p = f.AddProject("p", {"ham", "spam"});
  auto merged = loop::MergeLoopConfig(p.config_json, R"({"gold_rate": 1.0})");
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  ASSERT_TRUE(f.store().SetProjectConfig(p.id, *merged).ok());
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  const int64_t g = AddItem(f.store(), p, "q1", Split::kGold);
  Annotation known;
  known.item_id = g;
  known.labels = {"ham"};
  known.annotator = "import";
  known.kind = "import";
  ASSERT_TRUE(f.store().AppendAnnotation(known).ok());
  ASSERT_TRUE(f.store().EnsureGoldQueue(p.id).ok());
  QueueEntry e;  // a review as the cycle queues it
  e.project_id = p.id;
  e.item_id = AddItem(f.store(), p, "q2", Split::kPool);
  e.reason = "uncertain";
  ASSERT_TRUE(f.store().Enqueue(e).ok());
  f.Start();

  std::vector<nlohmann::json> tasks;
  std::vector<std::string> bodies;
  for (int i = 0; i < 2; ++i) {
    auto r = f.Call("ann", "POST", "/api/v1/projects/p/tasks/next");
    ASSERT_EQ(r.status, 200) << r.body;
    tasks.push_back(r.json());
    bodies.push_back(r.body);
    const std::string lease = tasks.back()["lease"]["id"];
    auto s = f.Call("ann", "POST", "/api/v1/leases/" + lease + "/submit", R"({"label": "spam"})");
    ASSERT_EQ(s.status, 200) << s.body;
    auto reopened = f.Call("ann", "GET", "/api/v1/leases/" + lease);
    ASSERT_EQ(reopened.status, 200) << reopened.body;
    bodies.push_back(reopened.body);
  }
  // gold_rate 1.0: the gold question first, then the review.
  ASSERT_EQ(tasks[0]["item"]["id"], "q1");
  ASSERT_EQ(tasks[1]["item"]["id"], "q2");
  std::set<std::string> gold_keys, review_keys;
  KeyPaths(tasks[0], "", &gold_keys);
  KeyPaths(tasks[1], "", &review_keys);
  EXPECT_EQ(gold_keys, review_keys);
  for (const char* k : {"kind", "pool", "reason"}) EXPECT_EQ(tasks[0][k], tasks[1][k]) << k;
  EXPECT_EQ(tasks[0]["prediction"], tasks[1]["prediction"]);
  EXPECT_EQ(tasks[0]["item"]["meta"], tasks[1]["item"]["meta"]);
  auto history = f.Call("ann", "GET", "/api/v1/projects/p/my/answers");
  ASSERT_EQ(history.status, 200);
  bodies.push_back(history.body);
  auto project = f.Call("ann", "GET", "/api/v1/projects/p");
  ASSERT_EQ(project.status, 200);
  bodies.push_back(project.body);
  for (const std::string& b : bodies) EXPECT_EQ(b.find("gold"), std::string::npos) << b;
  // The known answer stays; the wrong answer was scored.
  EXPECT_EQ(f.store().GetItem(g)->labels, std::vector<std::string>{"ham"});
  auto scores = f.store().GoldScores(p.id, "ann");
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].answered, 1);
  EXPECT_EQ((*scores)[0].correct, 0);
}

}  // namespace
}  // namespace hitloop
