// HH-RLHF through the registry: --format auto picks hh for HH dialogues, hh reads only them, and
// it is import only.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::io {
namespace {

std::string HhSource(const std::string& name) {
  return std::string(HITLOOP_SOURCE_DIR) + "/tests/data/preference/" + name;
}

TEST(HhFormat, AutoPicksHhAndReadsTheDialogues) {
  testing::TempDir dir;
  auto store = OpenSqliteStore(dir.File("db"));
  ASSERT_TRUE(store.ok());
  std::string why;
  auto f = SniffFormat(HhSource("hh_sample.jsonl"), &why);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(*f, &kHhFormat) << why;

  Project p;
  p.name = "hh";
  p.type = TaskType::kRanking;  // a ranking project takes pairs too
  p = *(*store)->CreateProject(p);
  auto stats = ImportFile(**store, p, HhSource("hh_sample.jsonl"), nullptr, {});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->format, "hh");
  EXPECT_EQ(stats->inserted, 3);
  EXPECT_EQ(stats->labels, 3);
  // The content ids make a re-import a no-op; the summary says they were generated.
  ASSERT_FALSE(stats->notes.empty());
  EXPECT_NE(stats->notes[0].find("3 records had no id"), std::string::npos) << stats->notes[0];
  auto again = ImportFile(**store, p, HhSource("hh_sample.jsonl"), &kHhFormat, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->existing, 3);

  // A TRL pair that is not a dialogue is not HH-RLHF: a file of them is named for what it is, a
  // line of them in an HH file is refused with its line.
  const std::string path = dir.File("trl.jsonl");
  std::ofstream(path, std::ios::binary) << R"({"chosen":"The sky is blue.","rejected":"The sky is green."})" "\n";
  auto r = ImportFile(**store, p, path, &kHhFormat, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("looks like trl"), std::string::npos) << r.status().message();
  const std::string mixed = dir.File("mixed.jsonl");
  std::ofstream(mixed, std::ios::binary)
      << R"({"chosen":"\n\nHuman: Hi\n\nAssistant: Hello.","rejected":"\n\nHuman: Hi\n\nAssistant: Go away."})" "\n"
      << R"({"chosen":"The sky is blue.","rejected":"The sky is green."})" "\n";
  r = ImportFile(**store, p, mixed, &kHhFormat, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(mixed + ":2: record: not an HH-RLHF pair"), std::string::npos)
      << r.status().message();
  EXPECT_EQ((*store)->GetStatus(p.id)->items, 3) << "all-or-nothing";

  std::ostringstream out;
  auto ex = ExportProject(**store, p, &kHhFormat, out, {});
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.status().message().find("import only"), std::string::npos);
}

}  // namespace
}  // namespace hitloop::io
