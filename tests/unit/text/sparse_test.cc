#include "text/sparse.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hitloop::text {
namespace {

TEST(SparseTest, CanonicalizeSortsAndMerges) {
  SparseRow r = {{5, 1}, {2, 1}, {5, 2}};
  Canonicalize(&r);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].index, 2u);
  EXPECT_EQ(r[1].index, 5u);
  EXPECT_FLOAT_EQ(r[1].value, 3);
}

TEST(SparseTest, NormalizeAndDot) {
  SparseRow a = {{1, 3}, {4, 4}};
  L2Normalize(&a);
  EXPECT_NEAR(Dot(a, a), 1.0, 1e-6);
  SparseRow b = {{4, 1}};
  EXPECT_NEAR(Dot(a, b), 0.8, 1e-6);
  SparseRow zero;
  L2Normalize(&zero);
  EXPECT_TRUE(zero.empty());
}

}  // namespace
}  // namespace hitloop::text
