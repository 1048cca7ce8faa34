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
                      const std::string& field, Format fmt = &kJsonlFormat, size_t max_bytes = 4096) {
    std::string path = Write(name, body);
    ImportOptions opts;
    opts.limits.max_line_bytes = max_bytes;
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

// Found by fuzz_import_auto: a header name that is not UTF-8 became a JSON key, whose dump threw
// and ended the process. It is now the file's error, naming the header and the column.
TEST_F(ImporterTest, CsvHeaderNameThatIsNotUtf8IsRefused) {
  ExpectRejected("h.csv", "id,text,label,\xff\xffmeta\n1,free money now,spam,x\n", "1",
                 "header: column 4 is not valid UTF-8", &kCsvFormat);
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
                 &kCsvFormat);
}

TEST_F(ImporterTest, CsvUnterminatedQuoteNamesRecordLine) {
  ExpectRejected("q.csv", "id,text\na,hello\nb,\"never closed\n", "3", "unterminated", &kCsvFormat);
  // The lines an open quote swallowed are named, so --skip-bad loses nothing unseen.
  ExpectRejected("q2.csv", "id,text\na,\"opened\nb,fine\nc,fine too\n", "2",
                 "the quote opened on line 2 runs to the end of the file (line 4); lines 2-4 were read as this one record",
                 &kCsvFormat);
}

// Re-importing known ids with another split moves nothing, and says so.
TEST_F(ImporterTest, ReimportWithAnotherSplitSaysTheItemsStayWhereTheyAre) {
  const std::string path = Write("s.jsonl", std::string(kGood) + "{\"id\":\"b\",\"text\":\"x\"}\n");
  ASSERT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, {}).ok());
  ImportOptions gold;
  gold.split = "gold";
  auto again = ImportFile(*store_, project_, path, &kJsonlFormat, gold);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->existing, 2);
  EXPECT_EQ(again->existing_other_split, 2);
  ASSERT_EQ(again->notes.size(), 1u);
  EXPECT_NE(again->notes[0].find("2 records were already in the project in pool and stay there"), std::string::npos)
      << again->notes[0];
  EXPECT_EQ(store_->FindItem(project_.id, "b")->value().split, Split::kPool);
  // The same split again, or none named: no note.
  ImportOptions pool;
  pool.split = "pool";
  EXPECT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, pool)->notes.empty());
  EXPECT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, {})->notes.empty());
}

TEST_F(ImporterTest, EmptyFileImportsNothingWithoutError) {
  for (auto [name, fmt] : {std::pair{"e.jsonl", &kJsonlFormat}, {"e.csv", &kCsvFormat}, {"e.json", &kLabelStudioFormat}}) {
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
  auto r = ImportFile(*store_, project_, path, &kJsonlFormat, opts);
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
  ASSERT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, {}).ok());
  auto again = ImportFile(*store_, project_, path, &kJsonlFormat, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->existing, 2);
  EXPECT_EQ(Items(), 2);
  EXPECT_EQ(store_->GetStatus(project_.id)->annotations, 1);
}

TEST_F(ImporterTest, CsvWithQuotedNewlinesAndMetaColumns) {
  std::string path = Write("c.csv", "id,text,label,domain\na,\"line one\nline two\",spam,medical\nb,plain,,\n");
  auto r = ImportFile(*store_, project_, path, &kCsvFormat, {});
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
  auto r = ImportFile(*store_, project_, path, &kLabelStudioFormat, {});
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
  auto r = ImportFile(*store_, project_, path, &kLabelStudioFormat, {});
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
  ASSERT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, {}).ok());
  std::ostringstream first;
  ASSERT_TRUE(ExportProject(*store_, project_, &kJsonlFormat, first, {}).ok());
  Project q;
  q.name = "q";
  q.labels = project_.labels;
  Project copy = *store_->CreateProject(q);
  std::string again = Write("again.jsonl", first.str());
  ASSERT_TRUE(ImportFile(*store_, copy, again, &kJsonlFormat, {}).ok());
  std::ostringstream second;
  ASSERT_TRUE(ExportProject(*store_, copy, &kJsonlFormat, second, {}).ok());
  EXPECT_EQ(first.str(), second.str());
  EXPECT_NE(first.str().find("\"label_source\":\"model\""), std::string::npos);
  EXPECT_NE(first.str().find("\"distribution\":[0.25,0.75]"), std::string::npos);
}

