#pragma once
// A store-backed project for loop tests: two classes told apart by their words, a pool and a
// gold split, and a helper that plays the people (claims every open entry and answers from gold
// through RecordAnswer).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "core/rng.h"
#include "loop/answer.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace hitloop::loop {

class LoopStoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.path() + "/hitloop.db");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Project p;
    p.name = "mail";
    p.labels = {"ham", "spam"};
    auto created = store_->CreateProject(p);
    ASSERT_TRUE(created.ok());
    project_ = *created;
  }

  void AddItems(int n, Split split, uint64_t seed, const std::string& meta = "{}") {
    static const char* kHam[] = {"meeting", "agenda", "report", "lunch", "project", "minutes", "budget", "team"};
    static const char* kSpam[] = {"winner", "prize", "viagra", "casino", "lottery", "cheap", "offer", "click"};
    Rng rng(seed);
    for (int i = 0; i < n; ++i) {
      const int y = static_cast<int>(rng.Below(2));
      std::string text;
      for (int w = 0; w < 6; ++w) text += std::string(y ? kSpam[rng.Below(8)] : kHam[rng.Below(8)]) + " ";
      text += "common words here " + std::to_string(rng.Below(5));
      Item it;
      it.project_id = project_.id;
      it.external_id = std::string(split == Split::kGold ? "g" : "p") + std::to_string(seed) + "-" + std::to_string(i);
      it.text = text;
      it.meta_json = meta;
      it.content_hash = it.external_id;
      it.split = split;
      int64_t id = 0;
      ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
      gold_[id] = y ? "spam" : "ham";
      if (split == Split::kGold) {
        Annotation a;
        a.item_id = id;
        a.labels = {gold_[id]};
        a.source = LabelSource::kHuman;
        a.annotator = "import";
        a.kind = "import";
        ASSERT_TRUE(store_->AppendAnnotation(a).ok());
      }
    }
  }

  // Claims and answers every open entry of `kinds` (empty = all) as `annotator`; `wrong` flips
  // the answer. Returns the number answered.
  int AnswerAll(const std::string& annotator, const std::vector<std::string>& kinds, bool wrong = false,
                const std::vector<std::string>& pools = {"general"}) {
    int answered = 0;
    for (;;) {
      ClaimRequest req;
      req.project_id = project_.id;
      req.annotator = annotator;
      req.pools = pools;
      req.kinds = kinds;
      req.now = now_;
      auto c = store_->Claim(req);
      EXPECT_TRUE(c.ok()) << c.status().ToString();
      if (!c.ok() || !c->has_value()) return answered;
      std::string label = gold_[(*c)->lease.item_id];
      if (wrong) label = label == "ham" ? "spam" : "ham";
      Answer ans;
      ans.labels = {label};
      const Status st = RecordAnswer(*store_, project_, (*c)->lease, annotator, ans, now_);
      EXPECT_TRUE(st.ok()) << st.ToString();
      ++answered;
    }
  }

  Project Reload() { return *store_->GetProject(project_.name); }

  // Open queue entries of `kind`.
  int OpenCount(const std::string& kind) {
    int n = 0;
    EXPECT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
      n += q.kind == kind;
      return true;
    }).ok());
    return n;
  }

  hitloop::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
  std::map<int64_t, std::string> gold_;
  int64_t now_ = 1'700'000'000'000;
};

}  // namespace hitloop::loop
