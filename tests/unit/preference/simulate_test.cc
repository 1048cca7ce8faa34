#include "preference/simulate.h"

#include <gtest/gtest.h>

namespace hitloop::preference {
namespace {

// Both orders reach the target on a small problem; the run's curve ends at the target.
TEST(SimulateTest, SyntheticRunsReachTheTarget) {
  SyntheticOptions o;
  o.items = 12;
  o.flip = 0.1;
  o.target_rho = 0.8;
  o.max_comparisons = 5000;
  for (bool active : {false, true}) {
    auto run = RunSyntheticBradleyTerry(active, 3, o);
    ASSERT_GT(run.comparisons_to_target, 0) << "active " << active << " seed 3";
    EXPECT_GE(run.curve.back().value, 0.8);
    EXPECT_EQ(run.curve.back().comparisons, run.comparisons_to_target);
  }
}

}  // namespace
}  // namespace hitloop::preference
