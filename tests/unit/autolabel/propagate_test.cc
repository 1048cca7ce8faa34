#include "autolabel/propagate.h"

#include <gtest/gtest.h>

namespace hitloop::autolabel {
namespace {

DuplicateMember M(size_t i, DuplicateKind k, double s, size_t exact_of) {
  DuplicateMember m;
  m.index = i;
  m.kind = k;
  m.similarity = s;
  m.exact_of = exact_of;
  return m;
}

TEST(PropagateTest, ExactAndNearMembersGetTheLabel) {
  // 0 and 2 are exact copies; 3 is a near copy (0.85); 5 a weak near copy (0.81).
  DuplicateGroup g{0, {M(0, DuplicateKind::kExact, 1, 0), M(2, DuplicateKind::kExact, 1, 0),
                       M(3, DuplicateKind::kNear, 0.85, 3), M(5, DuplicateKind::kNear, 0.81, 5)}};
  std::vector<ItemLabels> items(6);
  items[2].labels = {"spam"};
  PropagationOptions opt;
  opt.min_similarity = 0.84;
  const auto r = PropagateLabels({g}, items, opt);
  ASSERT_EQ(r.labels.size(), 2u);
  EXPECT_EQ(r.labels[0].index, 0u);
  EXPECT_EQ(r.labels[0].kind, DuplicateKind::kExact);
  EXPECT_DOUBLE_EQ(r.labels[0].confidence, 1.0);
  EXPECT_EQ(r.labels[0].source_index, 2u);
  EXPECT_EQ(r.labels[1].index, 3u);
  EXPECT_EQ(r.labels[1].kind, DuplicateKind::kNear);
  EXPECT_DOUBLE_EQ(r.labels[1].confidence, 0.85);
  EXPECT_EQ(r.labels[1].labels, std::vector<std::string>{"spam"});
  EXPECT_STREQ(PropagatedLabel::kSource, "rule");

  opt.include_near = false;
  const auto exact_only = PropagateLabels({g}, items, opt);
  ASSERT_EQ(exact_only.labels.size(), 1u);
  EXPECT_EQ(exact_only.labels[0].index, 0u);
}

TEST(PropagateTest, ConflictsAndUntrustedLabelsDoNotPropagate) {
  DuplicateGroup g{0, {M(0, DuplicateKind::kExact, 1, 0), M(1, DuplicateKind::kExact, 1, 0),
                       M(2, DuplicateKind::kExact, 1, 0)}};
  std::vector<ItemLabels> items(3);
  items[0].labels = {"ham"};
  items[1].labels = {"spam"};
  auto r = PropagateLabels({g}, items);
  EXPECT_TRUE(r.labels.empty());
  ASSERT_EQ(r.conflicting_groups.size(), 1u);

  items[1].labels.clear();
  items[0].trusted = false;  // a model label is not a source
  r = PropagateLabels({g}, items);
  EXPECT_TRUE(r.labels.empty());
  EXPECT_TRUE(r.conflicting_groups.empty());

  // Out-of-range indices are skipped, not a crash.
  r = PropagateLabels({g}, std::vector<ItemLabels>(1));
  EXPECT_TRUE(r.labels.empty());
}

TEST(PropagateTest, GroupShownOnce) {
  DuplicateGroup a{1, {M(1, DuplicateKind::kNear, 0.9, 1), M(4, DuplicateKind::kNear, 0.9, 4),
                       M(7, DuplicateKind::kNear, 0.9, 7)}};
  DuplicateGroup b{2, {M(2, DuplicateKind::kExact, 1, 2), M(3, DuplicateKind::kExact, 1, 2)}};
  std::vector<ItemLabels> items(8);
  items[4].labels = {"x"};  // the labelled member is the one kept
  EXPECT_EQ(SuppressedFromReview({a, b}, items), (std::vector<size_t>{1, 3, 7}));
}

}  // namespace
}  // namespace hitloop::autolabel
