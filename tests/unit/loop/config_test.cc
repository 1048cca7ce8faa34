#include "loop/config.h"

#include <gtest/gtest.h>

namespace hitloop::loop {
namespace {

TEST(LoopConfig, DefaultsAndRoundTrip) {
  auto c = ParseLoopConfig("{}");
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->target_precision, 0.98);
  EXPECT_FALSE(c->per_class);
  auto merged = MergeLoopConfig(R"({"other":1})", R"({"threshold_mode":"per-class","audit_per_cycle":80,
      "routing":[{"when":{"meta":{"domain":"medical"},"confidence":[0,0.9]},"pool":"experts","overlap":2}]})");
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_NE(merged->find("\"other\":1"), std::string::npos);  // other modules' keys survive
  auto c2 = ParseLoopConfig(*merged);
  ASSERT_TRUE(c2.ok());
  EXPECT_TRUE(c2->per_class);
  EXPECT_EQ(c2->audit_per_cycle, 80);
  ASSERT_EQ(c2->routing.size(), 1u);
  EXPECT_EQ(c2->routing[0].pool, "experts");
  EXPECT_EQ(c2->routing[0].overlap, 2);
  EXPECT_DOUBLE_EQ(c2->routing[0].max_confidence, 0.9);
  auto c3 = ParseLoopConfig(R"({"loop":)" + LoopConfigToJson(*c2) + "}");
  ASSERT_TRUE(c3.ok()) << c3.status().ToString();
  EXPECT_EQ(c3->routing[0].meta_equals, c2->routing[0].meta_equals);
}

TEST(LoopConfig, RejectsBadFieldsNamingThem) {
  for (const char* bad : {R"({"loop":{"target_precision":1.5}})", R"({"loop":{"threshold_mode":"x"}})",
                          R"({"loop":{"routing":[{"overlap":2}]}})",
                          R"({"loop":{"routing":[{"pool":"a","overlap":0}]}})",
                          R"({"loop":{"routing":[{"pool":"a","when":{"confidence":[0.9,0.1]}}]}})",
                          R"({"loop":{"audit_per_cycle":-1}})", "[1]"}) {
    auto c = ParseLoopConfig(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(LoopConfig, StrategyAndModelNamesAreCheckedByTheirRegistries) {
  auto s = ParseLoopConfig(R"({"loop":{"strategy":"margn"}})");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("loop.strategy: unknown strategy 'margn'"), std::string::npos)
      << s.status().message();
  auto m = ParseLoopConfig(R"({"loop":{"model":"svm"}})");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("loop.model: unknown model 'svm'"), std::string::npos)
      << m.status().message();
  EXPECT_TRUE(ParseLoopConfig(R"({"loop":{"strategy":"entropy","model":"calibrated:logreg"}})").ok());
}

}  // namespace
}  // namespace hitloop::loop
