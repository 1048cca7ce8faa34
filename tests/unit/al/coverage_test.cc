#include "al/coverage.h"

#include <gtest/gtest.h>

namespace hitloop::al {
namespace {

TEST(OracleCoverageTest, LargestPrefixByConfidenceThatMeetsThePrecision) {
  // Most confident first: right, right, right, wrong, right, wrong.
  std::vector<std::pair<float, uint8_t>> items = {
      {0.6f, 0}, {0.99f, 1}, {0.7f, 1}, {0.95f, 1}, {0.9f, 1}, {0.8f, 0}};
  EXPECT_EQ(OracleCoverage(items, 1.0), 3u);   // the three right ones on top
  EXPECT_EQ(OracleCoverage(items, 0.8), 5u);   // 4 of 5
  EXPECT_EQ(OracleCoverage(items, 0.6), 6u);   // 4 of 6
  EXPECT_EQ(OracleCoverage({}, 0.98), 0u);
}

TEST(OracleCoverageTest, TiedConfidencesAreAcceptedOrRefusedTogether) {
  std::vector<std::pair<float, uint8_t>> items = {{0.9f, 1}, {0.8f, 1}, {0.8f, 0}};
  EXPECT_EQ(OracleCoverage(items, 1.0), 1u);  // cannot take one of the two 0.8s alone
  EXPECT_EQ(OracleCoverage(items, 0.6), 3u);
}

TEST(OracleCoverageTest, ReadsArgMaxOfProbabilityRows) {
  const std::vector<float> probs = {0.9f, 0.1f,   // predicts 0, gold 0: right
                                    0.2f, 0.8f,   // predicts 1, gold 0: wrong
                                    0.3f, 0.7f};  // predicts 1, gold 1: right
  EXPECT_EQ(OracleCoverage(probs, {0, 0, 1}, 2, 1.0), 1u);
  EXPECT_EQ(OracleCoverage(probs, {0, 0, 1}, 2, 0.6), 3u);
}

}  // namespace
}  // namespace hitloop::al
