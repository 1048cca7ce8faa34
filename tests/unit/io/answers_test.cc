#include "io/answers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/exporter.h"
#include "quality/project_quality.h"
#include "support/temp_dir.h"

namespace hitloop::io {
namespace {

class AnswersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    Project p;
    p.name = "p";
    p.labels = {"ham", "spam"};
    project_ = *store_->CreateProject(p);
    ASSERT_TRUE(ImportFile(*store_, project_,
                           Write("items.jsonl", "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n"
                                                "{\"id\":\"g\",\"text\":\"gold\",\"label\":\"spam\",\"split\":\"gold\"}\n"),
                           &kJsonlFormat, {})
                    .ok());
  }
  std::string Write(const std::string& name, const std::string& body) {
    std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << body;
    return path;
  }
  int64_t Annotations() { return store_->GetStatus(project_.id)->annotations; }
  std::string Export(Format f, const std::string& aggregate = "") {
    std::optional<quality::AggregateMethod> m;
    if (!aggregate.empty()) m = *quality::ParseAggregateMethod(aggregate);
    auto answers = AnswersForExport(*store_, project_, m);
    EXPECT_TRUE(answers.ok()) << answers.status().ToString();
    ExportOptions opts;
    opts.answers = &*answers;
    std::ostringstream out;
    EXPECT_TRUE(ExportProject(*store_, project_, f, out, opts).ok());
    return out.str();
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_F(AnswersTest, ImportsEveryAnswerAndExportsThem) {
  const int64_t before = Annotations();
  auto st = ImportAnswersCsv(*store_, project_,
                             Write("ans.csv", "id,annotator,label,time_ms\na,w1,spam,1200\na,w2,spam,\na,w3,ham,900\n"
                                              "b,w1,ham,\ng,w1,spam,\ng,w2,ham,\n"),
                             {});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->answers, 6);
  EXPECT_EQ(Annotations(), before + 6);
  // Re-importing the same file adds nothing.
  auto again = ImportAnswersCsv(*store_, project_, dir_.File("ans.csv"), {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->answers, 0);
  EXPECT_EQ(again->existing, 6);

  const std::string jsonl = Export(&kJsonlFormat, "mv");
  // Item a: 2 spam vs 1 ham -> spam with confidence 2/3, every answer listed.
  EXPECT_NE(jsonl.find("{\"aggregate\":\"mv\",\"annotations\":[{\"annotator\":\"w1\",\"label\":\"spam\",\"source\":\"human\","
                       "\"time_ms\":1200},{\"annotator\":\"w2\",\"label\":\"spam\",\"source\":\"human\"},"
                       "{\"annotator\":\"w3\",\"label\":\"ham\",\"source\":\"human\",\"time_ms\":900}],"
                       "\"confidence\":0.6666666666666666,\"id\":\"a\",\"label\":\"spam\""),
            std::string::npos)
      << jsonl;
  // Gold item g keeps its known answer.
  EXPECT_NE(jsonl.find("\"aggregate\":\"gold\""), std::string::npos);
  EXPECT_NE(jsonl.find("\"id\":\"g\",\"label\":\"spam\""), std::string::npos) << jsonl;

  // Long form: one row per answer.
  auto answers = AnswersForExport(*store_, project_, quality::AggregateMethod::kMajority);
  ASSERT_TRUE(answers.ok());
  std::ostringstream csv;
  ASSERT_TRUE(ExportAnswersCsv(*store_, project_, *answers, csv, {}).ok());
  EXPECT_EQ(csv.str(),
            "id,annotator,label,time_ms,source,resolved_label,method,confidence,"
            "answer_id,verdict,reviewer,review_comment,reviewed_at_ms\n"
            "a,w1,spam,1200,human,spam,mv,0.666667,2,,,,\n"
            "a,w2,spam,,human,spam,mv,0.666667,3,,,,\n"
            "a,w3,ham,900,human,spam,mv,0.666667,4,,,,\n"
            "b,w1,ham,,human,ham,mv,1,5,,,,\n"
            "g,w1,spam,,human,spam,gold,1,6,,,,\n"
            "g,w2,ham,,human,spam,gold,1,7,,,,\n");

  // Label Studio: one annotation per person.
  const std::string ls = Export(&kLabelStudioFormat, "mv");
  EXPECT_NE(ls.find("\"lead_time\":0.9"), std::string::npos);
  EXPECT_NE(ls.find("\"resolved\":{"), std::string::npos);

  // JSONL round trip into a fresh project: same bytes.
  Project q;
  q.name = "q";
  q.labels = {"ham", "spam"};
  Project copy = *store_->CreateProject(q);
  ASSERT_TRUE(ImportFile(*store_, copy, Write("a.jsonl", jsonl), &kJsonlFormat, {}).ok());
  Project saved = project_;
  project_ = copy;
  EXPECT_EQ(Export(&kJsonlFormat, "mv"), jsonl);
  // And through Label Studio.
  Project r;
  r.name = "r";
  r.labels = {"ham", "spam"};
  project_ = *store_->CreateProject(r);
  ASSERT_TRUE(ImportFile(*store_, project_, Write("a.json", ls), &kLabelStudioFormat, {}).ok());
  EXPECT_EQ(Export(&kJsonlFormat, "mv"), jsonl);
  project_ = saved;
}

// Regression: the answers CSV had no verdict columns, and a rejected answer still
// counted toward the exported label. Now every export lists each answer with its newest verdict,
// the resolved label leaves rejected answers out, and an item whose every answer was rejected is
// exported without a label (method "none").
TEST_F(AnswersTest, VerdictsAreExportedAndRejectedAnswersCountForNothing) {
  ASSERT_TRUE(ImportAnswersCsv(*store_, project_,
                               Write("ans.csv", "id,annotator,label\na,w1,spam\na,w2,spam\na,w3,ham\nb,w1,ham\n"), {})
                  .ok());
  // Ids: g's known answer is 1, then the rows in order (a: 2, 3, 4; b: 5).
  auto verdict = [&](int64_t answer, const std::string& v, const std::string& comment) {
    Review r;
    r.project_id = project_.id;
    r.annotation_id = answer;
    r.reviewer = "rita";
    r.verdict = v;
    r.comment = comment;
    r.created_at = 77;
    auto id = store_->PutReview(r);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  };
  verdict(2, "reject", "not spam, \"see\" the sender");
  verdict(3, "reject", "no");
  verdict(4, "approve", "");
  verdict(5, "reject", "no");
  auto answers = AnswersForExport(*store_, project_, quality::AggregateMethod::kMajority);
  ASSERT_TRUE(answers.ok()) << answers.status().ToString();
  std::ostringstream csv;
  ASSERT_TRUE(ExportAnswersCsv(*store_, project_, *answers, csv, {}).ok());
  EXPECT_EQ(csv.str(),
            "id,annotator,label,time_ms,source,resolved_label,method,confidence,"
            "answer_id,verdict,reviewer,review_comment,reviewed_at_ms\n"
            "a,w1,spam,,human,ham,mv,1,2,reject,rita,\"not spam, \"\"see\"\" the sender\",77\n"
            "a,w2,spam,,human,ham,mv,1,3,reject,rita,no,77\n"
            "a,w3,ham,,human,ham,mv,1,4,approve,rita,,77\n"
            "b,w1,ham,,human,,none,,5,reject,rita,no,77\n");
  const std::string jsonl = Export(&kJsonlFormat, "mv");
  EXPECT_NE(jsonl.find("{\"aggregate\":\"mv\",\"annotations\":[{\"annotator\":\"w1\",\"label\":\"spam\","
                       "\"reviewer\":\"rita\",\"source\":\"human\",\"verdict\":\"reject\"},"),
            std::string::npos)
      << jsonl;
  EXPECT_NE(jsonl.find("\"confidence\":1.0,\"id\":\"a\",\"label\":\"ham\""), std::string::npos) << jsonl;
  // b: every answer rejected, so no label (not the rejected "ham").
  EXPECT_NE(jsonl.find("{\"aggregate\":\"none\",\"annotations\":[{\"annotator\":\"w1\",\"label\":\"ham\","
                       "\"reviewer\":\"rita\",\"source\":\"human\",\"verdict\":\"reject\"}],\"id\":\"b\",\"reviews\""),
            std::string::npos)
      << jsonl;
  const std::string ls = Export(&kLabelStudioFormat, "mv");
  EXPECT_NE(ls.find("\"resolved\":{\"confidence\":null,\"label\":null,\"method\":\"none\"}"), std::string::npos) << ls;
  EXPECT_NE(ls.find("\"accepted\":false"), std::string::npos) << ls;
  // Regression: Prodigy, doccano and Label Studio CSV wrote the item's current label, i.e. the
  // newest answer (here w3's approved ham on a, but on b w1's rejected ham), not the resolved one.
  const std::string prodigy = Export(&kProdigyFormat, "mv");
  EXPECT_NE(prodigy.find("\"label\":\"ham\""), std::string::npos) << prodigy;
  std::istringstream lines(prodigy);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"id\":\"b\"") != std::string::npos) EXPECT_EQ(line.find("\"label\""), std::string::npos) << line;
  }
  const std::string doccano = Export(&kDoccanoFormat, "mv");
  EXPECT_NE(doccano.find("\"label\":[]"), std::string::npos) << doccano;
  EXPECT_NE(doccano.find("aggregate:mv"), std::string::npos) << doccano;
}

