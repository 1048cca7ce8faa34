#include "loop/metrics.h"

#include <gtest/gtest.h>

#include <vector>

namespace hitloop::loop {
namespace {

TEST(GoldMetrics, AccuracyMacroF1AndEce) {
  // 4 items, 2 classes: predictions 0,0,1,1 with confidence 0.9; gold 0,1,1,1.
  std::vector<float> p = {0.9f, 0.1f, 0.9f, 0.1f, 0.1f, 0.9f, 0.1f, 0.9f};
  std::vector<int> gold = {0, 1, 1, 1};
  const GoldMetrics m = ComputeGoldMetrics(p, gold, 2);
  EXPECT_EQ(m.n, 4);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
  // F1 class 0: tp1 fp1 fn0 -> 2/3; class 1: tp2 fp0 fn1 -> 0.8.
  EXPECT_NEAR(m.macro_f1, (2.0 / 3 + 0.8) / 2, 1e-9);
  // One bin at confidence 0.9 with accuracy 0.75.
  EXPECT_NEAR(m.ece, 0.15, 1e-6);
  EXPECT_EQ(ComputeGoldMetrics({}, {}, 2).n, 0);
}

}  // namespace
}  // namespace hitloop::loop
