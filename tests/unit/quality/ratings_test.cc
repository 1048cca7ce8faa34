#include "quality/ratings.h"

#include <gtest/gtest.h>

namespace hitloop::quality {
namespace {

TEST(AgreementRatingsTest, BuildsSortedTableWithMissingCells) {
  std::vector<Rating> ratings = {
      {20, "bob", "spam"}, {10, "alice", "ham"}, {10, "bob", "spam"}, {20, "carol", "ham"}};
  auto t = BuildRatingTable(ratings);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->items, (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(t->annotators, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(t->categories, (std::vector<std::string>{"ham", "spam"}));
  EXPECT_EQ(t->Cell(0, 0), 0);
  EXPECT_EQ(t->Cell(0, 1), 1);
  EXPECT_EQ(t->Cell(0, 2), kMissing);
  EXPECT_EQ(t->Cell(1, 0), kMissing);
  EXPECT_EQ(t->Cell(1, 1), 1);
  EXPECT_EQ(t->Cell(1, 2), 0);
  EXPECT_EQ(t->RowOf(20), 1);
  EXPECT_EQ(t->RowOf(15), -1);
  EXPECT_EQ(t->RatingsInRow(0), 2);
  EXPECT_EQ(t->AnnotatorIndex("carol"), 2);
  EXPECT_EQ(t->AnnotatorIndex("dave"), -1);
}

TEST(AgreementRatingsTest, ProjectCategoryOrderIsKept) {
  auto t = BuildRatingTable({{1, "a", "spam"}}, {"spam", "ham", "unsure"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->num_categories(), 3);
  EXPECT_EQ(t->Cell(0, 0), 0);
  EXPECT_EQ(t->CategoryIndex("unsure"), 2);
}

TEST(AgreementRatingsTest, RejectsBadInput) {
  EXPECT_EQ(BuildRatingTable({{1, "a", "x"}}, {"ham", "spam"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRatingTable({{1, "", "ham"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRatingTable({{1, "a", ""}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRatingTable({{1, "a", "ham"}}, {"ham", "ham"}).status().code(),
            StatusCode::kInvalidArgument);
  auto conflict = BuildRatingTable({{1, "a", "ham"}, {1, "a", "spam"}});
  EXPECT_EQ(conflict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(conflict.status().message().find("two different labels"), std::string::npos);
  // An identical repeat is harmless.
  EXPECT_TRUE(BuildRatingTable({{1, "a", "ham"}, {1, "a", "ham"}}).ok());
  // Empty input is a valid, empty table; the statistics reject it.
  auto empty = BuildRatingTable({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->num_items(), 0);
}

Annotation Ann(int64_t id, int64_t item, std::string who, std::vector<std::string> labels,
               int64_t at, LabelSource source = LabelSource::kHuman, std::string kind = "label") {
  Annotation a;
  a.id = id;
  a.item_id = item;
  a.annotator = std::move(who);
  a.labels = std::move(labels);
  a.created_at = at;
  a.source = source;
  a.kind = std::move(kind);
  return a;
}

TEST(AgreementRatingsTest, FromAnnotationsKeepsNewestHumanSingleLabel) {
  std::vector<Annotation> history = {
      Ann(1, 5, "alice", {"ham"}, 100),
      Ann(2, 5, "alice", {"spam"}, 200),                        // newer: wins
      Ann(3, 5, "model:v1", {"ham"}, 50, LabelSource::kModel),  // not human
      Ann(4, 5, "bob", {"ham", "spam"}, 60),                    // multi-label
      Ann(5, 5, "lead", {"ham"}, 300, LabelSource::kHuman, "adjudicate"),
      Ann(6, 4, "bob", {"ham"}, 10),
  };
  std::vector<Rating> r = RatingsFromAnnotations(history);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].item_id, 4);
  EXPECT_EQ(r[0].annotator, "bob");
  EXPECT_EQ(r[1].item_id, 5);
  EXPECT_EQ(r[1].annotator, "alice");
  EXPECT_EQ(r[1].label, "spam");
}

}  // namespace
}  // namespace hitloop::quality
