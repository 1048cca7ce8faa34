#include "quality/project_quality.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace hitloop::quality {
namespace {

class ProjectQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_.File("db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    Project p;
    p.name = "p";
    p.labels = {"ham", "spam"};
    project_ = *store_->CreateProject(p);
  }
  int64_t AddItem(const std::string& ext, Split split = Split::kPool) {
    Item it;
    it.project_id = project_.id;
    it.external_id = ext;
    it.text = "text " + ext;
    it.content_hash = ext;
    it.split = split;
    int64_t id = 0;
    EXPECT_TRUE(store_->PutItem(it, "t", &id).ok());
    return id;
  }
  int64_t Answer(int64_t item, const std::string& who, const std::string& label, std::string kind = "review",
                 int64_t time_ms = 0, LabelSource source = LabelSource::kHuman) {
    Annotation a;
    a.item_id = item;
    a.annotator = who;
    a.labels = {label};
    a.kind = std::move(kind);
    a.source = source;
    a.time_spent_ms = time_ms;
    a.created_at = ++clock_;
    auto id = store_->AppendAnnotation(a);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  void Verdict(int64_t answer, const std::string& verdict) {
    Review r;
    r.project_id = project_.id;
    r.annotation_id = answer;
    r.reviewer = "rita";
    r.verdict = verdict;
    r.comment = "why";
    r.created_at = ++clock_;
    auto id = store_->PutReview(r);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
  int64_t clock_ = 1000;
};

TEST_F(ProjectQualityTest, AnswersGoldAdjudicationAndPerAnnotator) {
  const int64_t a = AddItem("a"), b = AddItem("b"), g = AddItem("g", Split::kGold);
  Answer(g, "import", "spam", "import");  // the gold answer, not a vote
  Answer(a, "w1", "ham", "review", 1000);
  Answer(a, "w1", "spam", "review", 3000);  // newer answer by the same person replaces the older
  Answer(a, "w2", "spam", "answer", 2000);
  Answer(b, "w1", "ham", "review");
  Answer(b, "w2", "spam", "review");
  Answer(b, "lead", "spam", "adjudicate");  // decides, does not vote
  Answer(g, "w1", "spam", "review");
  Answer(g, "w2", "ham", "audit", 0, LabelSource::kAudit);
  auto answers = LoadProjectAnswers(*store_, project_);
  ASSERT_TRUE(answers.ok()) << answers.status().ToString();
  const RatingTable& t = answers->table;
  EXPECT_EQ(t.num_items(), 3);
  EXPECT_EQ(t.num_ratings(), 6);
  EXPECT_EQ(t.annotators, (std::vector<std::string>{"w1", "w2"}));
  EXPECT_EQ(answers->gold, (std::map<int64_t, int>{{g, 1}}));
  EXPECT_EQ(answers->adjudicated, (std::map<int64_t, int>{{b, 1}}));
  EXPECT_EQ(t.Cell(t.RowOf(a), 0), 1);

  auto resolved = ResolveProject(*answers, AggregateMethod::kMajority, project_);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->items.at(b).method, "adjudicated");
  EXPECT_EQ(resolved->items.at(b).label, 1);
  EXPECT_EQ(resolved->items.at(a).label, 1);
  EXPECT_DOUBLE_EQ(resolved->items.at(a).confidence, 1.0);

  QualityOptions opts;
  opts.agreement.bootstrap.replicates = 50;
  opts.agreement.min_shared_items = 1;
  opts.method = AggregateMethod::kMajority;
  auto q = BuildQualityReport(project_, *answers, opts);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->per_annotator.size(), 2u);
  const AnnotatorQuality& w1 = q->per_annotator[0];
  EXPECT_EQ(w1.annotator, "w1");
  EXPECT_EQ(w1.answers, 3);
  ASSERT_TRUE(w1.gold.has_value());
  EXPECT_EQ(w1.gold->answered, 1);
  EXPECT_EQ(w1.gold->correct, 1);
  EXPECT_GT(w1.gold->interval.lower, 0.0);
  EXPECT_DOUBLE_EQ(*w1.median_time_ms, 3000.0);  // the replaced answer's time is gone
  const AnnotatorQuality& w2 = q->per_annotator[1];
  EXPECT_EQ(w2.gold->correct, 0);
  // w1 on b said ham, the adjudication says spam: confusion[resolved=spam][said=ham].
  EXPECT_EQ(w1.confusion[1][0], 1);
  EXPECT_EQ(w1.agree_with_resolved, 2);
  ASSERT_TRUE(q->agreement.has_value());
  EXPECT_EQ(q->agreement->pairs.size(), 1u);
  auto j = nlohmann::json::parse(QualityToJson(*q));
  EXPECT_EQ(j["aggregation"]["method"], "mv");
  EXPECT_EQ(j["per_annotator"][0]["gold"]["correct"], 1);
  EXPECT_TRUE(j["agreement"]["krippendorff_alpha"].contains("ratio"));
  EXPECT_FALSE(QualityToText(*q).empty());
}

