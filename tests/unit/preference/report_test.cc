#include "preference/report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/importer.h"
#include "support/comparisons.h"
#include "support/temp_dir.h"

namespace hitloop::preference {
namespace {

// 60 prompts; response A is polite and B rude in even items, swapped in odd ones. Three people
// answer: p1 and p2 always pick the polite one (p1 "much", p2 "slightly"); p3 picks the polite one
// except on items 0-4, where p3 disagrees. Display orders are recorded as "AB" (polite on the
// left in even items).
class PreferenceReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = testing::MakePairwiseProject(dir_.File("db"), &store_);
    const std::string file = dir_.File("in.jsonl");
    {
      std::ofstream out(file);
      for (int i = 0; i < 60; ++i) {
        const std::string polite = "thank you kindly, here is a careful answer number " + std::to_string(i);
        const std::string rude = "no, figure it out yourself, idiot " + std::to_string(i);
        nlohmann::json r = {{"id", "q" + std::to_string(i)},
                            {"prompt", "question " + std::to_string(i)},
                            {"responses", i % 2 == 0 ? nlohmann::json{polite, rude} : nlohmann::json{rude, polite}}};
        out << r.dump() << "\n";
      }
    }
    ASSERT_TRUE(io::ImportFile(*store_, project_, file, nullptr, {}).ok());
    for (int i = 0; i < 60; ++i) {
      auto item = store_->FindItem(project_.id, "q" + std::to_string(i));
      ASSERT_TRUE(item.ok() && item->has_value());
      const std::string polite_wins = i % 2 == 0 ? "A>B" : "B>A";
      const std::string rude_wins = i % 2 == 0 ? "B>A" : "A>B";
      Answer("p1", (*item)->id, polite_wins + "/much", 10 + i);
      Answer("p2", (*item)->id, polite_wins + "/slightly", 100 + i);
      Answer("p3", (*item)->id, i < 5 ? rude_wins : polite_wins, 200 + i);
    }
  }
  void Answer(const std::string& who, int64_t item, const std::string& label, int64_t at) {
    testing::AppendComparison(*store_, item, who, {label, "shown:AB"}, at);
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_F(PreferenceReportTest, AgreementBiasModelAndDisputesPerCriterion) {
  auto r = BuildPreferenceReport(*store_, project_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->criteria.size(), 1u);
  const CriterionReport& c = r->criteria[0];
  EXPECT_EQ(c.answers, 180);
  EXPECT_EQ(c.annotators, 3);
  // Per item three pairs of people; items 0-4 agree on 1 of 3 pairs, the others on 3 of 3.
  EXPECT_EQ(c.agreement.pairs, 180);
  EXPECT_NEAR(c.agreement.rate, (55 * 3 + 5 * 1) / 180.0, 1e-12);
  // Left (response A) wins in even items for p1 and p2 (30 each) and, for p3, in the 27 even
  // items from 6 to 58 plus the odd items 1 and 3 (where p3 chose the rude A): 89.
  EXPECT_EQ(c.position_bias.decided, 180);
  EXPECT_EQ(c.position_bias.left_wins, 89);
  EXPECT_TRUE(c.model_measured);
  EXPECT_GT(c.heldout.pairs, 0);
  EXPECT_GT(c.heldout.accuracy, 0.6);
  // Buckets: p3 gave no strength, p1 much, p2 slightly; their pairs add up to the held-out pairs.
  int64_t bucket_pairs = 0;
  for (const auto& s : c.by_strength) bucket_pairs += s.pairs;
  EXPECT_EQ(bucket_pairs, c.heldout.pairs);
  // The disputed prompts are items 0-4 (2 of 3 agree with the resolved, polite order).
  ASSERT_EQ(c.disputed.size(), 5u);
  for (const auto& d : c.disputed) {
    EXPECT_NEAR(d.agreement, 2.0 / 3.0, 1e-12);
    EXPECT_EQ(d.answers, 3);
    const int i = std::stoi(d.item.substr(1));
    EXPECT_LT(i, 5);
    EXPECT_EQ(d.resolved, i % 2 == 0 ? "A>B" : "B>A");
  }
  const auto j = nlohmann::json::parse(PreferenceReportToJson(*r));
  EXPECT_EQ(j["kind"], "preferences");
  EXPECT_EQ(j["criteria"][0]["disputed"].size(), 5u);
  EXPECT_NE(PreferenceReportToText(*r).find("most disputed prompts"), std::string::npos);
}

TEST_F(PreferenceReportTest, RefusesLabelProjects) {
  Project p;
  p.name = "labels";
  p.type = TaskType::kSingleLabel;
  p.labels = {"a", "b"};
  p = *store_->CreateProject(p);
  EXPECT_EQ(BuildPreferenceReport(*store_, p).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hitloop::preference
