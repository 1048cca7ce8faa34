#include "preference/active.h"

#include <gtest/gtest.h>

#include <set>

namespace hitloop::preference {
namespace {

TEST(ActiveTest, PrefersCloseUncertainPairsAndSpreadsABatch) {
  Abilities a;
  a.log_ability = {0.0, 0.05, 3.0, -3.0};
  a.std_error = {1.0, 1.0, 1.0, 1.0};
  auto pairs = SelectActivePairs(a, 3);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0], std::make_pair(0, 1));  // closest pair first
  std::set<std::pair<int, int>> distinct(pairs.begin(), pairs.end());
  EXPECT_EQ(distinct.size(), 3u);
  // A very uncertain item is asked about before a well-known close pair.
  a.std_error = {0.01, 0.01, 5.0, 0.01};
  auto p2 = SelectActivePairs(a, 1);
  EXPECT_TRUE(p2[0].first == 2 || p2[0].second == 2);
}

TEST(ActiveTest, LeastSureAndSpearman) {
  std::vector<double> m = {0.5, -0.1, 2.0, 0.1};
  EXPECT_EQ(LeastSure(m, 2), (std::vector<size_t>{1, 3}));
  std::vector<double> x = {1, 2, 3, 4}, y = {10, 20, 30, 40}, z = {4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(SpearmanRho(x, y), 1.0);
  EXPECT_DOUBLE_EQ(SpearmanRho(x, z), -1.0);
  std::vector<double> tied = {1, 1, 2, 2};
  EXPECT_NEAR(SpearmanRho(x, tied), 0.8944271909999159, 1e-12);
}

}  // namespace
}  // namespace hitloop::preference

namespace hitloop::preference {
namespace {

// The live project's active pairs: unanswered, not gold, least separated first; a ranking counts
// its closest pair.
TEST(LeastSureUnansweredTest, QueuesOpenItemsTheModelSeparatesLeastFirst) {
  std::vector<RewardPair> train;
  for (int i = 0; i < 20; ++i) train.push_back({"q", "kind helpful answer", "rude useless answer"});
  auto model = RewardModel::Train(train, {});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ProjectPreferences data;
  auto add = [&](std::vector<std::string> texts, bool gold) {
    PreferenceItem it;
    it.prompt = "q";
    for (auto& t : texts) it.responses.push_back({"", t, ""});
    data.items.push_back(it);
    data.gold.push_back(gold ? 1 : 0);
    data.item_ids.push_back(static_cast<int64_t>(data.items.size()));
    data.external_ids.push_back("i" + std::to_string(data.items.size() - 1));
  };
  add({"kind helpful answer", "rude useless answer"}, false);        // 0: clear
  add({"kind answer", "kind answer!"}, false);                        // 1: nearly equal
  add({"kind helpful answer", "rude useless answer"}, true);          // 2: gold, never queued
  add({"kind answer", "rude useless answer", "kind answer."}, false); // 3: a close pair inside
  add({"kind answer", "kind answer!"}, false);                        // 4: answered already
  data.comparisons.push_back({4, "ann", Judgement{"", {{0}, {1}}, false, Strength::kUnknown}, {}});
  const auto picks = LeastSureUnanswered(data, *model, 10);
  ASSERT_EQ(picks.size(), 3u);
  std::set<size_t> items;
  for (const auto& p : picks) items.insert(p.item);
  EXPECT_EQ(items, (std::set<size_t>{0, 1, 3}));
  EXPECT_EQ(picks.back().item, 0u);  // the clear one last
  for (size_t k = 1; k < picks.size(); ++k) EXPECT_LE(picks[k - 1].margin, picks[k].margin);
  EXPECT_EQ(LeastSureUnanswered(data, *model, 1).size(), 1u);
}

}  // namespace
}  // namespace hitloop::preference
