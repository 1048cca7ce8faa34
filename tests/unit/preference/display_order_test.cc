#include "preference/display_order.h"

#include <algorithm>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace hitloop::preference {
namespace {

TEST(DisplayOrder, IsAPermutationOfTheResponses) {
  for (int n = 1; n <= 9; ++n) {
    std::vector<int> order = DisplayOrder("ann", "item-" + std::to_string(n), n);
    ASSERT_EQ(static_cast<int>(order.size()), n);
    std::vector<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < n; ++i) EXPECT_EQ(sorted[i], i);
  }
  EXPECT_TRUE(DisplayOrder("ann", "x", 0).empty());
}

TEST(DisplayOrder, SameAnnotatorAndItemSameOrder) {
  EXPECT_EQ(DisplayOrder("ann", "p1", 5), DisplayOrder("ann", "p1", 5));
  // Pinned (computed independently from the algorithm the header spells out): the order must not
  // change between builds or standard libraries, since a reopened answer must show what was shown
  // and the server checks the "shown:" label a page sends back against it.
  EXPECT_EQ(DisplayOrder("alice", "i1", 2), (std::vector<int>{0, 1}));
  EXPECT_EQ(DisplayOrder("alice", "i2", 2), (std::vector<int>{1, 0}));
  EXPECT_EQ(DisplayOrder("ann", "p1", 5), (std::vector<int>{1, 2, 0, 4, 3}));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  int differ = 0;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "c" + std::to_string(i);
    differ += DisplayOrder("ab", id, 6) != DisplayOrder("a", "b" + id, 6);
  }
  EXPECT_GT(differ, 30);
}

TEST(DisplayOrder, BothSidesAboutEquallyOftenAndPerAnnotator) {
  // Over 2,000 items, the first response is on the left about half of the time (binomial sd ~22).
  int left = 0;
  for (int i = 0; i < 2000; ++i) left += DisplayOrder("ann", "item" + std::to_string(i), 2)[0] == 0;
  EXPECT_GT(left, 900);
  EXPECT_LT(left, 1100);
  // Two people see one item in different orders for about half of the items.
  int differ = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = "item" + std::to_string(i);
    differ += DisplayOrder("ann", id, 2) != DisplayOrder("bob", id, 2);
  }
  EXPECT_GT(differ, 900);
  EXPECT_LT(differ, 1100);
  // Every one of the 6 orders of three responses occurs.
  std::set<std::vector<int>> seen;
  for (int i = 0; i < 200; ++i) seen.insert(DisplayOrder("ann", "r" + std::to_string(i), 3));
  EXPECT_EQ(seen.size(), 6u);
}

}  // namespace
}  // namespace hitloop::preference