TEST_F(AnswersTest, BadRowsStoreNothing) {
  const int64_t before = Annotations();
  struct Case {
    std::string body, where, field;
  } cases[] = {
      {"id,annotator,label\na,w1,spam\nzz,w1,spam\n", ":3: ", "id: no item 'zz'"},
      {"id,annotator,label\na,w1,eggs\n", ":2: ", "label: unknown label 'eggs'"},
      {"id,annotator,label\na,,spam\n", ":2: ", "annotator: empty"},
      {"id,annotator,label\na,w1,spam\na,w1,ham\n", ":3: ", "already answered item 'a' on line 2"},
      {"id,annotator,label,time_ms\na,w1,spam,-3\n", ":2: ", "time_ms"},
      {"id,annotator,label,source\na,w1,spam,model\n", ":2: ", "source"},
      {"id,annotator,label\na,w1\n", ":2: ", "columns"},
      {"id,label\na,spam\n", ":1: ", "missing column 'annotator'"},
  };
  for (const Case& c : cases) {
    const std::string path = Write("bad.csv", c.body);
    auto st = ImportAnswersCsv(*store_, project_, path, {});
    ASSERT_FALSE(st.ok()) << c.body;
    EXPECT_NE(st.status().message().find(path + c.where), std::string::npos) << st.status().message();
    EXPECT_NE(st.status().message().find(c.field), std::string::npos) << st.status().message();
    EXPECT_EQ(Annotations(), before) << c.body;
  }
}

