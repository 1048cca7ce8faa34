#include "io/preference_jsonl.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/preference_export.h"
#include "preference/project_data.h"
#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::io {
namespace {

class PreferenceImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  Project Make(const std::string& name, TaskType type, std::vector<std::string> criteria = {}) {
    Project p;
    p.name = name;
    p.type = type;
    p.labels = std::move(criteria);
    return *store_->CreateProject(p);
  }
  std::string Write(const std::string& name, const std::string& body) {
    std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << body;
    return path;
  }
  int64_t Items(const Project& p) { return store_->GetStatus(p.id)->items; }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

std::string JsonlSource(const std::string& name) {
  return std::string(HITLOOP_SOURCE_DIR) + "/tests/data/preference/" + name;
}

TEST_F(PreferenceImportTest, HhRlhfImplicitPairsSplitAtTheLastAssistantTurn) {
  Project p = Make("hh", TaskType::kPairwisePreference);
  auto stats = ImportFile(*store_, p, JsonlSource("hh_sample.jsonl"), &kJsonlFormat, {});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->inserted, 3);
  EXPECT_EQ(stats->labels, 3);
  auto data = preference::LoadProjectPreferences(*store_, p);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->items.size(), 3u);
  const auto& first = data->items[0];
  ASSERT_TRUE(first.conversational());
  EXPECT_EQ(first.messages.front().role, "user");
  EXPECT_EQ(first.messages.front().content, "what are some pranks with a pen i can do?");
  EXPECT_EQ(first.messages.back().role, "user");  // the prompt ends with the human's turn
  EXPECT_EQ(first.responses[0].text.rfind("No, sorry!", 0), 0u) << first.responses[0].text;
  ASSERT_EQ(data->comparisons.size(), 3u);
  EXPECT_EQ(data->comparisons[0].judgement.order, (std::vector<std::vector<int>>{{0}, {1}}));
  EXPECT_EQ(data->comparisons[0].annotator, "import");
  // Re-import: content ids make it a no-op.
  auto again = ImportFile(*store_, p, JsonlSource("hh_sample.jsonl"), &kJsonlFormat, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->existing, 3);
  EXPECT_EQ(Items(p), 3);
}

TEST_F(PreferenceImportTest, OwnShapeWithRankingsCriteriaAndSeveralAnnotators) {
  Project p = Make("rank", TaskType::kRanking, {"helpfulness", "harmlessness"});
  const std::string body =
      R"({"id":"q1","prompt":"Name a colour","responses":[{"id":"x","text":"red"},"blue",{"text":"seven","model":"m"}],)"
      R"("answers":[{"annotator":"ann","criteria":{"helpfulness":["x",[1],2],"harmlessness":[[0,1,2]]}},)"
      R"({"annotator":"bob","criteria":{"helpfulness":"B>A=C/clearly"},"shown":[2,0,1]}]})"
      "\n"
      R"({"id":"q2","prompt":[{"role":"user","content":"hi"}],"responses":["a","b"]})" "\n";
  auto stats = ImportFile(*store_, p, Write("r.jsonl", body), &kJsonlFormat, {});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->inserted, 2);
  EXPECT_EQ(stats->labels, 2);
  auto help = preference::LoadProjectPreferences(*store_, p, "helpfulness");
  ASSERT_TRUE(help.ok()) << help.status().ToString();
  ASSERT_EQ(help->comparisons.size(), 2u);
  EXPECT_EQ(help->comparisons[0].judgement.order, (std::vector<std::vector<int>>{{0}, {1}, {2}}));
  EXPECT_EQ(help->comparisons[1].annotator, "bob");
  EXPECT_EQ(help->comparisons[1].judgement.strength, preference::Strength::kClearly);
  EXPECT_EQ(help->comparisons[1].shown, (std::vector<int>{2, 0, 1}));
  auto harm = preference::LoadProjectPreferences(*store_, p, "harmlessness");
  ASSERT_TRUE(harm.ok());
  ASSERT_EQ(harm->comparisons.size(), 1u);
  EXPECT_TRUE(harm->comparisons[0].judgement.IsTie());
  EXPECT_EQ(harm->without_criterion, 1);
  EXPECT_FALSE(preference::LoadProjectPreferences(*store_, p, "speed").ok());
}

