#include "server/task_mix.h"

#include <gtest/gtest.h>

#include <string>

namespace hitloop::server {
namespace {

// The claim sequence a person gets when both kinds are always open: "A" audit, "R" other.
std::string Sequence(TaskMix& mix, double share, int n, int64_t user = 1) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const bool audit = mix.PreferAudit(7, user, share);
    mix.Record(7, user, share, audit);
    out += audit ? 'A' : 'R';
  }
  return out;
}

TEST(TaskMix, ShareFollowsTheLoopsBatchSizes) {
  EXPECT_NEAR(TaskMix::ShareFor(50, 20, 100), 70.0 / 170.0, 1e-12);
  EXPECT_EQ(TaskMix::ShareFor(0, 0, 100), 0.0);
  EXPECT_EQ(TaskMix::ShareFor(0, 0, 0), 0.0);
  EXPECT_EQ(TaskMix::ShareFor(10, 0, 0), 1.0);
}

TEST(TaskMix, InterleavesAtTheShareStartingWithAReview) {
  TaskMix mix;
  const std::string s = Sequence(mix, 70.0 / 170.0, 16);
  EXPECT_EQ(s.substr(0, 8), "RRARARRA");
  int audits = 0;
  for (char c : s) audits += c == 'A';
  EXPECT_EQ(audits, 6);  // floor(16 * 70/170)
  TaskMix half;
  EXPECT_EQ(Sequence(half, 0.5, 6), "RARARA");
}

TEST(TaskMix, EachPersonHasTheirOwnRhythm) {
  TaskMix mix;
  EXPECT_EQ(Sequence(mix, 0.5, 3, 1), "RAR");
  EXPECT_EQ(Sequence(mix, 0.5, 3, 2), "RAR");
}

TEST(TaskMix, ARunOfOneKindDoesNotTurnIntoABurstOfTheOther) {
  TaskMix mix;
  const double share = 0.25;
  // No audits open for 20 claims: reviews were handed out although audits were preferred.
  for (int i = 0; i < 20; ++i) mix.Record(7, 1, share, false);
  // Then audits arrive: one comes at once, then the rhythm returns (no run of audits).
  EXPECT_EQ(Sequence(mix, share, 6), "ARRARR");
  // Only audits for 20 claims (no reviews open): the debt is capped, reviews resume soon.
  for (int i = 0; i < 20; ++i) mix.Record(7, 1, share, true);
  const std::string s = Sequence(mix, share, 12);
  EXPECT_EQ(s.find('A'), 7u) << s;  // from the capped credit -1, the eighth claim is an audit
}

TEST(TaskMix, NoSteeringOutsideZeroToOne) {
  TaskMix mix;
  EXPECT_FALSE(mix.PreferAudit(1, 1, 0.0));
  EXPECT_TRUE(mix.PreferAudit(1, 1, 1.0));
}

}  // namespace
}  // namespace hitloop::server
