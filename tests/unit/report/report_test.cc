#include "report/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/store.h"
#include "support/comparisons.h"
#include "support/temp_dir.h"

namespace hitloop::report {
namespace {

TEST(HtmlEscape, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(HtmlEscape(R"(<script>alert("x&'y")</script>)"),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;");
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenSqliteStore(dir_.path() + "/h.db")).value();
    Project p;
    p.name = "r";
    p.labels = {"ham", "<b>spam</b>"};
    project_ = *store_->CreateProject(p);
  }
  int64_t Item(int i) {
    hitloop::Item it;
    it.project_id = project_.id;
    it.external_id = std::to_string(i);
    it.text = "t" + std::to_string(i);
    it.content_hash = it.external_id;
    int64_t id = 0;
    EXPECT_TRUE(store_->PutItem(it, "", &id).ok());
    return id;
  }
  void Annotate(int64_t item, const std::string& label, LabelSource src, const std::string& who,
                const std::string& kind) {
    Annotation a;
    a.item_id = item;
    a.labels = {label};
    a.source = src;
    a.annotator = who;
    a.kind = kind;
    ASSERT_TRUE(store_->AppendAnnotation(a).ok());
  }
  hitloop::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_F(ReportTest, CountsCorrectionsFlagsSystematicPairsAndEscapesNames) {
  const std::string spam = "<b>spam</b>";
  // 40 items auto-accepted as ham; people (audits) say spam for 12 of them.
  for (int i = 0; i < 40; ++i) {
    const int64_t id = Item(i);
    Annotate(id, "ham", LabelSource::kModel, "m1", "label");
    Annotate(id, i < 12 ? spam : "ham", LabelSource::kAudit, "<eve>", "audit");
  }
  // 10 items predicted spam, reviewed as spam (no correction).
  for (int i = 40; i < 50; ++i) {
    const int64_t id = Item(i);
    Prediction p;
    p.item_id = id;
    p.model_version = "m1";
    p.distribution = {0.1, 0.9};
    p.label = spam;
    p.confidence = 0.9;
    ASSERT_TRUE(store_->PutPrediction(p).ok());
    Annotate(id, spam, LabelSource::kHuman, "bob", "review");
  }
  ASSERT_TRUE(store_->AppendCycle(project_.id, 1, R"({"model_version":"m1","gold_after":{"accuracy":0.9,"macro_f1":0.8,"ece":0.05},"auto_accepted":40})").ok());
  auto r = BuildReport(*store_, project_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->overall.answers, 50);
  EXPECT_EQ(r->overall.corrections, 12);
  EXPECT_EQ(r->by_annotator["<eve>"].corrections, 12);
  EXPECT_EQ(r->by_source["review"].corrections, 0);
  EXPECT_EQ(r->by_model_view["auto-accepted"].answers, 40);
  ASSERT_FALSE(r->pairs.empty());
  EXPECT_EQ(r->pairs[0].model_label, "ham");
  EXPECT_EQ(r->pairs[0].people_label, spam);
  EXPECT_TRUE(r->pairs[0].systematic);
  ASSERT_EQ(r->cycles.size(), 1u);
  EXPECT_DOUBLE_EQ(r->cycles[0].accuracy_after, 0.9);
  const std::string html = ReportToHtml(*r);
  EXPECT_EQ(html.find("<b>spam</b>"), std::string::npos);
  EXPECT_EQ(html.find("<eve>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;spam&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  auto j = nlohmann::json::parse(ReportToJson(*r));
  EXPECT_EQ(j["overall"]["corrections"], 12);
  EXPECT_EQ(j["systematic_corrections"].size(), 1u);
}

TEST_F(ReportTest, ShowsAuditStrataRulesAndDetectorsFromTheNewestCycleEscaped) {
  const int64_t a = Item(1), b = Item(2);
  std::vector<Detection> ds = {{a, "language", "en", 0.9, ""}, {b, "language", "<img src=x>", 0.5, ""},
                               {a, "format", "email", 0.8, ""}};
  ASSERT_TRUE(store_->PutDetections(ds).ok());
  ASSERT_TRUE(store_->AppendCycle(project_.id, 1, R"j({"audit_strata":[{"label":"old","band":"[0,0.5)","audits":1,"errors":1}]})j").ok());
  ASSERT_TRUE(store_->AppendCycle(project_.id, 2, R"({"audit_strata":[{"label":"<b>spam</b>","band":"[0.99,1]","audits":40,"errors":1}],)"
                                                  R"("rules":[{"name":"duplicate-exact","certified":true,"candidates":9,"audits":150,"errors":0,"error_upper":0.0198,"accepted":9}]})").ok());
  auto r = BuildReport(*store_, project_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->strata.size(), 1u);  // the newest cycle's only
  EXPECT_EQ(r->strata[0].band, "[0.99,1]");
  ASSERT_EQ(r->rules.size(), 1u);
  EXPECT_EQ(r->rules[0].state, "certified");
  EXPECT_EQ(r->detections["language"]["en"], 1);
  EXPECT_EQ(r->detections["format"]["email"], 1);
  const std::string html = ReportToHtml(*r);
  EXPECT_EQ(html.find("<img src=x>"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x&gt;"), std::string::npos);
  EXPECT_NE(html.find("duplicate-exact"), std::string::npos);
  auto j = nlohmann::json::parse(ReportToJson(*r));
  EXPECT_EQ(j["audit_strata"][0]["audits"], 40);
  EXPECT_NEAR(j["audit_strata"][0]["precision"].get<double>(), 0.975, 1e-9);
  EXPECT_EQ(j["rules"][0]["state"], "certified");
  EXPECT_EQ(j["detections"]["language"]["<img src=x>"], 1);
}

}  // namespace
}  // namespace hitloop::report

namespace hitloop::report {
namespace {

// Regression: after two cycles the "accuracy before" series has one point (the first cycle has
// no earlier model), and a one-point polyline draws nothing: the series was invisible. Every
// point is now a marker with its value as a tooltip, and the y axis starts at zero.
TEST_F(ReportTest, ChartShowsASinglePointSeriesFromZeroWithTooltips) {
  ASSERT_TRUE(store_->AppendCycle(project_.id, 1, R"({"model_version":"m1","gold_after":{"accuracy":0.91},"audits_total":12,"min_audits_needed":149})").ok());
  ASSERT_TRUE(store_->AppendCycle(project_.id, 2, R"({"model_version":"m2","gold_before":{"accuracy":0.91},"gold_after":{"accuracy":0.93},"audits_total":40,"min_audits_needed":149})").ok());
  auto r = BuildReport(*store_, project_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cycles.size(), 2u);
  EXPECT_EQ(r->cycles[1].audits_total, 40);
  const std::string html = ReportToHtml(*r);
  EXPECT_NE(html.find("<title>accuracy before, cycle 2: 0.9100</title>"), std::string::npos) << html;
  EXPECT_NE(html.find("<title>accuracy after, cycle 1: 0.9100</title>"), std::string::npos);
  EXPECT_NE(html.find(">0.00</text>"), std::string::npos) << "the y axis starts at zero";
  auto j = nlohmann::json::parse(ReportToJson(*r));
  EXPECT_EQ(j["cycles"][1]["audits_total"], 40);
  EXPECT_EQ(j["cycles"][1]["min_audits_needed"], 149);
}

}  // namespace
}  // namespace hitloop::report

namespace hitloop::report {
namespace {

// Pairwise projects get the comparison section (preference/report.h), escaped like the rest.
TEST(PreferenceReportSection, ShowsDisputedPromptsEscaped) {
  hitloop::testing::TempDir dir;
  std::unique_ptr<Store> store;
  const Project p = hitloop::testing::MakePairwiseProject(dir.path() + "/p.db", &store);
  Item it;
  it.project_id = p.id;
  it.external_id = "<i>q</i>";
  it.text = "x";
  it.meta_json = R"({"prompt":"<script>x</script>","responses":[{"text":"a"},{"text":"b"}]})";
  int64_t id = 0;
  ASSERT_TRUE(store->PutItem(it, "t", &id).ok());
  hitloop::testing::AppendComparison(*store, id, "u", {"A>B"}, 1);
  hitloop::testing::AppendComparison(*store, id, "v", {"B>A"}, 2);
  auto r = BuildReport(*store, p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->preferences.has_value());
  EXPECT_FALSE(r->quality.has_value());
  const std::string html = ReportToHtml(*r);
  EXPECT_NE(html.find("Comparisons: overall judgement"), std::string::npos);
  EXPECT_NE(html.find("&lt;i&gt;q&lt;/i&gt;: &lt;script&gt;x&lt;/script&gt;"), std::string::npos) << html;
  EXPECT_EQ(html.find("<script>x"), std::string::npos);
  const auto j = nlohmann::json::parse(ReportToJson(*r));
  EXPECT_EQ(j["preferences"]["criteria"][0]["disputed"][0]["resolved"], "A=B");
}

}  // namespace
}  // namespace hitloop::report
