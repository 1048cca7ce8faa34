#include "io/format.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "io/importer.h"
#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::io {
namespace {

std::string DataFile(const std::string& rel) { return std::string(HITLOOP_SOURCE_DIR) + "/tests/data/interop/" + rel; }

TEST(FormatRegistry, NamesAreUniqueAndFound) {
  std::set<std::string> names;
  for (const FormatSpec* f : AllFormats()) {
    EXPECT_TRUE(names.insert(f->name).second) << f->name;
    EXPECT_NE(f->sniff, nullptr) << f->name;
    auto found = FindFormat(f->name);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(*found, f);
  }
  for (const char* n : {"jsonl", "csv", "label-studio", "label-studio-csv", "prodigy", "doccano"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  auto bad = FindFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected auto, jsonl, csv, label-studio"), std::string::npos) << bad.status().message();
  EXPECT_EQ(*ParseFormat("auto"), nullptr);
}

TEST(FormatRegistry, AutoRecognisesEveryRealFile) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"label-studio/tasks_annotations_predictions.json", "label-studio"},
      {"label-studio/text_with_2_predictions.json", "label-studio"},
      {"label-studio/previous_export.json", "label-studio"},
      {"label-studio/previous_export_unknown_completed_by.json", "label-studio"},
      {"label-studio/humor_dataset_0_annotations.json", "label-studio"},
      {"label-studio/text_with_2_tasks.json", "label-studio"},
      {"label-studio/sdk_common_tasks_for_import.json", "label-studio"},
      {"label-studio-converter/csv_test.json", "label-studio"},
      {"label-studio-converter/csv_test_history.json", "label-studio"},
      {"doccano/data_export__pipeline__examples__text_classification__example.jsonl", "doccano"},
      {"doccano/data_export__pipeline__examples__text_classification__example.json", "doccano"},
      {"doccano/data_export__pipeline__examples__text_classification__example.csv", "doccano"},
      {"prodigy-recipes/annotated_github-issues-DOCUMENTATION-textcat.jsonl", "prodigy"},
      {"prodigy-recipes/pydata-ams-2023.jsonl", "prodigy"},
  };
  for (const auto& [file, want] : cases) {
    std::string why;
    auto f = SniffFormat(DataFile(file), &why);
    ASSERT_TRUE(f.ok()) << file << ": " << f.status().ToString();
    EXPECT_STREQ((*f)->name, want) << file << " (" << why << ")";
    EXPECT_FALSE(why.empty());
  }
}

TEST(FormatRegistry, WrongFormatSaysWhatTheFileLooksLike) {
  Status st = CheckFormatMatches(kJsonlFormat, DataFile("prodigy-recipes/pydata-ams-2023.jsonl"));
  EXPECT_NE(st.message().find("looks like prodigy"), std::string::npos) << st.ToString();
  st = CheckFormatMatches(kCsvFormat, DataFile("doccano/data_export__pipeline__examples__text_classification__example.csv"));
  EXPECT_NE(st.message().find("looks like doccano"), std::string::npos) << st.ToString();
  st = CheckFormatMatches(kJsonlFormat, DataFile("label-studio/text_with_2_predictions.json"));
  EXPECT_NE(st.message().find("looks like label-studio"), std::string::npos) << st.ToString();
  EXPECT_TRUE(CheckFormatMatches(kProdigyFormat, DataFile("prodigy-recipes/pydata-ams-2023.jsonl")).ok());
}

TEST(FormatRegistry, TextFieldRule) {
  using nlohmann::json;
  EXPECT_EQ(*PickTextField(json{{"text", "a"}, {"other", "b"}}, ""), "text");
  EXPECT_EQ(*PickTextField(json{{"body", "a"}, {"n", 3}, {"img", "https://x/y.png"}}, ""), "body");
  EXPECT_FALSE(PickTextField(json{{"a", "x"}, {"b", "y"}}, "").ok());
  EXPECT_FALSE(PickTextField(json{{"audio", "s3://bucket/a.wav"}}, "").ok());
  EXPECT_EQ(*PickTextField(json{{"a", "x"}, {"b", "y"}}, "b"), "b");
  EXPECT_FALSE(PickTextField(json{{"a", "x"}}, "missing").ok());
  EXPECT_TRUE(LooksLikeUrl("https://data.heartex.net/a.wav"));
  EXPECT_TRUE(LooksLikeUrl("/data/upload/1/x.jpg"));
  EXPECT_FALSE(LooksLikeUrl("see https://x for details"));
}

}  // namespace
}  // namespace hitloop::io