TEST_F(PreferenceImportTest, BadRecordsNameFileLineAndFieldAndStoreNothing) {
  Project p = Make("pw", TaskType::kPairwisePreference, {"quality"});
  struct Case {
    std::string body, field;
  } cases[] = {
      {R"({"prompt":"p","responses":["a","b","c"]})", "responses: a pairwise project compares exactly 2"},
      {R"({"prompt":"p","responses":["a"]})", "responses"},
      {R"({"responses":["a","b"]})", "prompt: missing"},
      {R"({"prompt":"p","responses":["a",""]})", "responses[1]: text: empty"},
      {R"({"prompt":"p","responses":["a","b"],"preference":"C"})", "preference"},
      {R"({"prompt":"p","responses":["a","b"],"criteria":{"speed":"A"}})", "criteria.speed"},
      {R"({"prompt":"p","responses":["a","b"],"preference":"A","strength":"very"})", "strength"},
      {R"({"chosen":"same text","rejected":"same text"})", "chosen: nothing after the shared prompt"},
      {R"({"prompt":3,"chosen":"a","rejected":"b"})", "prompt"},
      {R"({"text":"hello"})", "record: expected"},
      {R"(not json)", "record: not valid JSON"},
  };
  for (const auto& c : cases) {
    const std::string good = R"({"prompt":"ok","responses":["x","y"]})";
    const std::string path = Write("bad.jsonl", good + "\n" + c.body + "\n");
    auto r = ImportFile(*store_, p, path, &kJsonlFormat, {});
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(path + ":2: "), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(c.field), std::string::npos) << r.status().message();
    EXPECT_EQ(Items(p), 0) << "a bad file stores nothing: " << c.body;
  }
  // --skip-bad keeps the good record, writes the bad one with its reason.
  ImportOptions opts;
  opts.reject_path = dir_.File("rejects.jsonl");
  auto r = ImportFile(*store_, p, Write("mixed.jsonl", R"({"prompt":"ok","responses":["x","y"],"preference":"A"})"
                                                           "\n" R"({"prompt":"p"})" "\n"),
                      &kJsonlFormat, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->rejected, 1);
  EXPECT_EQ(r->labels, 1);
}

TEST_F(PreferenceImportTest, CsvIntoAPreferenceProjectIsRefused) {
  Project p = Make("pw", TaskType::kPairwisePreference);
  auto r = ImportFile(*store_, p, Write("x.csv", "id,text\n1,a\n"), &kCsvFormat, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Golden files from TRL's documented examples (tests/data/preference/README.md).
TEST_F(PreferenceImportTest, TrlGoldenFilesRoundTrip) {
  struct Case {
    std::string input, golden;
  } cases[] = {{"trl_standard.jsonl", "trl_standard.jsonl"},
               {"trl_standard_implicit.jsonl", "trl_standard.jsonl"},
               {"trl_conversational.jsonl", "trl_conversational.jsonl"},
               {"trl_conversational_implicit.jsonl", "trl_conversational.jsonl"}};
  int k = 0;
  for (const auto& c : cases) {
    Project p = Make("trl" + std::to_string(k++), TaskType::kPairwisePreference);
    auto stats = ImportFile(*store_, p, JsonlSource(c.input), &kJsonlFormat, {});
    ASSERT_TRUE(stats.ok()) << c.input << ": " << stats.status().ToString();
    std::ostringstream out;
    auto ex = ExportPreferences(*store_, p, PreferenceFormat::kTrl, out, {});
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    EXPECT_EQ(out.str(), ReadAll(JsonlSource(c.golden))) << c.input;
  }
  Project p = Make("kto", TaskType::kPairwisePreference);
  ASSERT_TRUE(ImportFile(*store_, p, JsonlSource("trl_standard.jsonl"), &kJsonlFormat, {}).ok());
  std::ostringstream out;
  ASSERT_TRUE(ExportPreferences(*store_, p, PreferenceFormat::kTrlKto, out, {}).ok());
  EXPECT_EQ(out.str(), ReadAll(JsonlSource("trl_kto_standard.jsonl")));
}

TEST_F(PreferenceImportTest, TrlLeavesOutTiesAndBothBadAndCountsThem) {
  Project p = Make("mix", TaskType::kPairwisePreference);
  const std::string body = R"({"id":"1","prompt":"p","responses":["a","b"],"preference":"B","strength":"much"})" "\n"
                           R"({"id":"2","prompt":"p","responses":["c","d"],"preference":"tie"})" "\n"
                           R"({"id":"3","prompt":"p","responses":["e","f"],"preference":"both-bad"})" "\n";
  ASSERT_TRUE(ImportFile(*store_, p, Write("m.jsonl", body), &kJsonlFormat, {}).ok());
  std::ostringstream out;
  PreferenceExportOptions opts;
  opts.margin = true;
  auto ex = ExportPreferences(*store_, p, PreferenceFormat::kTrl, out, opts);
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(out.str(), "{\"prompt\":\"p\",\"chosen\":\"b\",\"rejected\":\"a\",\"margin\":3}\n");
  EXPECT_EQ(ex->ties, 1);
  EXPECT_EQ(ex->both_bad, 1);
  // Own JSONL keeps every answer and re-imports to the same answers.
  std::ostringstream own;
  ASSERT_TRUE(ExportPreferences(*store_, p, PreferenceFormat::kJsonl, own, {}).ok());
  Project q = Make("again", TaskType::kPairwisePreference);
  ASSERT_TRUE(ImportFile(*store_, q, Write("own.jsonl", own.str()), &kJsonlFormat, {}).ok());
  std::ostringstream own2;
  ASSERT_TRUE(ExportPreferences(*store_, q, PreferenceFormat::kJsonl, own2, {}).ok());
  auto strip = [](std::string s) {  // created_at differs between the two imports
    std::string out;
    size_t at = 0, k;
    while ((k = s.find("\"created_at\":", at)) != std::string::npos) {
      out += s.substr(at, k - at);
      at = s.find_first_of(",}", k);
    }
    return out + s.substr(at);
  };
  EXPECT_EQ(strip(own.str()), strip(own2.str()));
  EXPECT_NE(own.str().find("\"preference\":\"B>A/much\""), std::string::npos) << own.str();
}

}  // namespace
}  // namespace hitloop::io
