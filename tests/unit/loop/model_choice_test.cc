#include "loop/model_choice.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "loop/config.h"
#include "loop/cycle.h"
#include "loop_store_fixture.h"
#include "support/temp_dir.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::loop {
namespace {

TEST(NeededRepresentationsTest, FromModelCandidatesAndList) {
  LoopConfig c;
  EXPECT_TRUE(NeededRepresentations(c)->empty());  // "logreg"
  c.model = "auto";
  EXPECT_EQ(*NeededRepresentations(c), (std::vector<std::string>{"lsa"}));
  c.model_candidates = {"logreg", "lsa,ftvec+logreg", "ftvec+logreg"};
  c.representations = {"rff"};
  EXPECT_EQ(*NeededRepresentations(c), (std::vector<std::string>{"rff", "lsa", "ftvec"}));
}

TEST(PrepareRepresentationsTest, LearntOnceReusedRelearntWhenThePoolGrowsOrTheFileBreaks) {
  hitloop::testing::TempDir dir;
  auto data = hitloop::testing::MakeSimulationInput(400, 10, 3, 4);
  std::vector<model::Example> pool;
  for (const auto& r : data.pool.rows) pool.push_back({&r, ""});
  model::RepresentationOptions ro;
  ro.dims = 8;
  const std::vector<std::string> names = {"lsa"};
  auto first = PrepareRepresentations(names, dir.path(), 0.25, ro, pool);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->records.size(), 1u);
  EXPECT_TRUE(first->records[0].learnt);
  EXPECT_EQ(first->records[0].fitted_pool_size, 400);
  auto again = PrepareRepresentations(names, dir.path(), 0.25, ro, pool);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->records[0].learnt);
  std::vector<float> a(8), b(8);
  ASSERT_TRUE(first->set[0]->Transform(pool[0], a).ok());
  ASSERT_TRUE(again->set[0]->Transform(pool[0], b).ok());
  EXPECT_EQ(a, b);
  // 10% more items: reused; 50% more: relearnt.
  std::vector<model::Example> bigger = pool;
  bigger.insert(bigger.end(), pool.begin(), pool.begin() + 40);
  EXPECT_FALSE(PrepareRepresentations(names, dir.path(), 0.25, ro, bigger)->records[0].learnt);
  bigger.insert(bigger.end(), pool.begin(), pool.begin() + 160);
  auto grown = PrepareRepresentations(names, dir.path(), 0.25, ro, bigger);
  ASSERT_TRUE(grown.ok());
  EXPECT_TRUE(grown->records[0].learnt);
  EXPECT_NE(grown->records[0].reason.find("grew"), std::string::npos);
  // A flipped byte: the file is rejected (checksum) and the representation learnt again.
  const std::string path = dir.path() + "/repr-lsa.model";
  std::string bytes = ReadFile(path).value();
  bytes[bytes.size() - 5] ^= 1;
  ASSERT_TRUE(AtomicWriteFile(path, bytes).ok());
  auto fixed = PrepareRepresentations(names, dir.path(), 0.25, ro, bigger);
  ASSERT_TRUE(fixed.ok());
  EXPECT_TRUE(fixed->records[0].learnt);
  EXPECT_NE(fixed->records[0].reason.find("checksum"), std::string::npos);
}

TEST(ViewForSpecTest, KeepsOnlyTheSpecsBlocks) {
  text::SparseRow row = {{1, 1.0f}, {100, 0.5f}, {101, 0.5f}, {105, 0.7f}};
  std::vector<model::Example> ex = {{&row, ""}};
  const std::vector<model::RepresentationBlock> blocks = {{"lsa", 100, 104}, {"ftvec", 104, 110}};
  std::vector<text::SparseRow> storage;
  auto plain = ViewForSpec("logreg", blocks, ex, &storage);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)[0].features->size(), 1u);
  auto lsa = ViewForSpec("lsa+logreg", blocks, ex, &storage);
  ASSERT_TRUE(lsa.ok());
  EXPECT_EQ((*lsa)[0].features->size(), 3u);
  auto both = ViewForSpec("ftvec,lsa+logreg", blocks, ex, &storage);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)[0].features, &row);  // every block: the rows as they are
  EXPECT_FALSE(ViewForSpec("rff+logreg", blocks, ex, &storage).ok());
}

