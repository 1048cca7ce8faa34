#include "io/importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/exporter.h"
#include "support/temp_dir.h"

namespace hitloop::io {
namespace {

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    Project p;
    p.name = "p";
    p.labels = {"ham", "spam"};
    project_ = *store_->CreateProject(p);
  }
  std::string Write(const std::string& name, const std::string& body) {
    std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << body;
    return path;
  }
  int64_t Items() { return store_->GetStatus(project_.id)->items; }
  // Imports `body` (all-or-nothing) and expects an error mentioning `where` and `field`,
  // with nothing stored.
  void ExpectRejected(const std::string& name, const std::string& body, const std::string& where,
                      const std::string& field, Format fmt = Format::kJsonl) {
    std::string path = Write(name, body);
    ImportOptions opts;
    opts.limits.max_line_bytes = 4096;
    auto r = ImportFile(*store_, project_, path, fmt, opts);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find(path + ":" + where + ": "), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
    EXPECT_EQ(Items(), 0) << "a bad file stores nothing";
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

const char kGood[] = "{\"id\":\"a\",\"text\":\"hello\"}\n";

TEST_F(ImporterTest, MalformedJson) {
  ExpectRejected("m.jsonl", std::string(kGood) + "{\"id\": \"b\", \"text\": \n", "2", "malformed JSON");
}

TEST_F(ImporterTest, InvalidUtf8) {
  ExpectRejected("u.jsonl", std::string(kGood) + "{\"id\":\"b\",\"text\":\"bad \xC3\x28 byte\"}\n", "2",
                 "invalid UTF-8");
}

TEST_F(ImporterTest, MissingOrEmptyTextAndVector) {
  ExpectRejected("t1.jsonl", std::string(kGood) + "{\"id\":\"b\"}\n", "2", "text: missing or empty");
  ExpectRejected("t2.jsonl", std::string(kGood) + "{\"id\":\"b\",\"text\":\"\",\"vector\":[]}\n", "2", "text:");
  ExpectRejected("t3.jsonl", std::string(kGood) + "{\"id\":\"b\",\"text\":5}\n", "2", "text: must be a string");
  ExpectRejected("t4.jsonl", std::string(kGood) + "{\"id\":\"b\",\"vector\":[1,\"x\"]}\n", "2", "vector:");
}

TEST_F(ImporterTest, MissingId) {
  ExpectRejected("i.jsonl", std::string(kGood) + "{\"text\":\"b\"}\n", "2", "id: missing");
}

TEST_F(ImporterTest, UnknownLabel) {
  ExpectRejected("l.jsonl", std::string(kGood) + "{\"id\":\"b\",\"text\":\"x\",\"label\":\"eggs\"}\n", "2",
                 "label: unknown label 'eggs'");
  ExpectRejected("l2.jsonl", "{\"id\":\"b\",\"text\":\"x\",\"prediction\":{\"label\":\"eggs\",\"score\":0.5}}\n",
                 "1", "prediction.label");
}

TEST_F(ImporterTest, DuplicateIdInsideFile) {
  ExpectRejected("d.jsonl", std::string(kGood) + "{\"id\":\"c\",\"text\":\"x\"}\n" + kGood, "3", "id: duplicate id 'a'");
}

TEST_F(ImporterTest, LineOverSizeLimit) {
  std::string big = "{\"id\":\"b\",\"text\":\"" + std::string(10000, 'x') + "\"}\n";
  ExpectRejected("big.jsonl", std::string(kGood) + big + kGood, "2", "longer than the limit");
}

TEST_F(ImporterTest, CsvWrongColumnCount) {
  ExpectRejected("w.csv", "id,text,label\na,hello,ham\nb,\"x, y\",spam,extra\n", "3", "has 4 columns, the header has 3",
                 Format::kCsv);
}

TEST_F(ImporterTest, CsvUnterminatedQuoteNamesRecordLine) {
  ExpectRejected("q.csv", "id,text\na,hello\nb,\"never closed\n", "3", "unterminated", Format::kCsv);
}

TEST_F(ImporterTest, EmptyFileImportsNothingWithoutError) {
  for (auto [name, fmt] : {std::pair{"e.jsonl", Format::kJsonl}, {"e.csv", Format::kCsv}, {"e.json", Format::kLabelStudio}}) {
    auto r = ImportFile(*store_, project_, Write(name, ""), fmt, {});
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(r->records, 0);
  }
  EXPECT_EQ(Items(), 0);
}

TEST_F(ImporterTest, SkipBadStoresGoodAndWritesRejectsWithReasons) {
  std::string path = Write("s.jsonl", std::string(kGood) + "not json\n{\"id\":\"c\",\"text\":\"ok\",\"label\":\"spam\"}\n"
                                      "{\"id\":\"d\",\"text\":\"x\",\"label\":\"eggs\"}\n");
  ImportOptions opts;
  opts.reject_path = dir_.File("rejects.jsonl");
  auto r = ImportFile(*store_, project_, path, Format::kJsonl, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 2);
  EXPECT_EQ(r->rejected, 2);
  std::ifstream in(opts.reject_path);
  std::string l1, l2;
  std::getline(in, l1);
  std::getline(in, l2);
  EXPECT_NE(l1.find("\"line\":2"), std::string::npos) << l1;
  EXPECT_NE(l1.find("malformed JSON"), std::string::npos) << l1;
  EXPECT_NE(l2.find("unknown label"), std::string::npos) << l2;
}

TEST_F(ImporterTest, ReimportAddsNoDuplicates) {
  std::string path = Write("r.jsonl", std::string(kGood) + "{\"id\":\"b\",\"text\":\"x\",\"label\":\"ham\"}\n");
  ASSERT_TRUE(ImportFile(*store_, project_, path, Format::kJsonl, {}).ok());
  auto again = ImportFile(*store_, project_, path, Format::kJsonl, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->existing, 2);
  EXPECT_EQ(Items(), 2);
  EXPECT_EQ(store_->GetStatus(project_.id)->annotations, 1);
}

TEST_F(ImporterTest, CsvWithQuotedNewlinesAndMetaColumns) {
  std::string path = Write("c.csv", "id,text,label,domain\na,\"line one\nline two\",spam,medical\nb,plain,,\n");
  auto r = ImportFile(*store_, project_, path, Format::kCsv, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 2);
  auto item = store_->FindItem(project_.id, "a");
  ASSERT_TRUE(item.ok() && item->has_value());
  EXPECT_EQ((*item)->text, "line one\nline two");
  EXPECT_EQ((*item)->meta_json, "{\"domain\":\"medical\"}");
}

TEST_F(ImporterTest, LabelStudioTasksWithPredictions) {
  std::string path = Write("ls.json", R"([
    {"id": 7, "data": {"text": "win money"},
     "annotations": [{"result": [{"type": "choices", "value": {"choices": ["spam"]}}], "completed_by": 3}],
     "predictions": [{"model_version": "v1", "score": 0.8, "result": [{"value": {"choices": ["spam"]}}]}]},
    {"id": 8, "data": {"text": "lunch?"}, "predictions": [{"score": 0.6, "result": [{"value": {"choices": ["ham"]}}]}]}
  ])");
  auto r = ImportFile(*store_, project_, path, Format::kLabelStudio, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 2);
  EXPECT_EQ(r->labels, 1);
  EXPECT_EQ(r->predictions, 2);
  auto item = *store_->FindItem(project_.id, "8");
  auto pred = store_->LatestPrediction(item->id);
  ASSERT_TRUE(pred.ok() && pred->has_value());
  EXPECT_EQ((*pred)->label, "ham");
  EXPECT_DOUBLE_EQ((*pred)->confidence, 0.6);
}

TEST_F(ImporterTest, LabelStudioBadTaskNamesTaskAndStoresNothing) {
  std::string path = Write("lsb.json", R"([{"id": 1, "data": {"text": "ok"}}, {"id": 2, "data": {"text": "x"},
    "annotations": [{"result": [{"value": {"choices": ["eggs"]}}]}]}])");
  auto r = ImportFile(*store_, project_, path, Format::kLabelStudio, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("task 2: label: unknown label 'eggs'"), std::string::npos) << r.status().message();
  EXPECT_EQ(Items(), 0);
}

