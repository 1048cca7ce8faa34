// LoadCycleInputs (loop/cycle_steps.h): what a cycle trains on, from people's answers and the
// reviewers' verdicts on them.
#include <gtest/gtest.h>

#include "loop/cycle_steps.h"
#include "loop_store_fixture.h"

namespace hitloop::loop {
namespace {

class CycleInputsTest : public LoopStoreFixture {
 protected:
  int64_t Answer(int64_t item, const std::string& who, const std::string& label,
                 const std::string& kind = "review") {
    Annotation a;
    a.item_id = item;
    a.labels = {label};
    a.annotator = who;
    a.kind = kind;
    a.created_at = ++clock_;
    auto id = store_->AppendAnnotation(a);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  void Reject(int64_t answer) {
    Review r;
    r.project_id = project_.id;
    r.annotation_id = answer;
    r.reviewer = "rita";
    r.verdict = "reject";
    r.comment = "wrong";
    r.created_at = ++clock_;
    ASSERT_TRUE(store_->PutReview(r).ok());
  }
  int64_t clock_ = 1000;
};

// Regression: the model trained on answers a reviewer had rejected (they counted until their
// annotator answered the rework): two rejected "spam" answers outvoted one "ham". Now a rejected
// answer votes for nothing; an item whose every answer was rejected is not trained on; a rejected
// adjudication decides nothing.
TEST_F(CycleInputsTest, RejectedAnswersAreNotTrainedOn) {
  AddItems(6, Split::kPool, 1);
  std::vector<int64_t> ids;
  for (const auto& [id, label] : gold_) ids.push_back(id);
  const int64_t outvoted = ids[0], all_rejected = ids[1], adjudicated = ids[2];
  Reject(Answer(outvoted, "w1", "spam"));
  Reject(Answer(outvoted, "w2", "spam"));
  Answer(outvoted, "w3", "ham");
  Reject(Answer(all_rejected, "w1", "spam"));
  Answer(adjudicated, "w1", "ham");
  Answer(adjudicated, "w2", "ham");
  Reject(Answer(adjudicated, "lead", "spam", "adjudicate"));
  CycleOptions o;
  o.models_dir = dir_.path() + "/models";
  auto in = LoadCycleInputs(*store_, project_, o);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->train_label[in->pos.at(outvoted)], 0) << "ham: the rejected spam answers do not vote";
  EXPECT_EQ(in->train_label[in->pos.at(all_rejected)], -1) << "every answer rejected: no training label";
  EXPECT_EQ(in->train_label[in->pos.at(adjudicated)], 0) << "the rejected adjudication decides nothing";
}

// Regression: an audit answer its auditor amended counted as two audits that disagreed, so the
// item waited for an adjudication nobody had queued and never counted for the certificate. Each
// person's newest audit answer counts once.
TEST_F(CycleInputsTest, AnAmendedAuditIsOnePersonsAnswer) {
  AddItems(3, Split::kPool, 1);
  std::vector<int64_t> ids;
  for (const auto& [id, label] : gold_) ids.push_back(id);
  auto audit = [&](int64_t item, const std::string& who, const std::string& label) {
    Annotation a;
    a.item_id = item;
    a.labels = {label};
    a.annotator = who;
    a.source = LabelSource::kAudit;
    a.kind = "audit";
    a.created_at = ++clock_;
    ASSERT_TRUE(store_->AppendAnnotation(a).ok());
  };
  audit(ids[0], "alice", "spam");
  audit(ids[0], "alice", "ham");  // amended
  audit(ids[1], "alice", "spam");
  audit(ids[1], "bob", "spam");
  audit(ids[2], "alice", "ham");
  audit(ids[2], "alice", "spam");  // amended
  audit(ids[2], "bob", "ham");     // a second person disagrees with alice's corrected answer
  CycleOptions o;
  o.models_dir = dir_.path() + "/models";
  auto in = LoadCycleInputs(*store_, project_, o);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->audit_label[in->pos.at(ids[0])], 0) << "ham, alice's corrected answer";
  EXPECT_FALSE(in->audit_pending[in->pos.at(ids[0])]);
  EXPECT_EQ(in->audit_label[in->pos.at(ids[1])], 1);
  EXPECT_EQ(in->audit_label[in->pos.at(ids[2])], -1) << "two people disagree: waits for the adjudication";
}

}  // namespace
}  // namespace hitloop::loop
