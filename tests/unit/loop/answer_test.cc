#include "loop/answer.h"

#include <gtest/gtest.h>

#include <iterator>
#include <vector>

#include "loop_store_fixture.h"
#include "preference/item.h"

namespace hitloop::loop {
namespace {

class AnswerTest : public LoopStoreFixture {};

TEST_F(AnswerTest, DisagreementUnderOverlapEnqueuesAdjudicationAgreementDoesNot) {
  AddItems(2, Split::kPool, 1);
  std::vector<int64_t> ids;
  for (const auto& [id, y] : gold_) ids.push_back(id);
  for (int64_t id : ids) {
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = id;
    e.kind = "review";
    e.overlap = 2;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  EXPECT_EQ(AnswerAll("alice", {"review"}), 2);
  // Nothing to adjudicate before the second answer.
  EXPECT_EQ(AnswerAll("reviewer", {"adjudicate"}), 0);
  // bob agrees on nothing: both items now have disagreeing answers.
  EXPECT_EQ(AnswerAll("bob", {"review"}, /*wrong=*/true), 2);
  int adjudicate = 0;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    adjudicate += q.kind == "adjudicate";
    return true;
  }).ok());
  EXPECT_EQ(adjudicate, 2);
  EXPECT_EQ(AnswerAll("reviewer", {"adjudicate"}), 2);
  auto history = store_->ListAnnotations(ids[0]);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().kind, "adjudicate");
  EXPECT_EQ(history->back().source, LabelSource::kHuman);

  // Agreement: no adjudication.
  AddItems(1, Split::kPool, 2);
  const int64_t third = gold_.rbegin()->first;
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = third;
  e.kind = "review";
  e.overlap = 2;
  ASSERT_TRUE(store_->Enqueue(e).ok());
  EXPECT_EQ(AnswerAll("alice", {"review"}), 1);
  EXPECT_EQ(AnswerAll("bob", {"review"}), 1);
  EXPECT_EQ(AnswerAll("reviewer", {"adjudicate"}), 0);
}

