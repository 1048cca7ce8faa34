// hitloop's Label Studio export against Label Studio's own import checks, and what it carries.
//
// LabelStudioAccepts() restates, in C++, the checks Label Studio runs on an imported task list
// (HumanSignal/label-studio: label_studio/tasks/validation.py TaskValidator.validate/check_data
// and to_internal_value; label_studio/data_import/serializers.py / tasks/serializers.py
// _insert_valid_completed_by): a non-empty list of dicts; each with a dict `data` holding every
// key the label config reads (`$text` for <Text>, str/int/float); `annotations` a list of dicts
// each with a list `result`; `predictions` a list of dicts with `result`; `meta` a dict or list;
// `completed_by` absent (the importing user), or {"email": a member's} or a member's numeric id
// — a name is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/exporter.h"
#include "io/format.h"
#include "io/importer.h"
#include "support/temp_dir.h"

namespace hitloop::io {
namespace {

using nlohmann::json;

// "" when Label Studio would import `tasks` into a project whose config reads `text_key` and
// whose members have `member_emails`/`member_ids`; else why not.
std::string LabelStudioAccepts(const json& tasks, const std::string& text_key,
                               const std::vector<std::string>& member_emails, const std::vector<int64_t>& member_ids) {
  if (!tasks.is_array()) return "data is not a list";
  if (tasks.empty()) return "data is empty";
  for (size_t i = 0; i < tasks.size(); ++i) {
    const json& t = tasks[i];
    const std::string at = "item " + std::to_string(i) + ": ";
    if (!t.is_object()) return at + "Task root must be dict";
    if (!t.contains("data")) return at + "no data (would be read as a flat task)";
    const json& data = t["data"];
    if (!data.is_object()) return at + "Task[data] must be dict";
    if (!data.contains(text_key)) return at + "\"" + text_key + "\" key is expected in task data";
    if (!(data[text_key].is_string() || data[text_key].is_number())) return at + "text of wrong type";
    if (t.contains("annotations")) {
      if (!t["annotations"].is_array()) return at + "Task[annotations] must be list";
      for (const auto& a : t["annotations"]) {
        if (!a.is_object()) continue;  // logged and skipped by Label Studio
        if (!a.contains("result")) return at + "Annotation must have \"result\" fields";
        if (!a["result"].is_array()) return at + "\"result\" field in annotation must be list";
        if (a.contains("completed_by") && !a["completed_by"].is_null()) {
          const json& cb = a["completed_by"];
          if (cb.is_object()) {
            if (!cb.contains("email")) return at + "It's expected to have 'email' field in 'completed_by'";
            if (!cb["email"].is_string() || std::find(member_emails.begin(), member_emails.end(),
                                                      cb["email"].get<std::string>()) == member_emails.end()) {
              return at + "Unknown annotator's email";
            }
          } else if (cb.is_number_integer()) {
            if (std::find(member_ids.begin(), member_ids.end(), cb.get<int64_t>()) == member_ids.end()) {
              return at + "unknown annotator id";
            }
          } else {
            return at + "completed_by must be an email object or a member id";
          }
        }
      }
    }
    if (t.contains("predictions")) {
      if (!t["predictions"].is_array()) return at + "Task[predictions] must be list";
      for (const auto& p : t["predictions"]) {
        if (!p.is_object()) continue;
        if (!p.contains("result")) return at + "Prediction must have \"result\" fields";
        if (p.contains("score") && !p["score"].is_null() && !p["score"].is_number()) return at + "score must be a number";
        if (p.contains("model_version") && !p["model_version"].is_string()) return at + "model_version must be a string";
      }
    }
    if (t.contains("meta") && !(t["meta"].is_object() || t["meta"].is_array())) return at + "Task[meta] must be dict";
  }
  return "";
}

class LabelStudioExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenSqliteStore(dir_.File("db"))).value();
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
  json ExportLs(const Project& p) {
    std::ostringstream out;
    auto r = ExportProject(*store_, *store_->GetProjectById(p.id), &kLabelStudioFormat, out, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return json::parse(out.str());
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

// The checker itself refuses what Label Studio refuses (so the test below can fail).
TEST_F(LabelStudioExportTest, CheckerRefusesWhatLabelStudioRefuses) {
  EXPECT_EQ(LabelStudioAccepts(json::array(), "text", {}, {}), "data is empty");
  json named = json::parse(R"([{"data":{"text":"x"},"annotations":[{"result":[],"completed_by":"alice"}]}])");
  EXPECT_NE(LabelStudioAccepts(named, "text", {}, {}), "") << "a name as completed_by (hitloop's old export)";
  json no_text = json::parse(R"([{"data":{"body":"x"}}])");
  EXPECT_NE(LabelStudioAccepts(no_text, "text", {}, {}), "");
  json ok = json::parse(R"([{"data":{"text":"x"},"annotations":[{"result":[],"completed_by":{"email":"a@b"}}]}])");
  EXPECT_EQ(LabelStudioAccepts(ok, "text", {"a@b"}, {}), "");
}

TEST_F(LabelStudioExportTest, ExportPassesLabelStudioImportChecks) {
  std::string path = Write("in.jsonl",
      "{\"id\":\"h\",\"text\":\"human\",\"label\":\"spam\",\"annotator\":\"alice\"}\n"
      "{\"id\":\"m\",\"text\":\"model\",\"label\":\"ham\",\"label_source\":\"model\",\"annotator\":\"v7\",\"confidence\":0.97}\n"
      "{\"id\":\"r\",\"text\":\"rule\",\"label\":\"spam\",\"label_source\":\"rule\",\"annotator\":\"has-url\"}\n"
      "{\"id\":\"g\",\"text\":\"gold\",\"label\":\"ham\",\"annotator\":\"bob\",\"split\":\"gold\"}\n"
      "{\"id\":\"u\",\"text\":\"unlabelled\",\"prediction\":{\"label\":\"spam\",\"score\":0.6,\"model\":\"v7\"},\"meta\":{\"src\":\"web\"}}\n");
  ASSERT_TRUE(ImportFile(*store_, project_, path, &kJsonlFormat, {}).ok());
  json tasks = ExportLs(project_);
  EXPECT_EQ(LabelStudioAccepts(tasks, "text", {}, {}), "") << tasks.dump(1);
  ASSERT_EQ(tasks.size(), 5u);
  std::map<std::string, json> by_id;
  for (const auto& t : tasks) by_id[t["meta"]["hitloop"]["id"].get<std::string>()] = t;
  for (const auto& t : tasks) {
    for (const auto& a : t["annotations"]) EXPECT_FALSE(a.contains("completed_by")) << "Label Studio assigns the importing user";
  }
  // Only gold items carry ground_truth.
  EXPECT_EQ(by_id["g"]["annotations"][0]["ground_truth"], true);
  EXPECT_EQ(by_id["h"]["annotations"][0]["ground_truth"], false);
  // Model and rule labels are predictions, never people's annotations.
  for (const char* id : {"m", "r"}) {
    EXPECT_TRUE(by_id[id]["annotations"].empty()) << id;
    ASSERT_EQ(by_id[id]["predictions"].size(), 1u) << id;
  }
  EXPECT_EQ(by_id["m"]["predictions"][0]["model_version"], "v7");
  EXPECT_EQ(by_id["m"]["predictions"][0]["score"], 0.97);
  EXPECT_EQ(by_id["m"]["predictions"][0]["result"][0]["value"]["choices"][0], "ham");
  EXPECT_EQ(by_id["r"]["predictions"][0]["model_version"], "has-url");
  EXPECT_EQ(by_id["u"]["predictions"][0]["score"], 0.6);
  EXPECT_EQ(by_id["u"]["meta"]["src"], "web");
  // Provenance comes back: hitloop -> Label Studio -> hitloop keeps who answered and how.
  Project q;
  q.name = "q";
  q.labels = project_.labels;
  q = *store_->CreateProject(q);
  auto r = ImportFile(*store_, q, Write("ls.json", tasks.dump()), nullptr, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto m = **store_->FindItem(q.id, "m");
  EXPECT_EQ(m.labels, std::vector<std::string>{"ham"});
  ASSERT_TRUE(m.label_source.has_value());
  EXPECT_EQ(*m.label_source, LabelSource::kModel);
  EXPECT_EQ(m.label_annotator, "v7");
  EXPECT_EQ(m.state, ItemState::kAuto);
  auto h = **store_->FindItem(q.id, "h");
  EXPECT_EQ(h.label_annotator, "alice");
  ASSERT_TRUE(h.label_source.has_value());
  EXPECT_EQ(*h.label_source, LabelSource::kHuman);
  EXPECT_EQ((**store_->FindItem(q.id, "g")).split, Split::kGold);
  EXPECT_EQ(ExportLs(q), tasks);
}

// Ids are optional in Label Studio: data.external_id, the task id, else a content hash, so that
// importing the same file twice adds nothing.
TEST_F(LabelStudioExportTest, MissingIdsGetStableContentIds) {
  std::string path = Write("noid.json", R"([{"data":{"text":"one"}},{"data":{"text":"two","external_id":"x2"}},{"id":9,"data":{"text":"three"}}])");
  auto r = ImportFile(*store_, project_, path, nullptr, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 3);
  EXPECT_EQ(r->ids_generated, 1);
  EXPECT_TRUE((*store_->FindItem(project_.id, "x2")).has_value());
  EXPECT_TRUE((*store_->FindItem(project_.id, "9")).has_value());
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes[0].find("1 records had no id"), std::string::npos) << r->notes[0];
  auto again = ImportFile(*store_, project_, path, nullptr, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->existing, 3);
}

// The text is `text`, or the only string field that is not a URL, or --text-field (remembered
// for the project) — never a guess.
TEST_F(LabelStudioExportTest, TextFieldIsNeverAGuess) {
  std::string two = Write("two.json", R"([{"id":1,"data":{"title":"T","body":"B"}}])");
  auto r = ImportFile(*store_, project_, two, nullptr, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("several text fields (body, title)"), std::string::npos) << r.status().message();
  ImportOptions o;
  o.text_field = "body";
  r = ImportFile(*store_, project_, two, nullptr, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((**store_->FindItem(project_.id, "1")).text, "B");
  // Remembered: the next import of the project needs no flag.
  Project now = *store_->GetProjectById(project_.id);
  EXPECT_EQ(LoadIoSettings(now).text_field, "body");
  std::string more = Write("more.json", R"([{"id":2,"data":{"title":"T2","body":"B2"}}])");
  ASSERT_TRUE(ImportFile(*store_, now, more, nullptr, {}).ok());
  EXPECT_EQ((**store_->FindItem(project_.id, "2")).text, "B2");
  // The other field is kept and written back.
  json out = ExportLs(now);
  EXPECT_EQ(out[1]["data"]["title"], "T2");
  EXPECT_EQ(out[1]["data"]["body"], "B2");
  EXPECT_FALSE(out[1]["data"].contains("text"));
}

TEST_F(LabelStudioExportTest, CompletionsOfVersionOneAndCancelledAndGroundTruth) {
  std::string path = Write("v1.json", R"([{"id":1,"data":{"text":"x"},"completions":[
      {"result":[{"from_name":"c","to_name":"t","type":"choices","value":{"choices":["ham"]}}],"completed_by":{"email":"a@x"}},
      {"result":[{"type":"choices","value":{"choices":["spam"]}}],"ground_truth":true,"completed_by":7},
      {"result":[{"type":"choices","value":{"choices":["ham"]}}],"was_cancelled":true}]}])");
  auto r = ImportFile(*store_, project_, path, nullptr, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->labels, 2);
  auto item = **store_->FindItem(project_.id, "1");
  EXPECT_EQ(item.labels, std::vector<std::string>{"spam"}) << "ground truth is the label";
  EXPECT_EQ(item.label_annotator, "label-studio-user-7");
  bool noted = false;
  for (const auto& n : r->notes) noted = noted || n == "1 cancelled annotations: not imported";
  EXPECT_TRUE(noted) << ::testing::PrintToString(r->notes);
}

}  // namespace
}  // namespace hitloop::io
