// Runs the HTTP scenario files in tests/http/*.scenario, one fresh in-process server each.
//
// Scenario language (one statement per line, '#' comments):
//   project NAME LABEL,LABEL|- [TYPE]            TYPE: multi-label, pairwise, ranking (items: a prompt
//                                                with 2 / 3 responses); "-": no labels (criteria)
//   user NAME ROLE POOL,POOL [PROJECT,PROJECT]
//   items PROJECT N [pool=P] [overlap=K] [kind=review|audit|adjudicate] [prefix=i] [priority=B]
//                                                priorities B+N .. B+1 in item order
//   prediction PROJECT ITEM LABEL CONFIDENCE
//   clock +N(ms|s)                               advance the fake clock
//   as USER[ key=K]: METHOD PATH [JSON] -> STATUS [save VAR=json.path]... [expect json.path=JSON]...
//       USER "anonymous" sends no credentials; {VAR} is replaced in PATH and JSON.
//   annotations PROJECT ITEM N                   the item's history has exactly N annotations
//   label PROJECT ITEM LABEL                     the item's current label
//   config PROJECT JSON                          the project's loop config (before the first request)
//   gold PROJECT N LABEL [prefix=g]              N gold items (known answer LABEL) as gold questions
//   split PROJECT ITEM gold|pool                 the item's split ({VAR} is replaced in ITEM)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "loop/config.h"
#include "unit/server/server_fixture.h"
#include "support/paths.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) {
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

