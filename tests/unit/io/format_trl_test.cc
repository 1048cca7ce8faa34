// The TRL formats through the registry: --format auto picks trl for TRL pairs, trl reads only TRL
// pairs and only into preference projects, trl / trl-kto / jsonl export through ExportProject with
// --margin and the left-out counts, and preference projects refuse the classification formats.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "io/preference_export.h"
#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::io {
namespace {

std::string TrlSource(const std::string& name) {
  return std::string(HITLOOP_SOURCE_DIR) + "/tests/data/preference/" + name;
}

class TrlFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  Project Make(const std::string& name, TaskType type, std::vector<std::string> labels = {}) {
    Project p;
    p.name = name;
    p.type = type;
    p.labels = std::move(labels);
    return *store_->CreateProject(p);
  }
  std::string Write(const std::string& name, const std::string& body) {
    std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << body;
    return path;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(TrlFormatTest, AutoPicksTrlForTrlPairs) {
  for (const char* file : {"trl_standard.jsonl", "trl_standard_implicit.jsonl", "trl_conversational.jsonl",
                           "trl_conversational_implicit.jsonl"}) {
    std::string why;
    auto f = SniffFormat(TrlSource(file), &why);
    ASSERT_TRUE(f.ok()) << file << ": " << f.status().ToString();
    EXPECT_EQ(*f, &kTrlFormat) << file << " (" << why << ")";
  }
  Project p = Make("pw", TaskType::kPairwisePreference);
  auto stats = ImportFile(*store_, p, TrlSource("trl_conversational.jsonl"), nullptr, {});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->format, "trl");
  EXPECT_EQ(stats->inserted, 1);
  EXPECT_EQ(stats->labels, 1);
  // jsonl on a preference project reads TRL pairs too (it reads every preference shape).
  EXPECT_TRUE(CheckFormatMatches(kJsonlFormat, TrlSource("trl_standard.jsonl")).ok());
}

TEST_F(TrlFormatTest, TrlReadsOnlyTrlPairsIntoPreferenceProjects) {
  Project p = Make("pw", TaskType::kPairwisePreference);
  const std::string path = Write("mixed.jsonl", R"({"prompt":"p","chosen":"a","rejected":"b"})" "\n"
                                                R"({"prompt":"p","responses":["x","y"],"preference":"A"})" "\n");
  auto r = ImportFile(*store_, p, path, &kTrlFormat, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(path + ":2: record: not a TRL pair"), std::string::npos) << r.status().message();
  EXPECT_EQ(store_->GetStatus(p.id)->items, 0) << "all-or-nothing";

  Project single = Make("single", TaskType::kSingleLabel, {"a", "b"});
  auto wrong = ImportFile(*store_, single, TrlSource("trl_standard.jsonl"), nullptr, {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("--format trl: reads preference pairs"), std::string::npos)
      << wrong.status().message();
  EXPECT_EQ(store_->GetStatus(single.id)->items, 0);

  auto kto = ImportFile(*store_, p, TrlSource("trl_kto_standard.jsonl"), &kTrlKtoFormat, {});
  ASSERT_FALSE(kto.ok());
  EXPECT_NE(kto.status().message().find("export only"), std::string::npos) << kto.status().message();
}

TEST_F(TrlFormatTest, ExportThroughTheRegistry) {
  Project p = Make("mix", TaskType::kPairwisePreference);
  const std::string body = R"({"id":"1","prompt":"p","responses":["a","b"],"preference":"B","strength":"much"})" "\n"
                           R"({"id":"2","prompt":"p","responses":["c","d"],"preference":"tie"})" "\n"
                           R"({"id":"3","prompt":"p","responses":["e","f"]})" "\n";
  ASSERT_TRUE(ImportFile(*store_, p, Write("m.jsonl", body), &kJsonlFormat, {}).ok());
  ExportOptions opts;
  opts.margin = true;
  std::ostringstream trl;
  auto st = ExportProject(*store_, p, &kTrlFormat, trl, opts);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(trl.str(), "{\"prompt\":\"p\",\"chosen\":\"b\",\"rejected\":\"a\",\"margin\":3}\n");
  EXPECT_EQ(st->items, 3);
  EXPECT_EQ(st->labels, 2);
  ASSERT_EQ(st->notes.size(), 1u);
  EXPECT_EQ(st->notes[0], "1 rows, 2 answers; left out: 1 ties, 0 both bad");

  std::ostringstream kto;
  ASSERT_TRUE(ExportProject(*store_, p, &kTrlKtoFormat, kto, {}).ok());
  EXPECT_EQ(kto.str(), "{\"prompt\":\"p\",\"completion\":\"b\",\"label\":true}\n"
                       "{\"prompt\":\"p\",\"completion\":\"a\",\"label\":false}\n");

  // jsonl of a preference project is its own records, the bytes ExportPreferences writes.
  std::ostringstream via_registry, direct;
  ASSERT_TRUE(ExportProject(*store_, p, &kJsonlFormat, via_registry, {}).ok());
  ASSERT_TRUE(ExportPreferences(*store_, p, PreferenceFormat::kJsonl, direct, {}).ok());
  EXPECT_EQ(via_registry.str(), direct.str());
  EXPECT_NE(via_registry.str().find("\"responses\""), std::string::npos);

  // (label-studio writes Pairwise / Ranker tasks: tests/unit/io/label_studio_preference_test.cc)
  for (const FormatSpec* f : {&kCsvFormat, &kProdigyFormat}) {
    std::ostringstream out;
    auto refused = ExportProject(*store_, p, f, out, {});
    ASSERT_FALSE(refused.ok()) << f->name;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(out.str().empty());
  }
  Project single = Make("single", TaskType::kSingleLabel, {"a"});
  std::ostringstream out;
  EXPECT_EQ(ExportProject(*store_, single, &kTrlFormat, out, {}).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hitloop::io
