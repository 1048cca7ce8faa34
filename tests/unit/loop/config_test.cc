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

// Regression: the configuration accepted "all" and "none" anywhere in a detector list
// ("format,all"), which autolabel::ParseDetectorChoice (what every cycle and `import --detect
// project` run) rejects, so such a project's cycles all failed. One rule now: the registry's.
TEST(LoopConfig, DetectorListIsCheckedByTheDetectorRegistry) {
  for (const char* ok :
       {"all", "none", "", "format", "format,language,boilerplate", "boilerplate,format"}) {
    auto c = ParseLoopConfig(std::string(R"({"loop":{"autolabel":{"detect":")") + ok + R"("}}})");
    EXPECT_TRUE(c.ok()) << ok << ": " << c.status().ToString();
  }
  for (const char* bad : {"format,all", "none,format", "colour"}) {
    auto c = ParseLoopConfig(std::string(R"({"loop":{"autolabel":{"detect":")") + bad + R"("}}})");
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  auto c = ParseLoopConfig(R"({"loop":{"autolabel":{"detect":"format,colour"}}})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "loop.autolabel.detect: unknown detector 'colour' (use format, language, boilerplate)");
}

TEST(LoopConfig, ModelSpecsAndAutoAreCheckedWithTheirClassifier) {
  EXPECT_TRUE(ParseLoopConfig(R"({"loop":{"model":"lsa+logreg"}})").ok());
  EXPECT_TRUE(ParseLoopConfig(R"({"loop":{"model":"auto"}})").ok());
  auto bad = ParseLoopConfig(R"({"loop":{"model":"lsa+svm"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("loop.model: unknown model 'svm'"), std::string::npos)
      << bad.status().message();
  auto cand = ParseLoopConfig(R"({"loop":{"model":"auto","model_candidates":["logreg","rff+svm"]}})");
  ASSERT_FALSE(cand.ok());
  EXPECT_NE(cand.status().message().find("loop.model_candidates"), std::string::npos)
      << cand.status().message();
}

TEST(LoopConfig, AuditDefaultsArePoolDrawAndClopperPearsonWithTheOthersSelectable) {
  // The candidate region + betting bound cost more people's labels on spam (bench/RESULTS.md),
  // so they are options, not defaults.
  auto d = ParseLoopConfig("{}");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->audit_region, "pool");
  EXPECT_EQ(d->bound, "clopper-pearson");
  EXPECT_EQ(d->certify_options().bound, Bound::kClopperPearson);
  EXPECT_EQ(d->min_audits_needed(), 149);
  EXPECT_TRUE(d->audit_second_opinion);
  EXPECT_EQ(CertifyOptions{}.bound, Bound::kClopperPearson);
  auto c = ParseLoopConfig(R"({"loop":{"audit_region":"candidate","bound":"betting"}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->audit_region, "candidate");
  EXPECT_EQ(c->certify_options().bound, Bound::kBetting);
  EXPECT_EQ(c->min_audits_needed(), MinAuditsNeeded(0.02, 0.05, Bound::kBetting));
  EXPECT_FALSE(ParseLoopConfig(R"({"loop":{"bound":"wald"}})").ok());
  EXPECT_FALSE(ParseLoopConfig(R"({"loop":{"audit_region":"all"}})").ok());
}

}  // namespace
}  // namespace hitloop::loop
