#include "loop/cycle_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hitloop::loop {
namespace {

CycleRecord Sample() {
  CycleRecord r;
  r.cycle = 3;
  r.created_at = 1700000000000;
  r.model_version = "p-c3-1";
  r.model_path = "/m/p-c3-1.model";
  r.model_name = "logreg";
  r.training_size = 120;
  r.pool_size = 1000;
  r.before = GoldMetrics{50, 0.8, 0.75, 0.05};
  r.before_note = "";
  r.threshold_mode = "per-class";
  r.target_precision = 0.98;
  r.confidence = 0.95;
  r.min_audits_needed = 149;
  r.classes = {{"ham", true, 0.97, 150, 1, 0.03, false, 60}, {"spam", false, 0.0, 10, 0, 0.3, true, 0}};
  r.auto_accepted = 500;
  r.stratified_audit_items = {4, 8};
  r.audit_strata = {{"ham", "[0.95,0.99)", 20, 1}};
  r.audits_total = 160;
  r.audit_precision = {0.99, 0.981, 160, 1};
  r.queued_by_pool = {{"general", 40}, {"experts", 2}};
  r.rules = {{"exact-duplicates", 30, 12, 0, 0.2, false, false, true, 0, 0, 30}};
  r.seconds = 1.5;
  return r;
}

TEST(CycleRecord, WriterAndReaderRoundTrip) {
  const std::string text = CycleRecordToJson(Sample());
  auto back = CycleRecordFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(CycleRecordToJson(*back), text);
  EXPECT_FALSE(back->after.has_value());
  ASSERT_TRUE(back->before.has_value());
  EXPECT_DOUBLE_EQ(back->before->accuracy, 0.8);
  EXPECT_EQ(back->queued_by_pool.at("experts"), 2);
  EXPECT_STREQ(RuleStateName(back->rules[0]), "too_small");
}

TEST(CycleRecord, ModelChoiceAndRepresentationsRoundTrip) {
  CycleRecord r = Sample();
  r.model_name = "lsa+logreg";
  r.model_choice_json = R"({"mode":"auto","model":"lsa+logreg","candidates":[]})";
  r.representations_json = R"([{"name":"lsa","learnt":true}])";
  r.accepted_trained = 7;
  const std::string text = CycleRecordToJson(r);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["model_choice"]["mode"], "auto");
  EXPECT_EQ(j["representations"][0]["name"], "lsa");
  auto back = CycleRecordFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->accepted_trained, 7);
  EXPECT_EQ(CycleRecordToJson(*back), text);
  // Without them: null choice, empty list, and the reader leaves the text empty.
  const auto plain = nlohmann::json::parse(CycleRecordToJson(Sample()));
  EXPECT_TRUE(plain["model_choice"].is_null());
  EXPECT_TRUE(plain["representations"].is_array() && plain["representations"].empty());
  auto back_plain = CycleRecordFromJson(plain.dump());
  ASSERT_TRUE(back_plain.ok());
  EXPECT_TRUE(back_plain->model_choice_json.empty());
  EXPECT_TRUE(back_plain->representations_json.empty());
}

TEST(CycleRecord, ReaderKeepsDefaultsForFieldsOlderRecordsLack) {
  auto r = CycleRecordFromJson(R"({"cycle":2,"global_threshold":0.93,"gold_after":null})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cycle, 2);
  EXPECT_TRUE(r->global_certified);  // a numeric threshold predates the flag
  EXPECT_DOUBLE_EQ(r->global_threshold, 0.93);
  EXPECT_FALSE(r->after.has_value());
  EXPECT_TRUE(r->classes.empty());
  EXPECT_EQ(CycleRecordFromJson("[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CycleRecordFromJson("not json").status().code(), StatusCode::kInvalidArgument);
}

TEST(CycleRecord, LoopStatusFromTheNewestRecord) {
  LoopConfig cfg;
  cfg.target_precision = 0.98;
  cfg.confidence = 0.95;
  LoopStatus none = ComputeLoopStatus(cfg, {});
  EXPECT_EQ(none.cycles, 0);
  EXPECT_EQ(none.min_audits_needed, 149);
  EXPECT_FALSE(none.last.has_value());

  CycleRecord early = Sample();
  early.classes.clear();
  early.audits_total = 100;
  std::vector<CycleRow> rows = {{1, 1, 1, CycleRecordToJson(early)}};
  LoopStatus s = ComputeLoopStatus(cfg, rows);
  ASSERT_TRUE(s.last.has_value());
  EXPECT_FALSE(s.certified);
  EXPECT_EQ(s.audits_still_needed, 49);

  rows.push_back({1, 2, 2, CycleRecordToJson(Sample())});
  s = ComputeLoopStatus(cfg, rows);
  EXPECT_EQ(s.cycles, 2);
  EXPECT_TRUE(s.certified);
  EXPECT_EQ(s.certified_classes, 1);
  EXPECT_EQ(s.audits_still_needed, 0);

  rows.push_back({1, 3, 3, "garbage"});  // an unreadable newest record: no last cycle
  s = ComputeLoopStatus(cfg, rows);
  EXPECT_FALSE(s.last.has_value());
  EXPECT_EQ(s.audits_still_needed, 0);
}

}  // namespace
}  // namespace hitloop::loop
