#include "io/preference_export.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/importer.h"
#include "support/comparisons.h"
#include "support/temp_dir.h"

namespace hitloop::io {
namespace {

// Three people per item: `export --aggregate bt` writes each item's resolved order once.
TEST(PreferenceExportTest, AggregateWritesOneResolvedOrderPerItem) {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  const Project p = testing::MakePairwiseProject(dir.File("db"), &store);
  const std::string file = dir.File("in.jsonl");
  std::ofstream(file)
      << R"({"id":"q1","prompt":"p1","responses":["a1","b1"],"answers":[{"annotator":"x","preference":"B"},{"annotator":"y","preference":"B"},{"annotator":"z","preference":"A"}]})"
      << "\n"
      << R"({"id":"q2","prompt":"p2","responses":["a2","b2"],"answers":[{"annotator":"x","preference":"A"},{"annotator":"y","preference":"B"}]})"
      << "\n"
      << R"({"id":"q3","prompt":"p3","responses":["a3","b3"]})" << "\n";
  ASSERT_TRUE(ImportFile(*store, p, file, nullptr, {}).ok());

  PreferenceExportOptions per_answer;
  std::ostringstream a;
  auto sa = ExportPreferences(*store, p, PreferenceFormat::kTrl, a, per_answer);
  ASSERT_TRUE(sa.ok()) << sa.status().ToString();
  EXPECT_EQ(sa->rows, 5);  // every person's answer

  PreferenceExportOptions agg;
  agg.aggregate = true;
  agg.margin = true;
  std::ostringstream b;
  auto sb = ExportPreferences(*store, p, PreferenceFormat::kTrl, b, agg);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  EXPECT_EQ(sb->rows, 1);   // q1: b1 over a1 (2 to 1)
  EXPECT_EQ(sb->ties, 1);   // q2: 1 to 1
  EXPECT_EQ(sb->answers, 5);
  const auto row = nlohmann::json::parse(b.str());
  EXPECT_EQ(row["chosen"], "b1");
  EXPECT_EQ(row["rejected"], "a1");
  EXPECT_GT(row["margin"].get<double>(), 0.0);

  std::ostringstream c;
  auto sc = ExportPreferences(*store, p, PreferenceFormat::kJsonl, c, agg);
  ASSERT_TRUE(sc.ok());
  std::istringstream lines(c.str());
  std::string line;
  int with_resolved = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    if (!j.contains("resolved")) continue;
    ++with_resolved;
    if (j["id"] == "q1") EXPECT_EQ(j["resolved"]["preference"]["order"], "B>A");
    if (j["id"] == "q2") EXPECT_EQ(j["resolved"]["preference"]["order"], "A=B");
  }
  EXPECT_EQ(with_resolved, 2);
}

}  // namespace
}  // namespace hitloop::io
