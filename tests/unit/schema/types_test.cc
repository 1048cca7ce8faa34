#include "schema/types.h"

#include <gtest/gtest.h>

#include <string>

namespace hitloop {
namespace {

// The names are the database's and the API's text: they never change.
TEST(LeaseEnums, NamesRoundTripAndAreTheStoredText) {
  const std::pair<LeaseKind, const char*> kinds[] = {{LeaseKind::kReview, "review"},
                                                     {LeaseKind::kAudit, "audit"},
                                                     {LeaseKind::kAdjudicate, "adjudicate"},
                                                     {LeaseKind::kGold, "gold"},
                                                     {LeaseKind::kRework, "rework"}};
  for (const auto& [k, name] : kinds) {
    EXPECT_STREQ(LeaseKindName(k), name);
    auto parsed = ParseLeaseKind(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, k) << name;
  }
  const std::pair<LeaseState, const char*> states[] = {{LeaseState::kActive, "active"},
                                                       {LeaseState::kSubmitted, "submitted"},
                                                       {LeaseState::kReleased, "released"},
                                                       {LeaseState::kSkipped, "skipped"}};
  for (const auto& [s, name] : states) {
    EXPECT_STREQ(LeaseStateName(s), name);
    auto parsed = ParseLeaseState(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, s) << name;
  }
  EXPECT_EQ(Lease().kind, LeaseKind::kReview);
  EXPECT_EQ(Lease().state, LeaseState::kActive);
}

TEST(LeaseEnums, UnknownTextIsAnErrorNamingIt) {
  for (const char* bad : {"", "Review", "rework:alice", "expired"}) {
    auto k = ParseLeaseKind(bad);
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_EQ(k.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(k.status().message().find("'" + std::string(bad) + "'"), std::string::npos)
        << k.status().message();
    auto s = ParseLeaseState(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ParseLeaseKind("triage").status().message(),
            "unknown lease kind 'triage' (expected review, audit, adjudicate, gold or rework)");
  EXPECT_EQ(ParseLeaseState("expired").status().message(),
            "unknown lease state 'expired' (expected active, submitted, released or skipped)");
}

}  // namespace
}  // namespace hitloop
