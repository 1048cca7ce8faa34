// Every real file in tests/data/interop (see its README for where each comes from) imports
// faithfully or is refused with a reason; none stores a wrong label or a wrong text; each format
// round-trips (import -> export -> import gives the same project).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::io {
namespace {

using nlohmann::json;

std::string InteropFile(const std::string& rel) { return std::string(HITLOOP_SOURCE_DIR) + "/tests/data/interop/" + rel; }

std::vector<json> JsonLines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

class InteropFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  Project Make(const std::vector<std::string>& labels, TaskType type = TaskType::kSingleLabel) {
    Project p;
    p.name = "p" + std::to_string(++n_);
    p.labels = labels;
    p.type = type;
    auto r = store_->CreateProject(p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }
  Project Reload(const Project& p) { return *store_->GetProjectById(p.id); }
  Result<ImportStats> Import(const Project& p, const std::string& path, Format f = nullptr,
                             const ImportOptions& o = {}) {
    return ImportFile(*store_, Reload(p), path, f, o);
  }
  std::string Export(const Project& p, Format f) {
    std::ostringstream out;
    auto r = ExportProject(*store_, Reload(p), f, out, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return out.str();
  }
  std::string Write(const std::string& name, const std::string& body) {
    std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << body;
    return path;
  }
  Item Find(const Project& p, const std::string& id) {
    auto r = store_->FindItem(p.id, id);
    EXPECT_TRUE(r.ok() && r->has_value()) << id;
    return r.ok() && r->has_value() ? **r : Item();
  }
  std::vector<Item> Items(const Project& p) {
    std::vector<Item> out;
    EXPECT_TRUE(store_->ScanItems(p.id, [&](const Item& it) { out.push_back(it); return true; }).ok());
    return out;
  }
  // id -> (text, labels, split): what every format must carry.
  std::map<std::string, std::tuple<std::string, std::vector<std::string>, Split>> Core(const Project& p) {
    std::map<std::string, std::tuple<std::string, std::vector<std::string>, Split>> out;
    for (const Item& it : Items(p)) out[it.external_id] = {it.text, it.labels, it.split};
    return out;
  }
  bool HasNote(const ImportStats& s, const std::string& part) {
    for (const auto& n : s.notes) {
      if (n.find(part) != std::string::npos) return true;
    }
    return false;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  int n_ = 0;
};

TEST_F(InteropFilesTest, LabelStudioTasksWithAnnotationsAndPredictions) {
  Project p = Make({"class_A", "class_B", "class_TESTING", "class_PREDICTIONS_TESTING"});
  auto r = Import(p, InteropFile("label-studio/tasks_annotations_predictions.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->format, "label-studio");
  EXPECT_EQ(r->inserted, 6);
  EXPECT_EQ(r->ids_generated, 6) << "no task has an id";
  EXPECT_EQ(r->labels, 4) << "every annotation: 1 + 2 + 1";
  EXPECT_EQ(r->predictions, 3);
  std::set<std::string> texts;
  for (const Item& it : Items(p)) texts.insert(it.text);
  EXPECT_EQ(texts, (std::set<std::string>{"Test example phrase 1", "x2", "yoyo", "zzz", "vivi", "opop"}));
  for (const Item& it : Items(p)) {
    if (it.text == "x2") {
      EXPECT_EQ(store_->ListAnnotations(it.id)->size(), 2u) << "both people's answers";
      EXPECT_EQ(it.labels, std::vector<std::string>{"class_A"});
    }
    if (it.text == "yoyo") { EXPECT_EQ(it.labels, std::vector<std::string>{"class_TESTING"}); }
    if (it.text == "zzz") { EXPECT_TRUE(it.labels.empty()); }
    if (it.text == "Test example phrase 1") {
      EXPECT_EQ(json::parse(it.meta_json)["hitloop"]["data"]["int_field"], 1) << it.meta_json;
    }
    if (it.text == "opop") {
      auto pred = *store_->LatestPrediction(it.id);
      ASSERT_TRUE(pred.has_value());
      EXPECT_EQ(pred->label, "class_PREDICTIONS_TESTING");
    }
  }
  // A missing prediction score stays missing on the way out.
  std::string jsonl = Export(p, &kJsonlFormat);
  for (const auto& line : JsonLines(Write("x.jsonl", jsonl))) {
    if (line.contains("prediction")) { EXPECT_FALSE(line["prediction"].contains("score")) << line.dump(); }
  }
  // Content-hash ids: importing the file again adds nothing.
  auto again = Import(p, InteropFile("label-studio/tasks_annotations_predictions.json"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->existing, 6);
  EXPECT_EQ(again->inserted, 0);
}

TEST_F(InteropFilesTest, LabelStudioEveryPredictionIsKept) {
  Project p = Make({"class_A", "class_B"});
  auto r = Import(p, InteropFile("label-studio/text_with_2_predictions.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->predictions, 2);
  Item it = Items(p).at(0);
  EXPECT_EQ(it.text, "Test example phrase");
  EXPECT_EQ((*store_->LatestPrediction(it.id))->label, "class_B");
  EXPECT_EQ((*store_->LatestPrediction(it.id))->model_version, "model_version_B");
}

TEST_F(InteropFilesTest, LabelStudioImageTasksAreRefusedWithAReason) {
  Project p = Make({"Cat", "Dog"});
  for (const char* f : {"label-studio/previous_export.json", "label-studio/previous_export_unknown_completed_by.json"}) {
    auto r = Import(p, InteropFile(f));
    ASSERT_FALSE(r.ok()) << f;
    EXPECT_NE(r.status().message().find("data: no text, only URLs (image)"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("--text-field"), std::string::npos);
    EXPECT_TRUE(Items(p).empty());
  }
}

TEST_F(InteropFilesTest, LabelStudioFlatTasks) {
  Project p = Make({"a"});
  auto r = Import(p, InteropFile("label-studio/text_with_2_tasks.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 2);
  auto h = Import(p, InteropFile("label-studio/humor_dataset_0_annotations.json"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->inserted, 2);
  std::set<std::string> texts;
  for (const Item& it : Items(p)) texts.insert(it.text);
  EXPECT_TRUE(texts.count("Example 1") && texts.count("Example 2"));
  EXPECT_TRUE(texts.count("Watch: darvish gave hitter whiplash with slow pitch"));
}

// The SDK's sample: the text is in `my_text` (the only string field), controls are named
// sentiment_class/message; both are remembered and written back.
TEST_F(InteropFilesTest, LabelStudioTextFieldRuleAndControlNames) {
  Project p = Make({"Positive", "Neutral", "Negative"});
  auto r = Import(p, InteropFile("label-studio/sdk_common_tasks_for_import.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Item it = Items(p).at(0);
  EXPECT_EQ(it.text, "Opossums are great");
  EXPECT_EQ(it.labels, std::vector<std::string>{"Positive"});
  auto pred = *store_->LatestPrediction(it.id);
  EXPECT_EQ(pred->label, "Neutral");
  EXPECT_DOUBLE_EQ(pred->confidence, 0.95);
  IoSettings s = LoadIoSettings(Reload(p));
  EXPECT_EQ(s.ls_from_name, "sentiment_class");
  EXPECT_EQ(s.ls_to_name, "message");
  json out = json::parse(Export(p, &kLabelStudioFormat));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["data"]["my_text"], "Opossums are great");
  EXPECT_EQ(out[0]["data"]["ref_id"], 456);
  EXPECT_EQ(out[0]["data"]["meta_info"]["location"], "North Pole");
  EXPECT_EQ(out[0]["annotations"][0]["result"][0]["from_name"], "sentiment_class");
  EXPECT_EQ(out[0]["annotations"][0]["result"][0]["to_name"], "message");
  EXPECT_EQ(out[0]["predictions"][0]["score"], 0.95);
}

TEST_F(InteropFilesTest, LabelStudioConverterFixtures) {
  Project p = Make({"Positive", "Negative", "Car"});
  auto r = Import(p, InteropFile("label-studio-converter/csv_test.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 2);
  EXPECT_EQ(r->labels, 0) << "rectangles are not classification labels";
  EXPECT_TRUE(HasNote(*r, "2 tasks had only rectanglelabels results: no label")) << ::testing::PrintToString(r->notes);
  EXPECT_EQ(Find(p, "1").text.rfind("Calif. wildfires", 0), 0u);
  auto h = Import(p, InteropFile("label-studio-converter/csv_test_history.json"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  Item it = Find(p, "6141");
  EXPECT_EQ(it.labels, std::vector<std::string>{"Positive"});
  EXPECT_EQ(it.label_annotator, "sergei@heartex.e2e");
}

TEST_F(InteropFilesTest, DoccanoAllThreeShapes) {
  for (const char* ext : {"jsonl", "json", "csv"}) {
    Project p = Make({"negative", "positive"});
    auto r = Import(p, InteropFile(std::string("doccano/data_export__pipeline__examples__text_classification__example.") + ext));
    ASSERT_TRUE(r.ok()) << ext << ": " << r.status().ToString();
    EXPECT_EQ(r->format, "doccano") << ext;
    EXPECT_EQ(r->inserted, 3);
    EXPECT_EQ(r->labels, 3);
    std::map<std::string, std::string> got;
    for (const Item& it : Items(p)) got[it.text] = it.labels.at(0);
    EXPECT_EQ(got, (std::map<std::string, std::string>{{"Terrible customer service.", "negative"},
                                                        {"Really great transaction.", "positive"},
                                                        {"Great price.", "positive"}}))
        << ext;
  }
}

// 525 of the 830 examples were rejected: none of them may become DOCUMENTATION.
TEST_F(InteropFilesTest, ProdigyRejectIsNeverTheLabel) {
  const std::string file = InteropFile("prodigy-recipes/annotated_github-issues-DOCUMENTATION-textcat.jsonl");
  std::map<std::string, std::string> answer_of;  // task hash -> answer
  for (const auto& j : JsonLines(file)) answer_of[std::to_string(j["_task_hash"].get<int64_t>())] = j["answer"];
  {
    Project one = Make({"DOCUMENTATION"});
    auto r = Import(one, file);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->format, "prodigy");
    EXPECT_EQ(r->inserted, 830);
    EXPECT_EQ(r->labels, 261);
    EXPECT_TRUE(HasNote(*r, "525 rejected examples: not stored")) << ::testing::PrintToString(r->notes);
    EXPECT_TRUE(HasNote(*r, "44 ignored examples")) << ::testing::PrintToString(r->notes);
    for (const Item& it : Items(one)) {
      if (!it.labels.empty()) { EXPECT_EQ(answer_of[it.external_id], "accept") << it.external_id; }
    }
  }
  {
    Project two = Make({"DOCUMENTATION", "NOT_DOCUMENTATION"});
    auto r = Import(two, file);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->labels, 786);
    int doc = 0, not_doc = 0;
    for (const Item& it : Items(two)) {
      const std::string& a = answer_of[it.external_id];
      if (a == "ignore") {
        EXPECT_TRUE(it.labels.empty());
        continue;
      }
      ASSERT_EQ(it.labels.size(), 1u);
      EXPECT_EQ(it.labels[0], a == "accept" ? "DOCUMENTATION" : "NOT_DOCUMENTATION") << it.external_id;
      (it.labels[0] == "DOCUMENTATION" ? doc : not_doc)++;
    }
    EXPECT_EQ(doc, 261);
    EXPECT_EQ(not_doc, 525);
  }
}

// One line per annotator: 3,372 lines, 117 tasks, 42 people. Every answer is kept, under its
// annotator; the item's label is the newest answer.
TEST_F(InteropFilesTest, ProdigySeveralAnnotatorsPerItem) {
  const std::string file = InteropFile("prodigy-recipes/pydata-ams-2023.jsonl");
  Project p = Make({"new-dataset", "other"});
  auto r = Import(p, file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 117);
  EXPECT_EQ(r->labels, 3093) << "1,705 accepted + 1,388 rejected answers";
  std::map<std::string, std::string> last;
  std::map<std::string, std::multiset<std::string>> people;
  for (const auto& j : JsonLines(file)) {
    const std::string id = std::to_string(j["_task_hash"].get<int64_t>());
    if (j["answer"] == "ignore") continue;
    last[id] = j["answer"] == "accept" ? "new-dataset" : "other";
    people[id].insert(j["_annotator_id"].get<std::string>());
  }
  for (const Item& it : Items(p)) {
    ASSERT_EQ(it.labels.size(), 1u) << it.external_id;
    EXPECT_EQ(it.labels[0], last[it.external_id]) << it.external_id;
    std::multiset<std::string> got;
    auto answers = store_->ListAnnotations(it.id);
    ASSERT_TRUE(answers.ok());
    for (const auto& a : *answers) got.insert(a.annotator);
    EXPECT_EQ(got, people[it.external_id]) << it.external_id;
  }
}

// import -> export -> import: the same project, in every format that has a writer.
TEST_F(InteropFilesTest, RoundTripEveryFormat) {
  struct Case {
    Format format;
    std::string file;
    std::vector<std::string> labels;
    bool full;     // the format carries everything hitloop's JSONL does
    bool answers;  // ... and every person's answer, not only the item's label
  };
  const std::vector<Case> cases = {
      {&kLabelStudioFormat, "label-studio/tasks_annotations_predictions.json",
       {"class_A", "class_B", "class_TESTING", "class_PREDICTIONS_TESTING"}, true, true},
      {&kLabelStudioFormat, "label-studio/sdk_common_tasks_for_import.json", {"Positive", "Neutral", "Negative"}, true, true},
      {&kLabelStudioFormat, "prodigy-recipes/pydata-ams-2023.jsonl", {"new-dataset", "other"}, true, true},
      {&kJsonlFormat, "label-studio/tasks_annotations_predictions.json",
       {"class_A", "class_B", "class_TESTING", "class_PREDICTIONS_TESTING"}, true, false},
      {&kCsvFormat, "prodigy-recipes/annotated_github-issues-DOCUMENTATION-textcat.jsonl",
       {"DOCUMENTATION", "NOT_DOCUMENTATION"}, true, true},
      {&kProdigyFormat, "prodigy-recipes/annotated_github-issues-DOCUMENTATION-textcat.jsonl",
       {"DOCUMENTATION", "NOT_DOCUMENTATION"}, false, false},
      {&kDoccanoFormat, "doccano/data_export__pipeline__examples__text_classification__example.jsonl",
       {"negative", "positive"}, false, false},
      {&kLabelStudioCsvFormat, "label-studio-converter/csv_test_history.json", {"Positive", "Negative"}, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.format->name) + " <- " + c.file);
    Project a = Make(c.labels);
    auto first = Import(a, InteropFile(c.file));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    const std::string out = Export(a, c.format);
    Project b = Make(c.labels);
    auto second = Import(b, Write(std::string("rt") + c.format->extension, out));
    ASSERT_TRUE(second.ok()) << second.status().ToString() << "\n" << out.substr(0, 2000);
    EXPECT_EQ(second->format, c.format->name) << "--format auto recognises our own export";
    EXPECT_EQ(Core(a), Core(b));
    if (c.full) { EXPECT_EQ(Export(a, &kJsonlFormat), Export(b, &kJsonlFormat)); }
    if (c.answers) {
      // Every person's answer survives.
      auto ia = Items(a), ib = Items(b);
      ASSERT_EQ(ia.size(), ib.size());
      for (size_t i = 0; i < ia.size(); ++i) {
        EXPECT_EQ(store_->ListAnnotations(ia[i].id)->size(), store_->ListAnnotations(ib[i].id)->size()) << ia[i].external_id;
      }
    }
    // And the export of the copy is the export of the original.
    EXPECT_EQ(out, Export(b, c.format));
  }
}

}  // namespace
}  // namespace hitloop::io