class ModelChoiceCycleTest : public LoopStoreFixture {};

// The live cycle with "model": "auto": the representation is learnt once and reused, the
// comparison is in the record, and an explicit model overrides it.
TEST_F(ModelChoiceCycleTest, AutoChoiceIsRecordedAndTheRepresentationReused) {
  AddItems(600, Split::kPool, 1);
  AddItems(100, Split::kGold, 2);
  auto cfg = MergeLoopConfig(project_.config_json,
                             R"({"model": "auto", "model_candidates": ["logreg", "lsa+logreg"],
                                 "train_on_accepted": true})");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *cfg).ok());
  CycleOptions o;
  o.models_dir = dir_.path() + "/models";
  o.featurizer.hash_bits = 14;
  std::vector<nlohmann::json> records;
  for (int round = 0; round < 3; ++round) {
    o.now = (now_ += 1000);
    auto c = RunCycle(*store_, Reload(), o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    auto j = nlohmann::json::parse(CycleRecordToJson(*c));
    records.push_back(j);
    ASSERT_EQ(j["representations"].size(), 1u);
    EXPECT_EQ(j["representations"][0]["name"], "lsa");
    EXPECT_EQ(j["representations"][0]["learnt"].get<bool>(), round == 0);
    if (!c->cold_start) {
      EXPECT_EQ(j["model_choice"]["mode"], "auto");
      ASSERT_EQ(j["model_choice"]["candidates"].size(), 2u);
      const std::string chosen = j["model_choice"]["model"];
      EXPECT_TRUE(chosen == "logreg" || chosen == "lsa+logreg");
      EXPECT_EQ(j["model"], chosen);
      ASSERT_TRUE(c->after.has_value());
      EXPECT_GT(c->after->accuracy, 0.9);
    }
    AnswerAll("alice", {});
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/models/repr-lsa.model"));
  // Override: a fixed model is used as is.
  auto fixed = MergeLoopConfig(Reload().config_json, R"({"model": "lsa+logreg"})");
  ASSERT_TRUE(fixed.ok());
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *fixed).ok());
  o.now = (now_ += 1000);
  auto c = RunCycle(*store_, Reload(), o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto j = nlohmann::json::parse(CycleRecordToJson(*c));
  EXPECT_EQ(j["model_choice"]["mode"], "fixed");
  EXPECT_EQ(j["model"], "lsa+logreg");
}

TEST(ModelChoiceConfigTest, RejectsBadSpecs) {
  EXPECT_FALSE(ParseLoopConfig(R"({"loop": {"model": "pca+logreg"}})").ok());
  EXPECT_FALSE(ParseLoopConfig(R"({"loop": {"model_candidates": ["lsa+"]}})").ok());
  EXPECT_FALSE(ParseLoopConfig(R"({"loop": {"model": "auto", "model_candidates": []}})").ok());
  EXPECT_FALSE(ParseLoopConfig(R"({"loop": {"representations": ["nope"]}})").ok());
  EXPECT_FALSE(ParseLoopConfig(R"({"loop": {"train_on_accepted": 1}})").ok());
  auto ok = ParseLoopConfig(
      R"({"loop": {"model": "auto", "model_candidates": ["logreg", "rff+logreg"],
                   "representation_refresh": 0.5, "train_on_accepted": true}})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->train_on_accepted);
  auto round = ParseLoopConfig(R"({"loop":)" + LoopConfigToJson(*ok) + "}");
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->model_candidates, ok->model_candidates);
  EXPECT_DOUBLE_EQ(round->representation_refresh, 0.5);
}

}  // namespace
}  // namespace hitloop::loop