// Export -> import into a fresh project -> export again gives identical bytes.
TEST_F(ImporterTest, JsonlRoundTripIsLossless) {
  std::string path = Write("rt.jsonl",
      "{\"id\":\"a\",\"text\":\"h\\u00e9llo \\u05e9\\u05dc\\u05d5\\u05dd\",\"label\":\"spam\",\"meta\":{\"k\":[1,2]}}\n"
      "{\"id\":\"b\",\"text\":\"x\",\"label\":\"ham\",\"label_source\":\"model\",\"annotator\":\"m1\",\"confidence\":0.97}\n"
      "{\"id\":\"c\",\"vector\":[0.5,-1],\"split\":\"gold\",\"label\":\"ham\"}\n"
      "{\"id\":\"d\",\"text\":\"y\",\"prediction\":{\"label\":\"spam\",\"score\":0.75,\"distribution\":[0.25,0.75],\"model\":\"v3\"}}\n");
  ASSERT_TRUE(ImportFile(*store_, project_, path, Format::kJsonl, {}).ok());
  std::ostringstream first;
  ASSERT_TRUE(ExportProject(*store_, project_, Format::kJsonl, first, {}).ok());
  Project q;
  q.name = "q";
  q.labels = project_.labels;
  Project copy = *store_->CreateProject(q);
  std::string again = Write("again.jsonl", first.str());
  ASSERT_TRUE(ImportFile(*store_, copy, again, Format::kJsonl, {}).ok());
  std::ostringstream second;
  ASSERT_TRUE(ExportProject(*store_, copy, Format::kJsonl, second, {}).ok());
  EXPECT_EQ(first.str(), second.str());
  EXPECT_NE(first.str().find("\"label_source\":\"model\""), std::string::npos);
  EXPECT_NE(first.str().find("\"distribution\":[0.25,0.75]"), std::string::npos);
}

TEST_F(ImporterTest, CsvExportNeutralisesFormulas) {
  std::string path = Write("f.jsonl", "{\"id\":\"=1+1\",\"text\":\"@SUM(A1)\"}\n{\"id\":\"b\",\"text\":\"-2+3\"}\n");
  ASSERT_TRUE(ImportFile(*store_, project_, path, Format::kJsonl, {}).ok());
  std::ostringstream out;
  ASSERT_TRUE(ExportProject(*store_, project_, Format::kCsv, out, {}).ok());
  EXPECT_NE(out.str().find("\"'=1+1\",\"'@SUM(A1)\""), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"'-2+3\""), std::string::npos) << out.str();
}

}  // namespace
}  // namespace hitloop::io
