#include "loop/novelty.h"

#include <gtest/gtest.h>

namespace hitloop::loop {
namespace {

TEST(Novelty, TextShareOfUnseenFeatureMass) {
  text::SparseRow a = {{1, 1.0f}, {2, 1.0f}}, b = {{3, 1.0f}};
  std::vector<const text::SparseRow*> rows = {&a, &b};
  std::vector<int> y = {0, 1};
  NoveltyScorer s;
  s.Fit(rows, y, 2, 1024);
  EXPECT_DOUBLE_EQ(s.Score({{1, 0.5f}, {3, 0.5f}}), 0.0);
  EXPECT_DOUBLE_EQ(s.Score({{1, 1.0f}, {9, 3.0f}}), 0.75);
  EXPECT_DOUBLE_EQ(s.Score({{9, 1.0f}}), 1.0);
}

TEST(Novelty, DenseDistanceBeyondClassSpread) {
  const uint32_t td = 16;
  std::vector<text::SparseRow> data;
  std::vector<int> y;
  for (int i = 0; i < 20; ++i) {
    data.push_back({{td, 1.0f + 0.01f * i}});  // class 0 around x = 1.1
    y.push_back(0);
    data.push_back({{td + 1, 1.0f + 0.01f * i}});  // class 1 around the other axis
    y.push_back(1);
  }
  std::vector<const text::SparseRow*> rows;
  for (const auto& r : data) rows.push_back(&r);
  NoveltyScorer s;
  s.Fit(rows, y, 2, td);
  EXPECT_DOUBLE_EQ(s.Score({{td, 1.1f}}), 0.0);
  EXPECT_GT(s.Score({{td, 5.0f}, {td + 1, 5.0f}}), 0.5);
}

TEST(Novelty, UnfittedScorerCallsEverythingNovel) {
  NoveltyScorer s;
  EXPECT_DOUBLE_EQ(s.Score({{1, 1.0f}}), 1.0);
}

}  // namespace
}  // namespace hitloop::loop