TEST_F(AnswersTest, JsonlAnnotationsImportAsAnswers) {
  const std::string path = Write(
      "c.jsonl",
      "{\"id\":\"c\",\"text\":\"three\",\"label\":\"ham\",\"annotations\":[{\"annotator\":\"x\",\"label\":\"ham\","
      "\"time_ms\":5},{\"annotator\":\"y\",\"label\":\"spam\"},{\"annotator\":\"z\",\"label\":\"ham\"}]}\n");
  auto st = ImportFile(*store_, project_, path, &kJsonlFormat, {});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->answers, 3);
  EXPECT_EQ(st->labels, 0) << "the label beside annotations is their resolved label, not a vote";
  auto answers = quality::LoadProjectAnswers(*store_, project_);
  ASSERT_TRUE(answers.ok());
  EXPECT_EQ(answers->table.num_ratings(), 3);
  EXPECT_EQ(answers->table.time_ms[0], 5);
  // Errors name the field.
  const std::string bad = Write("d.jsonl",
                                "{\"id\":\"d\",\"text\":\"x\",\"annotations\":[{\"annotator\":\"x\",\"label\":\"ham\"},"
                                "{\"annotator\":\"x\",\"label\":\"spam\"}]}\n");
  auto e = ImportFile(*store_, project_, bad, &kJsonlFormat, {});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(bad + ":1: annotations[1].annotator: 'x' answers twice"), std::string::npos)
      << e.status().message();
  const std::string unknown = Write("e.jsonl",
                                    "{\"id\":\"e\",\"text\":\"x\",\"annotations\":[{\"annotator\":\"x\",\"label\":\"eggs\"}]}\n");
  auto u = ImportFile(*store_, project_, unknown, &kJsonlFormat, {});
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("unknown label 'eggs'"), std::string::npos);
}

}  // namespace
}  // namespace hitloop::io
