#include "loop/router.h"

#include <gtest/gtest.h>

namespace hitloop::loop {
namespace {

Certification GlobalAt(double t) {
  Certification c;
  c.global.certified = true;
  c.global.threshold = t;
  return c;
}

struct Fixture {
  std::vector<std::string> labels = {"ham", "spam"};
  std::vector<float> probs;
  std::vector<double> novelty;
  std::vector<uint8_t> routable, was_auto;
  std::vector<std::string> meta;
  void Add(float p_spam, double nov = 0, bool auto_before = false, std::string m = "{}") {
    probs.push_back(1 - p_spam);
    probs.push_back(p_spam);
    novelty.push_back(nov);
    routable.push_back(1);
    was_auto.push_back(auto_before);
    meta.push_back(std::move(m));
  }
  RouterInput Input(const Certification* c) {
    RouterInput in;
    in.num_classes = 2;
    in.labels = labels;
    in.probs = probs;
    in.novelty = novelty;
    in.routable = routable;
    in.was_auto = was_auto;
    in.meta_json = meta;
    in.cold = {0, 0};
    in.certification = c;
    return in;
  }
};

TEST(Router, AcceptsOnlyConfidentInDistributionItemsOfWarmClasses) {
  Fixture f;
  f.Add(0.99);        // accept (spam)
  f.Add(0.6);         // review
  f.Add(0.01);        // accept (ham)
  f.Add(0.99, 0.9);   // novel -> review
  const Certification c = GlobalAt(0.95);
  auto in = f.Input(&c);
  auto out = RouteItems(in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->decisions[0].route, Route::kAccept);
  EXPECT_EQ(out->decisions[0].predicted, 1);
  EXPECT_EQ(out->decisions[1].route, Route::kReview);
  EXPECT_EQ(out->decisions[2].route, Route::kAccept);
  EXPECT_EQ(out->decisions[3].route, Route::kReview);
  EXPECT_EQ(out->accepted, 2);
  EXPECT_EQ(out->novel, 1);
  in.cold = {0, 1};  // spam is cold
  out = RouteItems(in);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->decisions[0].route, Route::kReview);
  EXPECT_EQ(out->decisions[2].route, Route::kAccept);
  EXPECT_EQ(out->cold_blocked, 2);  // the novel spam item is cold-blocked too
}

TEST(Router, NothingIsAcceptedWithoutACertificate) {
  Fixture f;
  f.Add(0.9999);
  auto out = RouteItems(f.Input(nullptr));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->accepted, 0);
  Certification none;  // default: uncertified
  out = RouteItems(f.Input(&none));
  EXPECT_EQ(out->accepted, 0);
}

TEST(Router, PreviouslyAutoAcceptedItemsThatNoLongerPassAreRequeued) {
  Fixture f;
  f.Add(0.97, 0, true);
  f.Add(0.999, 0, true);
  const Certification tight = GlobalAt(0.99);
  auto out = RouteItems(f.Input(&tight));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->requeued, 1);
  EXPECT_EQ(out->decisions[0].route, Route::kReview);
  EXPECT_EQ(out->decisions[1].route, Route::kAccept);
}

TEST(Router, RulesPickPoolAndOverlapFirstMatchWins) {
  Fixture f;
  f.Add(0.6, 0, false, R"({"domain":"medical"})");
  f.Add(0.6, 0, false, R"({"domain":"legal"})");
  f.Add(0.3, 0, false, "{}");   // predicted ham, conf 0.7
  f.Add(0.55, 0, false, "not json");
  std::vector<RoutingRule> rules(2);
  rules[0].meta_equals = {{"domain", "medical"}};
  rules[0].pool = "experts";
  rules[0].overlap = 3;
  rules[1].predicted_in = {"ham"};
  rules[1].min_confidence = 0.65;
  rules[1].max_confidence = 0.8;
  rules[1].pool = "ham-band";
  const Certification c = GlobalAt(0.99);
  auto in = f.Input(&c);
  in.rules = &rules;
  auto out = RouteItems(in);
  ASSERT_TRUE(out.ok());
  auto pool = [&](size_t i) { return out->pools[out->decisions[i].pool]; };
  EXPECT_EQ(pool(0), "experts");
  EXPECT_EQ(out->decisions[0].overlap, 3);
  EXPECT_EQ(pool(1), "general");
  EXPECT_EQ(pool(2), "ham-band");
  EXPECT_EQ(out->decisions[2].overlap, 1);
  EXPECT_EQ(pool(3), "general");  // unparsable meta never matches a meta rule
  EXPECT_EQ(MatchRule(rules, R"({"domain":"medical"})", "spam", 0.99), 0);
  EXPECT_EQ(MatchRule(rules, "{}", "spam", 0.7), -1);
}

TEST(Router, DetectorAnswersAreMatchedAsDataNotMeta) {
  std::vector<RoutingRule> rules(2);
  rules[0].meta_equals = {{"_language", "de"}};
  rules[0].pool = "german";
  rules[1].meta_equals = {{"_format", ""}};  // no format answer
  rules[1].pool = "unformatted";
  const Detections de = {{"language", "de"}, {"format", "prose"}};
  const Detections none;
  // The detectors' answers win over a meta field of the same name, and count for unreadable meta.
  EXPECT_EQ(MatchRule(rules, R"({"_language":"fr"})", "ham", 0.5, &de), 0);
  EXPECT_EQ(MatchRule(rules, "not json", "ham", 0.5, &de), 0);
  EXPECT_EQ(MatchRule(rules, "{}", "ham", 0.5, &none), 1);
  // Without detections (the simulator), "_language" is an ordinary meta field.
  EXPECT_EQ(MatchRule(rules, R"({"_language":"de"})", "ham", 0.5), 0);
  EXPECT_EQ(MatchRule(rules, "{}", "ham", 0.5), -1);
}

TEST(Router, RejectsMismatchedSizes) {
  Fixture f;
  f.Add(0.5);
  auto in = f.Input(nullptr);
  in.probs = std::span<const float>(f.probs.data(), 1);
  EXPECT_FALSE(RouteItems(in).ok());
}

}  // namespace
}  // namespace hitloop::loop
