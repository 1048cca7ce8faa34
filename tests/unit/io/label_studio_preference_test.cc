// Label Studio export of preference projects (io/label_studio_preference.h): Pairwise results
// ({"selected": "left"|"right"}, left = response A) and Ranker results ({"ranker": {name: ids}}),
// what the tags cannot hold kept in meta.hitloop.answers, against golden files in
// tests/data/preference (ls_*.jsonl in, ls_*.golden.json out; README.md there says how they were
// made).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::io {
namespace {

std::string LsPreferenceSource(const std::string& name) {
  return std::string(HITLOOP_SOURCE_DIR) + "/tests/data/preference/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LabelStudioPreferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  // Imports `input` into a new project of `type` and exports it as Label Studio tasks.
  std::string Export(const std::string& name, TaskType type, const std::string& input, ExportStats* stats) {
    Project p;
    p.name = name;
    p.type = type;
    Project made = *store_->CreateProject(p);
    auto imported = ImportFile(*store_, made, LsPreferenceSource(input), &kJsonlFormat, {});
    EXPECT_TRUE(imported.ok()) << imported.status().ToString();
    std::ostringstream out;
    auto r = ExportProject(*store_, *store_->GetProjectById(made.id), &kLabelStudioFormat, out, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) *stats = *r;
    return out.str();
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(LabelStudioPreferenceTest, PairwiseMatchesGolden) {
  ExportStats stats;
  const std::string got = Export("pw", TaskType::kPairwisePreference, "ls_pairwise.jsonl", &stats);
  EXPECT_EQ(got, Slurp(LsPreferenceSource("ls_pairwise.golden.json"))) << got;
  EXPECT_EQ(stats.items, 3);
  ASSERT_EQ(stats.notes.size(), 1u);
  EXPECT_EQ(stats.notes[0], "4 answers, 2 Pairwise results; 2 judgement(s) tie or both bad: no Pairwise result "
                            "(kept in meta.hitloop.answers)");
  // The shape Label Studio's Pairwise tag writes: to_name is the tag's own name, left = text1 = A.
  auto tasks = nlohmann::json::parse(got);
  ASSERT_EQ(tasks.size(), 3u);
  const auto& r = tasks[0]["annotations"][0]["result"][0];
  EXPECT_EQ(r["type"], "pairwise");
  EXPECT_EQ(r["from_name"], "pw");
  EXPECT_EQ(r["to_name"], "pw");
  EXPECT_EQ(r["value"]["selected"], "left");
  EXPECT_EQ(tasks[0]["data"]["text1"], "Paris.");
  EXPECT_EQ(tasks[1]["annotations"][0]["result"][0]["value"]["selected"], "right");
  // Strength and display order survive in hitloop's own labels.
  EXPECT_EQ(tasks[0]["meta"]["hitloop"]["answers"][0]["labels"], nlohmann::json({"A>B/much", "shown:BA"}));
  EXPECT_EQ(tasks[1]["data"]["messages"].size(), 3u);
  EXPECT_TRUE(tasks[2]["annotations"].empty());
  EXPECT_EQ(tasks[2]["meta"]["source"], "test");
}

TEST_F(LabelStudioPreferenceTest, RankingMatchesGolden) {
  ExportStats stats;
  const std::string got = Export("rk", TaskType::kRanking, "ls_ranking.jsonl", &stats);
  EXPECT_EQ(got, Slurp(LsPreferenceSource("ls_ranking.golden.json"))) << got;
  auto tasks = nlohmann::json::parse(got);
  ASSERT_EQ(tasks.size(), 2u);
  const auto& r = tasks[0]["annotations"][0]["result"][0];
  EXPECT_EQ(r["type"], "ranker");
  EXPECT_EQ(r["from_name"], "rank");
  EXPECT_EQ(r["to_name"], "responses");
  EXPECT_EQ(r["value"]["ranker"]["rank"], nlohmann::json({"h3", "h1", "h2"}));
  EXPECT_EQ(tasks[0]["data"]["items"][0]["id"], "h1");
  // Responses without ids are named by letter.
  EXPECT_EQ(tasks[1]["annotations"][0]["result"][0]["value"]["ranker"]["rank"], nlohmann::json({"B", "A", "D", "C"}));
  ASSERT_EQ(stats.notes.size(), 1u);
  EXPECT_EQ(stats.notes[0], "3 answers, 2 Ranker results; 1 judgement(s) all bad: no Ranker result "
                            "(kept in meta.hitloop.answers)");
}

}  // namespace
}  // namespace hitloop::io
