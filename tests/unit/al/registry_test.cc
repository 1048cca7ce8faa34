#include "al/registry.h"

#include <gtest/gtest.h>

namespace hitloop::al {
namespace {

TEST(StrategyRegistryTest, EveryNameCreatesItsStrategy) {
  const auto names = StrategyNames();
  EXPECT_GE(names.size(), 9u);
  for (const auto& n : names) EXPECT_EQ(CreateStrategy(n).value()->name(), n);
  EXPECT_TRUE(CreateStrategy(kDefaultStrategy).ok());
  EXPECT_EQ(CreateStrategy("oracle").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace hitloop::al
