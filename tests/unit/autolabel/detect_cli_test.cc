// The `hitloop detect` contract that outside scripts rely on: one JSON object per line with the
// documented keys. Runs the built binary (HITLOOP_BINARY).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::autolabel {
namespace {

struct DetectRun {
  int exit_code = -1;
  std::vector<nlohmann::json> lines;
};

DetectRun Detect(const std::string& args) {
  DetectRun r;
  const std::string cmd = std::string(HITLOOP_BINARY) + " detect " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) r.lines.push_back(nlohmann::json::parse(out.substr(start, end - start)));
    start = end + 1;
  }
  return r;
}

class DetectCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("items.jsonl");
    std::ofstream f(path_);
    f << R"({"id":"a","text":"All human beings are born free and equal in dignity and rights. They are endowed with reason and conscience."})" << "\n";
    f << R"({"id":"b","text":"all human beings are born free and equal in dignity and rights. they are endowed with reason and conscience."})" << "\n";
    f << R"({"id":"c","text":"{\"key\": [1, 2, 3]}"})" << "\n";
    f << R"({"id":"d","text":"Thanks, see you then.\n\nOn Mon, Bob wrote:\n> Lunch at noon?\n"})" << "\n";
    f << R"({"id":"e","text":"All human beings are born free and equal in dignity and rights. They are endowed with reason and conscience. Indeed."})" << "\n";
  }
  hitloop::testing::TempDir dir_;
  std::string path_;
};

TEST_F(DetectCliTest, Language) {
  const DetectRun r = Detect("language " + path_);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT_EQ(r.lines.size(), 5u);
  for (const auto& j : r.lines) {
    EXPECT_TRUE(j.contains("id") && j.contains("language") && j.contains("confidence")) << j.dump();
  }
  EXPECT_EQ(r.lines[0]["language"], "en");
  const DetectRun c = Detect("language --cld2-only " + path_);
  ASSERT_EQ(c.exit_code, 0);
  EXPECT_EQ(c.lines[0]["backend"], "cld2");
}

TEST_F(DetectCliTest, Format) {
  const DetectRun r = Detect("format " + path_);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT_EQ(r.lines.size(), 5u);
  EXPECT_EQ(r.lines[2]["format"], "json");
  for (const auto& j : r.lines) EXPECT_TRUE(j.contains("id") && j.contains("format") && j.contains("confidence"));
}

TEST_F(DetectCliTest, Duplicates) {
  const DetectRun r = Detect("duplicates " + path_);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT_EQ(r.lines.size(), 3u);  // a, b (exact) and e (near); c and d are in no group
  EXPECT_EQ(r.lines[0]["id"], "a");
  EXPECT_EQ(r.lines[0]["group"], "a");
  EXPECT_EQ(r.lines[0]["kind"], "exact");
  EXPECT_EQ(r.lines[1]["kind"], "exact");
  EXPECT_EQ(r.lines[2]["id"], "e");
  EXPECT_EQ(r.lines[2]["group"], "a");
  EXPECT_EQ(r.lines[2]["kind"], "near");
  EXPECT_GE(r.lines[2]["similarity"].get<double>(), 0.8);
  // A threshold above the near pair's similarity leaves only the exact pair.
  const DetectRun strict = Detect("duplicates --threshold 0.99 " + path_);
  ASSERT_EQ(strict.exit_code, 0);
  EXPECT_EQ(strict.lines.size(), 2u);
}

TEST_F(DetectCliTest, Boilerplate) {
  const DetectRun r = Detect("boilerplate " + path_);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT_EQ(r.lines.size(), 5u);
  const auto& blocks = r.lines[3]["blocks"];
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0]["kind"], "content");
  EXPECT_EQ(blocks[0]["boilerplate"], false);
  EXPECT_EQ(blocks[1]["kind"], "quoted");
  EXPECT_EQ(blocks[1]["boilerplate"], true);
  EXPECT_EQ(blocks[0]["start"], 0);
  EXPECT_EQ(blocks[0]["end"], blocks[1]["start"]);
}

TEST_F(DetectCliTest, ErrorsAreClear) {
  EXPECT_NE(Detect("language /nonexistent.jsonl").exit_code, 0);
  EXPECT_NE(Detect("colour " + path_).exit_code, 0);
  EXPECT_NE(Detect("duplicates --threshold 1.5 " + path_).exit_code, 0);
  const std::string bad = dir_.File("bad.jsonl");
  std::ofstream(bad) << "not json\n";
  EXPECT_NE(Detect("format " + bad).exit_code, 0);
}

}  // namespace
}  // namespace hitloop::autolabel