TEST_F(ProjectQualityTest, AggregateSettingLivesInTheConfig) {
  EXPECT_EQ(*ProjectAggregateMethod(project_), AggregateMethod::kAuto);
  auto cfg = SetAggregateMethod("{\"loop\":{\"review_batch\":7}}", AggregateMethod::kDawidSkene);
  ASSERT_TRUE(cfg.ok());
  EXPECT_NE(cfg->find("review_batch"), std::string::npos) << "other keys are kept";
  project_.config_json = *cfg;
  EXPECT_EQ(*ProjectAggregateMethod(project_), AggregateMethod::kDawidSkene);
  project_.config_json = "{\"quality\":{\"aggregate\":\"vote\"}}";
  EXPECT_EQ(ProjectAggregateMethod(project_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ProjectQualityTest, NoAnswersIsNotAnError) {
  AddItem("a");
  auto q = ProjectQuality(*store_, project_);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->items, 0);
  EXPECT_FALSE(q->agreement.has_value());
  EXPECT_EQ(nlohmann::json::parse(QualityToJson(*q))["agreement"], nullptr);
}

TEST_F(ProjectQualityTest, CollectorKeepsNewestAnswerAndResolves) {
  AnswerCollector c;
  c.Add(5, "b", 0);
  c.Add(5, "a", 1);
  c.Add(5, "b", 1);  // b changed their mind
  c.Add(6, "a", 0);
  auto r = c.Resolve(project_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at(5), 1);
  EXPECT_EQ(r->at(6), 0);
  AnswerCollector bad;
  bad.Add(1, "a", 7);
  EXPECT_FALSE(bad.Resolve(project_, {}).ok());
}

// Regression: a rejected answer kept counting toward the item's resolved label (and so the exported
// label and the model's training label) until its annotator answered the rework; w1 and w2's
// rejected "spam" outvoted w3's "ham". Now a rejected answer votes for nothing: it still replaces
// its author's older answers, an approval after it counts it again, and a rejected adjudication
// decides nothing.
TEST_F(ProjectQualityTest, ARejectedAnswerDoesNotCountTowardTheResolvedLabel) {
  const int64_t a = AddItem("a"), b = AddItem("b"), c = AddItem("c");
  Answer(a, "w1", "ham");
  const int64_t a1 = Answer(a, "w1", "spam");  // w1's newest answer, rejected below
  const int64_t a2 = Answer(a, "w2", "spam", "answer");  // imported: reviewable too
  Answer(a, "w3", "ham");
  Verdict(a1, "reject");
  Verdict(a2, "reject");
  const int64_t b1 = Answer(b, "w1", "spam");
  Answer(b, "w2", "spam");
  Verdict(b1, "reject");
  Verdict(b1, "approve");  // the newest verdict counts
  Answer(c, "w1", "ham");
  Answer(c, "w2", "spam");
  const int64_t adj = Answer(c, "lead", "ham", "adjudicate");
  Verdict(adj, "reject");
  auto answers = LoadProjectAnswers(*store_, project_);
  ASSERT_TRUE(answers.ok()) << answers.status().ToString();
  const RatingTable& t = answers->table;
  EXPECT_EQ(t.RatingsInRow(t.RowOf(a)), 1) << "only w3's answer counts on a";
  EXPECT_EQ(t.RatingsInRow(t.RowOf(b)), 2);
  ASSERT_EQ(answers->rejected.size(), 2u);
  EXPECT_EQ(answers->rejected[0].answer_id, a1);
  EXPECT_EQ(answers->rejected[1].answer_id, a2);
  EXPECT_TRUE(answers->adjudicated.empty()) << "the rejected adjudication decides nothing";
  auto resolved = ResolveProject(*answers, AggregateMethod::kMajority, project_);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->items.at(a).label, 0) << "w3's ham, not the rejected spam";
  EXPECT_EQ(resolved->items.at(b).label, 1);
  EXPECT_EQ(resolved->items.at(c).method, "mv");

  QualityOptions opts;
  opts.agreement.bootstrap.replicates = 20;
  auto q = BuildQualityReport(project_, *answers, opts);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->rejected_answers, 2);
  EXPECT_EQ(q->per_annotator[0].annotator, "w1");
  EXPECT_EQ(q->per_annotator[0].rejected, 1);
  EXPECT_EQ(nlohmann::json::parse(QualityToJson(*q))["rejected_answers"], 2);

  // The loop's collector (training labels) follows the same rule.
  AnswerCollector col;
  col.Add(a, "w1", 0);
  col.Add(a, "w1", 1, /*rejected=*/true);
  col.Add(a, "w2", 1, /*rejected=*/true);
  col.Add(a, "w3", 0);
  auto r = col.Resolve(project_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at(a), 0);
}

// When every answer to an item is rejected, the item has no resolved label (and so is neither
// trained on nor exported with a label) until someone answers again.
TEST_F(ProjectQualityTest, AnItemWhoseAnswersAreAllRejectedHasNoResolvedLabel) {
  const int64_t a = AddItem("a"), b = AddItem("b");
  Verdict(Answer(a, "w1", "spam"), "reject");
  Verdict(Answer(a, "w2", "spam"), "reject");
  Answer(b, "w1", "ham");
  auto answers = LoadProjectAnswers(*store_, project_);
  ASSERT_TRUE(answers.ok()) << answers.status().ToString();
  EXPECT_EQ(answers->table.RowOf(a), -1);
  EXPECT_EQ(answers->rejected.size(), 2u);
  auto resolved = ResolveProject(*answers, std::nullopt, project_);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->items.count(a), 0u);
  EXPECT_EQ(resolved->items.count(b), 1u);
  AnswerCollector col;
  col.Add(a, "w1", 1, true);
  col.Add(a, "w2", 1, true);
  auto r = col.Resolve(project_, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace hitloop::quality