const nlohmann::json* JsonPath(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json* cur = &j;
  for (const auto& part : Split(path, '.')) {
    if (cur->is_object() && cur->contains(part)) {
      cur = &(*cur)[part];
    } else if (cur->is_array() && std::all_of(part.begin(), part.end(), ::isdigit) &&
               std::stoul(part) < cur->size()) {
      cur = &(*cur)[std::stoul(part)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

class Scenario {
 public:
  explicit Scenario(std::string file) : file_(std::move(file)) {}

  void Run() {
    std::ifstream in(file_);
    ASSERT_TRUE(in.good()) << file_;
    std::string line;
    int no = 0;
    while (std::getline(in, line)) {
      ++no;
      line = Trim(line);
      if (line.empty() || line[0] == '#') continue;
      SCOPED_TRACE(file_ + ":" + std::to_string(no) + ": " + line);
      Step(line);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  std::string Subst(std::string s) {
    for (const auto& [k, v] : vars_) {
      std::string pat = "{" + k + "}";
      size_t pos;
      while ((pos = s.find(pat)) != std::string::npos) s.replace(pos, pat.size(), v);
    }
    return s;
  }

  void EnsureStarted() {
    if (!started_) {
      f_.Start(ttl_ms_);
      started_ = true;
    }
  }

  Item GetItem(const std::string& project, const std::string& ext) {
    auto p = f_.store().GetProject(project);
    EXPECT_TRUE(p.ok());
    auto it = f_.store().FindItem(p->id, ext);
    EXPECT_TRUE(it.ok() && it->has_value()) << "no item " << ext;
    return it.ok() && it->has_value() ? **it : Item{};
  }

  void Step(const std::string& line) {
    auto words = Split(line, ' ');
    const std::string& cmd = words[0];
    if (cmd == "lease-ttl") {
      ttl_ms_ = std::stoll(words.at(1)) * 1000;
    } else if (cmd == "project") {
      // project NAME LABELS [TYPE]: LABELS "-" = none (a pairwise project without criteria).
      TaskType type = TaskType::kSingleLabel;
      if (words.size() > 3) {
        auto t = ParseTaskType(words[3]);
        ASSERT_TRUE(t.ok()) << words[3];
        type = *t;
      }
      f_.AddProject(words.at(1), words.at(2) == "-" ? std::vector<std::string>{} : Split(words.at(2), ','), type);
    } else if (cmd == "user") {
      auto role = ParseRole(words.at(2));
      ASSERT_TRUE(role.ok());
      f_.AddUser(words.at(1), *role, Split(words.at(3), ','),
                 words.size() > 4 ? Split(words[4], ',') : std::vector<std::string>{});
    } else if (cmd == "items") {
      std::map<std::string, std::string> kv = {{"pool", "general"}, {"overlap", "1"}, {"kind", "review"}, {"prefix", "i"},
                                                   {"priority", "0"}};
      for (size_t i = 3; i < words.size(); ++i) {
        auto eq = words[i].find('=');
        ASSERT_NE(eq, std::string::npos) << words[i];
        kv[words[i].substr(0, eq)] = words[i].substr(eq + 1);
      }
      auto p = f_.store().GetProject(words.at(1));
      ASSERT_TRUE(p.ok());
      f_.AddQueuedItems(*p, std::stoi(words.at(2)), kv["pool"], std::stoi(kv["overlap"]), kv["kind"], kv["prefix"],
                        std::stod(kv["priority"]));
    } else if (cmd == "prediction") {
      Item it = GetItem(words.at(1), words.at(2));
      auto p = f_.store().GetProject(words.at(1));
      Prediction pr;
      pr.item_id = it.id;
      pr.model_version = "m1";
      pr.label = words.at(3);
      pr.confidence = std::stod(words.at(4));
      for (const auto& l : p->labels) pr.distribution.push_back(l == pr.label ? pr.confidence : (1 - pr.confidence) / (p->labels.size() - 1));
      ASSERT_TRUE(f_.store().PutPrediction(pr).ok());
    } else if (cmd == "clock") {
      std::string amount = words.at(1);
      ASSERT_EQ(amount[0], '+');
      int64_t n = std::stoll(amount.substr(1));
      if (amount.size() > 2 && amount.substr(amount.size() - 2) == "ms") f_.clock().Advance(n);
      else f_.clock().Advance(n * 1000);
    } else if (cmd == "annotations") {
      Item it = GetItem(words.at(1), words.at(2));
      auto h = f_.store().ListAnnotations(it.id);
      ASSERT_TRUE(h.ok());
      EXPECT_EQ(static_cast<int>(h->size()), std::stoi(words.at(3)));
    } else if (cmd == "label") {
      Item it = GetItem(words.at(1), words.at(2));
      ASSERT_EQ(it.labels.size(), 1u);
      EXPECT_EQ(it.labels[0], words.at(3));
    } else if (cmd == "config") {
      auto p = f_.store().GetProject(words.at(1));
      ASSERT_TRUE(p.ok());
      const std::string json = line.substr(line.find(words.at(1)) + words.at(1).size());
      auto merged = loop::MergeLoopConfig(p->config_json, json);
      ASSERT_TRUE(merged.ok()) << merged.status().ToString();
      ASSERT_TRUE(f_.store().SetProjectConfig(p->id, *merged).ok());
    } else if (cmd == "gold") {
      auto p = f_.store().GetProject(words.at(1));
      ASSERT_TRUE(p.ok());
      const std::string prefix = words.size() > 4 && words[4].rfind("prefix=", 0) == 0 ? words[4].substr(7) : "g";
      for (int i = 1; i <= std::stoi(words.at(2)); ++i) {
        Item it;  // shaped like the fixture's queued items: nothing tells them apart
        it.project_id = p->id;
        it.external_id = prefix + std::to_string(i);
        it.text = "text of " + it.external_id;
        it.meta_json = R"({"source":"test"})";
        it.content_hash = "h-" + p->name + "-" + it.external_id;
        it.split = Split::kGold;
        int64_t id = 0;
        ASSERT_TRUE(f_.store().PutItem(it, "", &id).ok());
        Annotation a;
        a.item_id = id;
        a.labels = {words.at(3)};
        a.annotator = "import";
        a.kind = "import";
        ASSERT_TRUE(f_.store().AppendAnnotation(a).ok());
      }
      ASSERT_TRUE(f_.store().EnsureGoldQueue(p->id).ok());
    } else if (cmd == "split") {
      Item it = GetItem(words.at(1), Subst(words.at(2)));
      EXPECT_EQ(SplitName(it.split), words.at(3));
    } else if (cmd == "as") {
      Request(line);
    } else {
      FAIL() << "unknown statement '" << cmd << "'";
    }
  }

  // as USER[ key=K]: METHOD PATH [JSON] -> STATUS [save V=path]... [expect path=JSON]...
  void Request(const std::string& line) {
    EnsureStarted();
    size_t colon = line.find(':');
    size_t arrow = line.rfind(" -> ");
    ASSERT_NE(colon, std::string::npos);
    ASSERT_NE(arrow, std::string::npos);
    auto who = Split(line.substr(3, colon - 3), ' ');
    std::string user = who.at(0) == "anonymous" ? "" : who.at(0);
    httplib::Headers headers;
    for (size_t i = 1; i < who.size(); ++i) {
      if (who[i].rfind("key=", 0) == 0) headers.emplace("Idempotency-Key", who[i].substr(4));
    }
    std::string req = Trim(line.substr(colon + 1, arrow - colon - 1));
    size_t sp1 = req.find(' ');
    std::string method = req.substr(0, sp1);
    std::string rest = Trim(req.substr(sp1 + 1));
    size_t sp2 = rest.find(' ');
    std::string path = Subst(rest.substr(0, sp2));
    std::string body = sp2 == std::string::npos ? "" : Subst(Trim(rest.substr(sp2 + 1)));
    auto reply = f_.Call(user, method, path, body, headers);
    // "STATUS (save V=path | expect path=JSON)*": clauses start at " save " / " expect ", so
    // expected JSON may contain spaces.
    std::string rest_out = " " + Trim(line.substr(arrow + 4));
    std::vector<std::pair<std::string, std::string>> clauses;  // (kind, arg)
    size_t pos = 1;
    size_t first = rest_out.find(' ', 1);
    int want_status = std::stoi(rest_out.substr(1, first == std::string::npos ? std::string::npos : first - 1));
    pos = first;
    while (pos != std::string::npos && pos < rest_out.size()) {
      size_t next_save = rest_out.find(" save ", pos + 1), next_expect = rest_out.find(" expect ", pos + 1);
      size_t next = std::min(next_save, next_expect);
      std::string clause = Trim(rest_out.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
      size_t sp = clause.find(' ');
      ASSERT_NE(sp, std::string::npos) << clause;
      clauses.emplace_back(clause.substr(0, sp), Trim(clause.substr(sp + 1)));
      pos = next;
    }
    EXPECT_EQ(reply.status, want_status) << reply.body;
    nlohmann::json j = reply.json();
    for (const auto& [what, arg] : clauses) {
      size_t eq = arg.find('=');
      ASSERT_NE(eq, std::string::npos) << arg;
      if (what == "save") {
        const nlohmann::json* v = JsonPath(j, arg.substr(eq + 1));
        ASSERT_NE(v, nullptr) << "no " << arg.substr(eq + 1) << " in " << reply.body;
        vars_[arg.substr(0, eq)] = v->is_string() ? v->get<std::string>() : v->dump();
      } else if (what == "expect") {
        const nlohmann::json* v = JsonPath(j, arg.substr(0, eq));
        auto want = nlohmann::json::parse(Subst(arg.substr(eq + 1)), nullptr, false);
        ASSERT_FALSE(want.is_discarded()) << "bad JSON in expect: " << arg;
        ASSERT_NE(v, nullptr) << "no " << arg.substr(0, eq) << " in " << reply.body;
        EXPECT_EQ(*v, want) << arg.substr(0, eq) << " in " << reply.body;
      } else {
        FAIL() << "unknown clause '" << what << "'";
      }
    }
  }

  std::string file_;
  ServerFixture f_;
  bool started_ = false;
  int64_t ttl_ms_ = 60'000;
  std::map<std::string, std::string> vars_;
};

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(HITLOOP_SOURCE_DIR) + "/tests/http")) {
    if (e.path().extension() == ".scenario") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class HttpScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(HttpScenario, Passes) { Scenario(GetParam()).Run(); }

INSTANTIATE_TEST_SUITE_P(Files, HttpScenario, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = std::filesystem::path(info.param).stem().string();
                           for (auto& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(HttpScenarioFiles, AtLeastOneScenario) { EXPECT_GE(ScenarioFiles().size(), 5u); }

}  // namespace
}  // namespace hitloop