// Comparisons on a pairwise project were checked against the project's label list (its criteria),
// so no valid comparison ("B>A") could be submitted and nothing checked its shape. Now the labels
// are decoded against the item's responses and the criteria.
TEST_F(AnswerTest, ComparisonsAreCheckedAgainstTheItemsResponsesAndTheCriteria) {
  Project p;
  p.name = "prefs";
  p.type = TaskType::kPairwisePreference;
  p.labels = {"harmlessness", "helpfulness"};
  auto created = store_->CreateProject(p);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  preference::PreferenceItem pi;
  pi.prompt = "How do I boil an egg?";
  pi.responses = {{"", "Put it in boiling water for 8 minutes.", ""}, {"", "No.", ""}};
  auto meta = preference::ToMetaJson(pi, "{}");
  ASSERT_TRUE(meta.ok());
  Item it;
  it.project_id = created->id;
  it.external_id = "q1";
  it.text = pi.prompt;
  it.meta_json = *meta;
  it.content_hash = "q1";
  int64_t id = 0;
  ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
  QueueEntry e;
  e.project_id = created->id;
  e.item_id = id;
  e.kind = "review";
  e.overlap = 9;  // one answer each from several people
  ASSERT_TRUE(store_->Enqueue(e).ok());
  int person = 0;
  auto submit = [&](const std::vector<std::string>& labels) {
    const std::string who = "ann" + std::to_string(++person);
    ClaimRequest req;
    req.project_id = created->id;
    req.annotator = who;
    req.pools = {"general"};
    req.now = now_;
    auto c = store_->Claim(req);
    EXPECT_TRUE(c.ok() && c->has_value());
    Answer a;
    a.labels = labels;
    const Status st = RecordAnswer(*store_, *created, (*c)->lease, who, a, now_);
    if (!st.ok()) {
      EXPECT_TRUE(store_->FinishLease((*c)->lease.id, who, LeaseState::kReleased, now_).ok());
    }
    return st;
  };
  EXPECT_TRUE(submit({"harmlessness:A>B/much", "helpfulness:A=B", "shown:BA"}).ok());
  EXPECT_TRUE(submit({"bad"}).ok());
  EXPECT_EQ(submit({"A>C"}).code(), StatusCode::kInvalidArgument);           // no response C
  EXPECT_EQ(submit({"safety:A>B"}).code(), StatusCode::kInvalidArgument);    // not a criterion
  EXPECT_EQ(submit({"helpfulness:A>B", "helpfulness:B>A"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(submit({"shown:AB"}).code(), StatusCode::kInvalidArgument);      // no judgement
  EXPECT_EQ(submit({"A>B/hugely"}).code(), StatusCode::kInvalidArgument);    // no such strength
  auto history = store_->ListAnnotations(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);  // the refused answers wrote nothing

  // Under overlap 2, two people who judge alike but saw the responses in different orders agree:
  // the display order is not a judgement, so nothing goes to adjudication.
  auto adjudications = [&] {
    int n = 0;
    EXPECT_TRUE(store_->ScanOpenQueue(created->id, [&](const QueueEntry& q) {
      n += q.kind == "adjudicate";
      return true;
    }).ok());
    return n;
  };
  Item it2 = it;
  it2.external_id = it2.content_hash = "q2";
  int64_t id2 = 0;
  ASSERT_TRUE(store_->PutItem(it2, "t", &id2).ok());
  e.item_id = id2;
  e.overlap = 2;
  e.priority = 1e6;  // claimed before the first item's entry, which still has room
  ASSERT_TRUE(store_->Enqueue(e).ok());
  ASSERT_TRUE(submit({"harmlessness:A>B", "shown:AB"}).ok());
  ASSERT_TRUE(submit({"harmlessness:A>B", "shown:BA"}).ok());
  EXPECT_EQ(adjudications(), 0);
  auto second = store_->ListAnnotations(id2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->size(), 2u);  // both answers went to the overlap-2 item
}

TEST(FinalAuditLabel, OneAnswerAgreeingPairOrTheAdjudication) {
  EXPECT_EQ(FinalAuditLabel(std::vector<int>{}, -1), -1);
  EXPECT_EQ(FinalAuditLabel(std::vector<int>{1}, -1), 1);
  EXPECT_EQ(FinalAuditLabel(std::vector<int>{1, 1}, -1), 1);
  EXPECT_EQ(FinalAuditLabel(std::vector<int>{1, 0}, -1), -1);  // waiting for the adjudicator
  EXPECT_EQ(FinalAuditLabel(std::vector<int>{1, 0}, 0), 0);
}

TEST_F(AnswerTest, AnAuditDisagreeingWithTheModelGetsASecondPersonThenAnAdjudicator) {
  AddItems(2, Split::kPool, 5);
  auto it = gold_.begin();
  const int64_t disagree = it->first, agree = std::next(it)->first;
  const std::string truth = it->second, other = truth == "ham" ? "spam" : "ham";
  // The model predicts the wrong class for the first item and the right one for the second.
  for (auto [id, label] : {std::pair{disagree, other}, {agree, gold_[agree]}}) {
    Prediction p;
    p.item_id = id;
    p.model_version = "m1";
    p.label = label;
    p.distribution = {0.5, 0.5};
    p.confidence = 0.9;
    ASSERT_TRUE(store_->PutPrediction(p).ok());
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = id;
    e.kind = "audit";
    e.priority = 2e9;  // before the second audits (1e9): alice answers both first audits
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  auto open = [&](const std::string& kind) {
    std::vector<int64_t> items;
    EXPECT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
      if (q.kind == kind) items.push_back(q.item_id);
      return true;
    }).ok());
    return items;
  };
  auto answer_one = [&](const std::string& who, const std::string& kind, const std::string& label) {
    ClaimRequest req;
    req.project_id = project_.id;
    req.annotator = who;
    req.pools = {"general"};
    req.kinds = {kind};
    req.now = now_;
    auto c = store_->Claim(req);
    ASSERT_TRUE(c.ok() && c->has_value());
    Answer ans;
    ans.labels = {label.empty() ? gold_[(*c)->lease.item_id] : label};
    ASSERT_TRUE(RecordAnswer(*store_, project_, (*c)->lease, who, ans, now_).ok());
  };
  answer_one("alice", "audit", "");
  answer_one("alice", "audit", "");
  // alice's answer disagreed with the model on `disagree` only: a second audit for it.
  EXPECT_EQ(open("audit"), std::vector<int64_t>{disagree});
  EXPECT_TRUE(open("adjudicate").empty());
  answer_one("bob", "audit", other);  // bob sides with the model: the two people disagree
  EXPECT_TRUE(open("audit").empty());
  EXPECT_EQ(open("adjudicate"), std::vector<int64_t>{disagree});
  answer_one("carol", "adjudicate", "");
  auto history = store_->ListAnnotations(disagree);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].source, LabelSource::kAudit);
  EXPECT_EQ((*history)[1].source, LabelSource::kAudit);
  EXPECT_EQ((*history)[2].kind, "adjudicate");
  // Switched off in the loop config: one answer per audit.
  AddItems(1, Split::kPool, 6);
  const int64_t third = gold_.rbegin()->first;
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, R"({"loop": {"audit_second_opinion": false}})").ok());
  project_ = Reload();
  Prediction p;
  p.item_id = third;
  p.model_version = "m1";
  p.label = gold_[third] == "ham" ? "spam" : "ham";
  p.distribution = {0.5, 0.5};
  ASSERT_TRUE(store_->PutPrediction(p).ok());
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = third;
  e.kind = "audit";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  answer_one("alice", "audit", "");
  EXPECT_TRUE(open("audit").empty());
}

