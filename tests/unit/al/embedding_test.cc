#include "al/embedding.h"

#include <gtest/gtest.h>

#include "core/rng.h"

namespace hitloop::al {
namespace {

TEST(EmbeddingTest, RowsAreUnitAndRoughlyPreserveCosine) {
  Rng rng(1);
  text::SparseRow a, b, c;
  for (uint32_t i = 0; i < 200; ++i) a.push_back({i * 7, static_cast<float>(rng.Uniform())});
  b = a;
  for (size_t i = 0; i < 20; ++i) b[i].value = 0;  // b ≈ a
  for (uint32_t i = 0; i < 200; ++i) c.push_back({100000 + i, 1.0f});  // disjoint from a
  text::L2Normalize(&a);
  text::L2Normalize(&b);
  text::L2Normalize(&c);
  std::vector<const text::SparseRow*> rows = {&a, &b, &c};
  RowMatrix e = Embed(rows);
  ASSERT_EQ(e.cols(), kEmbeddingDims);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(e.row(i).norm(), 1.0, 1e-5);
  EXPECT_GT(e.row(0).dot(e.row(1)), 0.8);
  EXPECT_LT(std::abs(e.row(0).dot(e.row(2))), 0.5);
}

}  // namespace
}  // namespace hitloop::al