TEST_F(ImporterTest, CsvExportNeutralisesFormulas) {
  std::string path = Write("f.jsonl", "{\"id\":\"=1+1\",\"text\":\"@SUM(A1)\"}\n{\"id\":\"b\",\"text\":\"-2+3\"}\n");
  ASSERT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, {}).ok());
  std::ostringstream out;
  ASSERT_TRUE(ExportProject(*store_, project_, &kCsvFormat, out, {}).ok());
  // Ids are never prefixed (other tools match them); text cells are.
  EXPECT_NE(out.str().find("=1+1,\"'@SUM(A1)\""), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"'-2+3\""), std::string::npos) << out.str();
}

// --- Regression tests for defects found by an outside probe -------------------------------------

// Deep nesting in meta crashed the import (and the server with it) in the JSON library's copy and
// dump: JSONL, the CSV meta column and the Label Studio conversion all refuse it before parsing.
TEST_F(ImporterTest, DeeplyNestedRecordIsRefusedInEveryFormat) {
  const std::string deep = std::string(65000, '[') + std::string(65000, ']');
  ExpectRejected("deep.jsonl", std::string(kGood) + R"({"id":"b","text":"x","meta":{"k":)" + deep + "}}\n", "2",
                 "nested deeper than 100 levels", &kJsonlFormat, 1 << 20);
  std::string csv_meta = "{\"\"k\"\":" + deep + "}";
  std::string csv = "id,text,meta\na,hello,\nb,x,\"" + csv_meta + "\"\n";
  {
    std::string path = Write("deep.csv", csv);
    ImportOptions opts;
    opts.limits.max_line_bytes = 1 << 20;
    auto r = ImportFile(*store_, project_, path, &kCsvFormat, opts);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(path + ":3: meta: nested deeper than 100 levels"), std::string::npos)
        << r.status().message();
    EXPECT_EQ(Items(), 0);
  }
  {
    std::string path = Write("deep.json", R"([{"data":{"text":"ok"},"id":1},{"id":2,"data":{"text":"x"},"meta":{"k":)" +
                                              deep + "}}]");
    ImportOptions opts;
    opts.limits.max_line_bytes = 1 << 20;
    auto r = ImportFile(*store_, project_, path, &kLabelStudioFormat, opts);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(path + ":1: task 2: record: nested deeper than 100 levels"), std::string::npos)
        << r.status().message();
    EXPECT_EQ(Items(), 0);
  }
}

// The Label Studio reader held a whole task in memory whatever its size (a 50 MB task imported
// at 426 MB RSS): tasks over the record limit are refused, and not held while being skipped.
TEST_F(ImporterTest, LabelStudioTaskOverTheRecordLimitIsRefused) {
  std::string big = R"([{"id":1,"data":{"text":"small"}},
{"id":2,"data":{"text":")" + std::string(10000, 'x') + R"("}}])";
  ExpectRejected("big.json", big, "2: task 2", "record: longer than the limit of 4096 bytes", &kLabelStudioFormat);
  // With --skip-bad the small task is stored and the big one is rejected.
  std::string path = Write("big2.json", big);
  ImportOptions opts;
  opts.limits.max_line_bytes = 4096;
  opts.reject_path = dir_.File("rejects.jsonl");
  auto r = ImportFile(*store_, project_, path, &kLabelStudioFormat, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->rejected, 1);
}

// Array elements that are not objects were dropped without a word.
TEST_F(ImporterTest, LabelStudioNonObjectTaskIsAnErrorNotDropped) {
  ExpectRejected("scalar.json", R"([{"id":1,"data":{"text":"a"}}, 5])", "1: task 2", "task: must be a JSON object",
                 &kLabelStudioFormat);
  ExpectRejected("nested.json", R"([[{"id":1,"data":{"text":"a"}}]])", "1: task 1", "task: must be a JSON object",
                 &kLabelStudioFormat);
  ExpectRejected("str.json", "[\n\"text\"\n]", "2: task 1", "task: must be a JSON object", &kLabelStudioFormat);
  ExpectRejected("comma.json", R"([{"id":1,"data":{"text":"a"}} {"id":2,"data":{"text":"b"}}])", "1",
                 "expected ',' or ']'", &kLabelStudioFormat);
}

