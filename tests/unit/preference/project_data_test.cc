#include "preference/project_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/importer.h"
#include "io/preference_export.h"
#include "support/comparisons.h"
#include "support/temp_dir.h"

namespace hitloop::preference {
namespace {

// Regression: an annotator who corrected a comparison (the page's undo, POST …/amend, possible
// since amend checks comparison labels) had both answers counted: the reward model trained on
// the wrong one as well, and trl/jsonl exported it. Of one person's answers to one item in one
// role, only the newest counts (as ForEachExportItem does for the other formats); imported answers
// are all kept.
TEST(ProjectPreferences, AnAmendedAnswerReplacesTheOneBefore) {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  const Project p = testing::MakePairwiseProject(dir.File("db"), &store);
  const std::string file = dir.File("in.jsonl");
  std::ofstream(file) << R"({"id":"q1","prompt":"p","responses":["a","b"],"answers":[{"annotator":"imp","preference":"A"},{"annotator":"imp","preference":"B"}]})"
                      << "\n";
  ASSERT_TRUE(io::ImportFile(*store, p, file, nullptr, {}).ok());
  auto item = store->FindItem(p.id, "q1");
  ASSERT_TRUE(item.ok() && item->has_value());
  auto answer = [&](const std::string& who, const std::string& label, int64_t at) {
    testing::AppendComparison(*store, (*item)->id, who, {label, "shown:BA"}, at);
  };
  answer("ann", "A>B", 10);
  answer("bob", "A>B", 11);
  answer("ann", "B>A/much", 12);  // ann's correction
  auto data = LoadProjectPreferences(*store, p);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  std::vector<std::pair<std::string, double>> got;
  for (const auto& c : data->comparisons) got.emplace_back(c.annotator, PairScore(c.judgement, 0, 1));
  // Both imported answers, bob's, and ann's newest only.
  EXPECT_EQ(got, (std::vector<std::pair<std::string, double>>{{"imp", 1.0}, {"imp", 0.0}, {"bob", 1.0}, {"ann", 0.0}}));

  std::ostringstream out;
  auto st = io::ExportPreferences(*store, p, io::PreferenceFormat::kJsonl, out, {});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->answers, 4);
  EXPECT_EQ(out.str().find("\"A>B\",\"annotator\":\"ann\""), std::string::npos) << out.str();
}

}  // namespace
}  // namespace hitloop::preference