// Regression: an amended answer was appended as one more answer, so a person who corrected an
// audit counted as two auditors disagreeing (the item waited for an adjudication nobody had
// queued, and never counted for the certificate), and amend ran none of the checks a submit runs.
// Now a person's newest answer replaces their earlier one wherever answers are counted, and
// amend runs the same after-answer checks.
TEST_F(AnswerTest, AnAmendedAnswerReplacesThePersonsEarlierOneAndIsCheckedAgain) {
  AddItems(2, Split::kPool, 7);
  auto it = gold_.begin();
  const int64_t audited = it->first, reviewed = std::next(it)->first;
  const std::string truth = it->second, other = truth == "ham" ? "spam" : "ham";
  Prediction p;
  p.item_id = audited;
  p.model_version = "m1";
  p.label = truth;  // the model is right
  p.distribution = {0.5, 0.5};
  ASSERT_TRUE(store_->PutPrediction(p).ok());
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = audited;
  e.kind = "audit";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  auto claim = [&](const std::string& who, const std::string& kind) {
    ClaimRequest req{project_.id, who, {"general"}, {kind}, now_, 600000};
    auto c = store_->Claim(req);
    EXPECT_TRUE(c.ok() && c->has_value());
    return (*c)->lease;
  };
  auto submit = [&](const Lease& l, const std::string& who, const std::string& label) {
    Answer a;
    a.labels = {label};
    return RecordAnswer(*store_, project_, l, who, a, now_);
  };
  auto amend = [&](const Lease& held, const std::string& who, const std::string& label) {
    auto l = store_->GetLease(held.id);  // as submitted
    EXPECT_TRUE(l.ok());
    Answer a;
    a.labels = {label};
    return AmendAnswer(*store_, project_, *l, who, a, now_ + 1);
  };
  auto open = [&](const std::string& kind) { return OpenCount(kind); };
  // alice's audit slips (disagrees with the model): a second audit is queued; she corrects it.
  const Lease a1 = claim("alice", "audit");
  ASSERT_TRUE(submit(a1, "alice", other).ok());
  EXPECT_EQ(open("audit"), 1);
  ASSERT_TRUE(amend(a1, "alice", truth).ok());
  auto history = store_->ListAnnotations(audited);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);  // the history keeps both
  const auto audits = AuditAnswers(*history);
  ASSERT_EQ(audits.size(), 1u) << "one person, one audit answer";
  EXPECT_EQ(audits[0]->labels[0], truth);
  // bob gives the second opinion and agrees with alice's corrected answer: nothing to adjudicate.
  const Lease b1 = claim("bob", "audit");
  ASSERT_TRUE(submit(b1, "bob", truth).ok());
  EXPECT_EQ(open("adjudicate"), 0);
  // bob then amends into a disagreement: the amend itself queues the adjudication.
  ASSERT_TRUE(amend(b1, "bob", other).ok());
  EXPECT_EQ(open("adjudicate"), 1);

  // Review under overlap 2: alice and bob disagree, bob corrects himself: the entry's answers are
  // each person's newest, so no adjudication; someone else's lease or a late amend is refused.
  QueueEntry r;
  r.project_id = project_.id;
  r.item_id = reviewed;
  r.kind = "review";
  r.overlap = 2;
  ASSERT_TRUE(store_->Enqueue(r).ok());
  const Lease la = claim("alice", "review");
  ASSERT_TRUE(submit(la, "alice", gold_[reviewed]).ok());
  const Lease lb = claim("bob", "review");
  ASSERT_TRUE(submit(lb, "bob", gold_[reviewed] == "ham" ? "spam" : "ham").ok());
  EXPECT_EQ(open("adjudicate"), 2);  // the audit's, and this one
  Answer fix;
  fix.labels = {gold_[reviewed]};
  Lease lb_done = *store_->GetLease(lb.id);
  EXPECT_EQ(AmendAnswer(*store_, project_, lb_done, "alice", fix, now_ + 1).code(), StatusCode::kConflict);
  EXPECT_EQ(AmendAnswer(*store_, project_, lb_done, "bob", fix, lb_done.expires_at).code(), StatusCode::kConflict);
  ASSERT_TRUE(AmendAnswer(*store_, project_, lb_done, "bob", fix, now_ + 1).ok());
  // MaybeAdjudicate after the amend sees alice and bob agreeing: no new adjudication entry.
  EXPECT_EQ(open("adjudicate"), 2);
}