// A '"' inside an unquoted CSV field was silently dropped ("say "hi"" became "say hi").
TEST_F(ImporterTest, CsvQuoteInsideUnquotedFieldIsKept) {
  // Text after a closing quote is ambiguous: an error naming the record and field.
  ExpectRejected("q2.csv", "id,text\nc,\"quoted\"tail\n", "2", "field 2: text after the closing quote", &kCsvFormat);
  std::string path = Write("q.csv", "id,text\na,say \"hi\" now\nb,5\" screen\n");
  auto r = ImportFile(*store_, project_, path, &kCsvFormat, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*store_->FindItem(project_.id, "a"))->text, "say \"hi\" now");
  EXPECT_EQ((*store_->FindItem(project_.id, "b"))->text, "5\" screen");
}

TEST_F(ImporterTest, CsvCrlfInsideQuotedFieldIsKept) {
  std::string path = Write("crlf.csv", "id,text\r\na,\"line one\r\nline two\"\r\nb,plain\r\n");
  auto r = ImportFile(*store_, project_, path, &kCsvFormat, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*store_->FindItem(project_.id, "a"))->text, "line one\r\nline two");
  EXPECT_EQ((*store_->FindItem(project_.id, "b"))->text, "plain");
}

// A multi-label project's CSV export wrote its labels under `label` joined by '|', which the
// import read as one unknown label: it now writes a `labels` column and re-imports.
TEST_F(ImporterTest, CsvMultiLabelExportReimports) {
  Project m;
  m.name = "multi";
  m.type = TaskType::kMultiLabel;
  m.labels = {"a", "b", "c"};
  m = *store_->CreateProject(m);
  std::string path = Write("m.jsonl",
                           "{\"id\":\"1\",\"text\":\"x\",\"labels\":[\"a\",\"c\"],\"confidence\":0.123456789012345}\n"
                           "{\"id\":\"2\",\"text\":\"y\"}\n");
  ASSERT_TRUE(ImportFile(*store_, m, path, &kJsonlFormat, {}).ok());
  std::ostringstream out;
  ASSERT_TRUE(ExportProject(*store_, m, &kCsvFormat, out, {}).ok());
  EXPECT_EQ(out.str().rfind("id,text,labels,", 0), 0u) << out.str();
  EXPECT_NE(out.str().find("0.123456789012345"), std::string::npos) << "numbers at full precision: " << out.str();
  Project m2 = m;
  m2.name = "multi2";
  m2 = *store_->CreateProject(m2);
  auto r = ImportFile(*store_, m2, Write("m.csv", out.str()), &kCsvFormat, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*store_->FindItem(m2.id, "1"))->labels, (std::vector<std::string>{"a", "c"}));
  std::ostringstream again;
  ASSERT_TRUE(ExportProject(*store_, m2, &kCsvFormat, again, {}).ok());
  EXPECT_EQ(out.str(), again.str());
}

// The formula guard is never put on ids, and is taken off again on import — for every cell,
// including text that itself starts with an apostrophe.
TEST_F(ImporterTest, CsvFormulaGuardRoundTrips) {
  std::string path = Write("f.jsonl",
                           "{\"id\":\"=1+1\",\"text\":\"@SUM(A1)\"}\n{\"id\":\"b\",\"text\":\"'=already\"}\n"
                           "{\"id\":\"c\",\"text\":\"'plain\"}\n{\"id\":\"d\",\"text\":\"-2\",\"label\":\"spam\"}\n");
  ASSERT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, {}).ok());
  std::ostringstream out;
  ASSERT_TRUE(ExportProject(*store_, project_, &kCsvFormat, out, {}).ok());
  EXPECT_NE(out.str().find("\n=1+1,\"'@SUM(A1)\""), std::string::npos) << out.str();
  Project q;
  q.name = "q";
  q.labels = project_.labels;
  q = *store_->CreateProject(q);
  ASSERT_TRUE(ImportFile(*store_, q, Write("f.csv", out.str()), &kCsvFormat, {}).ok());
  for (const char* id : {"=1+1", "b", "c", "d"}) {
    EXPECT_EQ((*store_->FindItem(q.id, id))->text, (*store_->FindItem(project_.id, id))->text) << id;
  }
}

}  // namespace
}  // namespace hitloop::io
