#include "loop/audit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace hitloop::loop {
namespace {

TEST(SampleAudits, DrawsDistinctCandidatesOnly) {
  std::vector<uint8_t> cand(100, 0);
  for (int i = 0; i < 100; i += 3) cand[i] = 1;  // 34 candidates
  Rng rng(7);
  auto s = SampleAudits(cand, 20, rng);
  ASSERT_EQ(s.size(), 20u);
  std::set<size_t> uniq(s.begin(), s.end());
  EXPECT_EQ(uniq.size(), 20u);
  for (size_t i : s) EXPECT_TRUE(cand[i]) << i;
  EXPECT_EQ(SampleAudits(cand, 1000, rng).size(), 34u);
  EXPECT_TRUE(SampleAudits(cand, 0, rng).empty());
}

TEST(SampleAudits, IsUniform) {
  const uint64_t seed = 99;
  Rng rng(seed);
  const int n = 50, k = 10, draws = 20000;
  std::vector<uint8_t> cand(n, 1);
  std::vector<int> hits(n, 0);
  for (int d = 0; d < draws; ++d) {
    for (size_t i : SampleAudits(cand, k, rng)) ++hits[i];
  }
  const double expected = static_cast<double>(draws) * k / n;  // 4000
  for (int i = 0; i < n; ++i) {
    EXPECT_NEAR(hits[i], expected, 5 * std::sqrt(expected)) << "position " << i << " seed " << seed;
  }
}

}  // namespace
}  // namespace hitloop::loop