TEST_F(AnswerTest, AuditLeasesRecordAuditLabels) {
  AddItems(1, Split::kPool, 3);
  QueueEntry e;
  e.project_id = project_.id;
  e.item_id = gold_.begin()->first;
  e.kind = "audit";
  ASSERT_TRUE(store_->Enqueue(e).ok());
  EXPECT_EQ(AnswerAll("alice", {"audit"}), 1);
  auto it = store_->GetItem(e.item_id);
  ASSERT_TRUE(it.ok());
  EXPECT_EQ(it->label_source, LabelSource::kAudit);
}

// The server runs RecordAnswer inside a shared transaction (group commit): it must join it, and
// a failing answer must leave the other writes of that transaction alone.
TEST_F(AnswerTest, JoinsAnEnclosingTransactionAndFailsAlone) {
  AddItems(2, Split::kPool, 4);
  for (const auto& [id, y] : gold_) {
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = id;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  std::vector<Lease> leases;
  for (int i = 0; i < 2; ++i) {
    auto c = store_->Claim({project_.id, "alice", {"general"}, {}, now_, 60000});
    ASSERT_TRUE(c.ok() && c->has_value());
    leases.push_back((*c)->lease);
  }
  Answer good;
  good.labels = {"ham"};
  Answer bad;
  bad.labels = {"ham"};

  // Rolled back with the enclosing transaction: nothing of the answer stays.
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(RecordAnswer(*store_, project_, leases[0], "alice", good, now_).ok());
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_EQ(store_->GetLease(leases[0].id)->state, LeaseState::kActive);
  EXPECT_TRUE(store_->ListAnnotations(leases[0].item_id)->empty());

  // In one transaction: a good answer, then one that fails after it finished the lease (its
  // annotation's item does not exist), then the good answer's effects still commit.
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(RecordAnswer(*store_, project_, leases[0], "alice", good, now_).ok());
  Lease broken = leases[1];
  broken.item_id = 999999;  // FinishLease succeeds, AppendAnnotation then fails: NotFound
  EXPECT_EQ(RecordAnswer(*store_, project_, broken, "alice", bad, now_).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(store_->GetLease(leases[0].id)->state, LeaseState::kSubmitted);
  EXPECT_EQ(store_->ListAnnotations(leases[0].item_id)->size(), 1u);
  // The failed answer's lease finish was undone with it.
  EXPECT_EQ(store_->GetLease(leases[1].id)->state, LeaseState::kActive);
  EXPECT_TRUE(store_->ListAnnotations(leases[1].item_id)->empty());
}

}  // namespace
}  // namespace hitloop::loop
