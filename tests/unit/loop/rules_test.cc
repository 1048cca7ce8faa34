#include "loop/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hitloop::loop {
namespace {

struct RulesFixture {
  std::vector<std::string> labels = {"ham", "spam"};
  std::vector<std::string> store;
  std::vector<std::string_view> texts;
  std::vector<int> train;
  void Add(std::string t, int y = -1) {
    store.push_back(std::move(t));
    train.push_back(y);
  }
  RuleInput Input(AutolabelConfig c = {}) {
    texts.assign(store.begin(), store.end());
    RuleInput in;
    in.labels = labels;
    in.texts = texts;
    in.train_label = train;
    in.config = c;
    return in;
  }
};

const char* kLongRuleText =
    "the quarterly budget meeting moves to thursday afternoon in the large conference room please "
    "bring the printed minutes from last week and the revised spending plan for the team";

TEST(RuleLabels, ExactAndNearDuplicatesOfPeoplesLabelsGetThatLabel) {
  RulesFixture f;
  f.Add(kLongRuleText, 0);                                      // 0: labelled ham by people
  f.Add(std::string("  ") + kLongRuleText + "\n");              // 1: exact (normalised) duplicate
  f.Add(std::string(kLongRuleText) + " thanks");                // 2: near duplicate
  f.Add("win a free prize now click here");             // 3: unrelated, unlabelled
  auto r = ComputeRuleLabels(f.Input());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->names, (std::vector<std::string>{kRuleExact, kRuleNear}));
  EXPECT_EQ(r->label[0], -1);  // people's label stays theirs
  EXPECT_EQ(r->label[1], 0);
  EXPECT_EQ(r->names[r->rule[1]], kRuleExact);
  EXPECT_FLOAT_EQ(r->confidence[1], 1.0f);
  EXPECT_EQ(r->label[2], 0);
  EXPECT_EQ(r->names[r->rule[2]], kRuleNear);
  EXPECT_GE(r->confidence[2], 0.8f);
  EXPECT_LT(r->confidence[2], 1.0f);
  EXPECT_EQ(r->label[3], -1);
  EXPECT_EQ(r->groups, 1);
  EXPECT_EQ(r->grouped_items, 3);
  // The group is labelled: nobody is held back.
  for (int64_t rep : r->review_rep) EXPECT_EQ(rep, -1);
}

TEST(RuleLabels, ExactModeIgnoresNearDuplicatesAndOffTurnsDuplicatesOff) {
  RulesFixture f;
  f.Add(kLongRuleText, 1);
  f.Add(kLongRuleText);
  f.Add(std::string(kLongRuleText) + " thanks");
  AutolabelConfig c;
  c.duplicates = "exact";
  auto r = ComputeRuleLabels(f.Input(c));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->label[1], 1);
  EXPECT_EQ(r->label[2], -1);
  c.duplicates = "off";
  r = ComputeRuleLabels(f.Input(c));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->names.empty());
  EXPECT_EQ(r->label[1], -1);
}

TEST(RuleLabels, AnUnlabelledGroupIsShownOnceTheOthersWaitForItsRepresentative) {
  RulesFixture f;
  f.Add("something else entirely");
  f.Add(kLongRuleText);
  f.Add(kLongRuleText);
  f.Add(std::string(kLongRuleText) + " thanks");
  auto r = ComputeRuleLabels(f.Input());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->review_rep[0], -1);
  EXPECT_EQ(r->review_rep[1], -1);  // the representative: shown
  EXPECT_EQ(r->review_rep[2], 1);
  EXPECT_EQ(r->review_rep[3], 1);
  for (int y : r->label) EXPECT_EQ(y, -1);
}

TEST(RuleLabels, ConflictingPeopleLabelsPropagateNothing) {
  RulesFixture f;
  f.Add(kLongRuleText, 0);
  f.Add(kLongRuleText, 1);
  f.Add(kLongRuleText);
  auto r = ComputeRuleLabels(f.Input());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->label[2], -1);
  EXPECT_EQ(r->conflicting_groups, 1);
}

TEST(RuleLabels, TheLabelerDetectorsAnswerIsAClassOnlyWhenItIsALabelAndConfident) {
  RulesFixture f;
  f.labels = {"en", "de", "fr"};
  f.Add("one");
  f.Add("two");
  f.Add("three");
  f.Add("four", 2);
  std::vector<std::string> value = {"de", "ja", "en", "en"};
  std::vector<double> conf = {0.9, 0.99, 0.3, 0.99};
  AutolabelConfig c;
  c.duplicates = "off";
  c.labeler = "language";
  c.min_rule_confidence = 0.5;
  RuleInput in = f.Input(c);
  in.labeler_value = value;
  in.labeler_confidence = conf;
  auto r = ComputeRuleLabels(in);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->names, std::vector<std::string>{"language"});
  EXPECT_EQ(r->label[0], 1);          // "de"
  EXPECT_FLOAT_EQ(r->confidence[0], 0.9f);
  EXPECT_EQ(r->label[1], -1);         // "ja" is not a class
  EXPECT_EQ(r->label[2], -1);         // not confident enough
  EXPECT_EQ(r->label[3], -1);         // people labelled it
}

TEST(RuleLabels, SizeMismatchIsAnError) {
  RulesFixture f;
  f.Add("a");
  RuleInput in = f.Input();
  std::vector<int> wrong = {1, 2};
  in.train_label = wrong;
  EXPECT_EQ(ComputeRuleLabels(in).status().code(), StatusCode::kInvalidArgument);
}

TEST(RuleLabels, ItemsWithoutTextAreNobodysDuplicates) {
  RulesFixture f;
  f.Add("", 0);  // vector-only records
  f.Add("");
  f.Add("");
  f.Add(kLongRuleText, 1);
  f.Add("");
  f.Add(kLongRuleText);
  auto r = ComputeRuleLabels(f.Input());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->groups, 1);
  EXPECT_EQ(r->label[1], -1);
  EXPECT_EQ(r->label[2], -1);
  EXPECT_EQ(r->label[5], 1);  // indices map back past the skipped records
  EXPECT_EQ(r->review_rep[4], -1);
}

}  // namespace
}  // namespace hitloop::loop
