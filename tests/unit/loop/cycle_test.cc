#include "loop/cycle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "core/clock.h"
#include "loop/config.h"
#include "loop/cycle_record.h"
#include "loop_store_fixture.h"

namespace hitloop::loop {
namespace {

class CycleTest : public LoopStoreFixture {
 protected:
  CycleOptions Options() {
    CycleOptions o;
    o.models_dir = dir_.path() + "/models";
    o.now = now_;
    o.featurizer.hash_bits = 14;
    return o;
  }
  Result<CycleRecord> Cycle(const CycleOptions& o) {
    now_ += 1000;
    CycleOptions oo = o;
    oo.now = now_;
    return RunCycle(*store_, Reload(), oo);
  }
};

// Regression: with a PostgreSQL --db the models folder was "<URI>.models/NAME", an odd relative
// path that could carry the URI's password onto the file system.
TEST(DefaultModelsDir, IsBesideAFileDatabaseAndNeverNamedAfterAUri) {
  EXPECT_EQ(DefaultModelsDir("/data/h.db", "p1"), "/data/h.db.models/p1");
  EXPECT_EQ(DefaultModelsDir("postgresql://u:secret@db.example/h", "p1"), "hitloop-models/p1");
  EXPECT_EQ(DefaultModelsDir("postgres://u@/h?host=/tmp", "p1"), "hitloop-models/p1");
}

TEST_F(CycleTest, ColdStartThenCertifiedAutoAcceptWithRecordsAndModelFiles) {
  AddItems(1200, Split::kPool, 1);
  AddItems(200, Split::kGold, 2);
  auto c1 = Cycle(Options());
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_TRUE(c1->cold_start);
  EXPECT_EQ(c1->auto_accepted, 0);
  EXPECT_EQ(c1->queued_review, 50);
  EXPECT_EQ(c1->audits_queued, 50);
  EXPECT_EQ(c1->min_audits_needed, MinAuditsNeeded(0.02, 0.05, Bound::kClopperPearson));  // 149
  // People answer; audits accumulate over cycles until the threshold is certified.
  bool certified = false;
  for (int round = 0; round < 6 && !certified; ++round) {
    AnswerAll("alice", {});
    auto c = Cycle(Options());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_FALSE(c->cold_start);
    EXPECT_FALSE(c->model_path.empty());
    ASSERT_TRUE(c->after.has_value());
    EXPECT_GT(c->after->accuracy, 0.9);
    if (round > 0) EXPECT_TRUE(c->before.has_value()) << c->before_note;
    certified = c->global_certified;
    if (certified) {
      EXPECT_GT(c->auto_accepted, 500);
      // Stratified monitoring audits of the accepted labels are queued too (default 20).
      EXPECT_EQ(c->stratified_audit_items.size(), 20u);
      EXPECT_FALSE(c->audit_strata.empty());
      EXPECT_GE(c->audits_total, 149);
      EXPECT_GE(c->audit_precision.lower_bound, 0.98 - 1e-9);
    } else {
      EXPECT_EQ(c->auto_accepted, 0);
    }
  }
  EXPECT_TRUE(certified);
  auto status = store_->GetStatus(project_.id);
  ASSERT_TRUE(status.ok());
  EXPECT_GT(status->by_label_source["model"], 500);
  auto cycles = store_->ListCycles(project_.id);
  ASSERT_TRUE(cycles.ok());
  EXPECT_GE(cycles->size(), 3u);
  auto j = nlohmann::json::parse(cycles->back().record_json);
  EXPECT_TRUE(j["global_certified"].get<bool>());
}

// Review entries past the first `review_chunk` are queued after the final transaction, a chunk
// per transaction, highest priority first: the queue a cycle leaves is the same (every planned
// entry open once, its item queued), and claims meanwhile wait for one chunk at most.
TEST_F(CycleTest, ReviewEntriesPastTheFirstChunkAreQueuedAfterTheFinalTransaction) {
  AddItems(600, Split::kPool, 1);
  AddItems(100, Split::kGold, 2);
  CycleOptions o = Options();
  o.review_chunk = 7;
  for (int round = 0; round < 3; ++round) {
    auto c = Cycle(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_GT(c->queued_review, 7) << "the chunks are not exercised";
    bool after = false;
    for (const auto& [name, seconds] : c->step_seconds) after |= name == "after: queue";
    EXPECT_TRUE(after);
    std::map<int64_t, int> reviews;
    ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& e) {
      if (e.kind == "review" && e.pool != "_gold") {
        ++reviews[e.item_id];
      }
      return true;
    }).ok());
    EXPECT_EQ(static_cast<int64_t>(reviews.size()), c->queued_review);
    for (const auto& [item, n] : reviews) {
      EXPECT_EQ(n, 1) << "item " << item;
      auto it = store_->GetItem(item);
      ASSERT_TRUE(it.ok());
      EXPECT_EQ(it->state, ItemState::kQueued) << "item " << item;
    }
    AnswerAll("alice", {});
  }
}

// The pool's predictions are written before the final transaction, staged (hidden) and published
// by it; a failed cycle's staged rows are dropped by the next cycle. The record says where the
// time went, the final transaction last.
TEST_F(CycleTest, PredictionsAreStagedBeforeTheFinalTransactionAndAFailedCyclesAreDropped) {
  AddItems(300, Split::kPool, 1);
  ASSERT_TRUE(Cycle(Options()).ok());
  AnswerAll("alice", {});
  // What a cycle that failed after staging leaves behind: a hidden version with rows.
  ASSERT_TRUE(store_->StagePredictions(project_.id, "failed-run", now_).ok());
  int64_t any_item = 0;
  ASSERT_TRUE(store_->ScanItems(project_.id, [&](const Item& it) {
    any_item = it.id;
    return false;
  }).ok());
  Prediction junk;
  junk.item_id = any_item;
  junk.model_version = "failed-run";
  junk.label = project_.labels[0];
  junk.confidence = 1.0;
  junk.created_at = now_ + 100000;  // newer than anything: it would win if it were visible
  ASSERT_TRUE(store_->PutPrediction(junk).ok());

  auto c = Cycle(Options());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_FALSE(c->cold_start);
  EXPECT_EQ(store_->GetStatus(project_.id)->predictions, 300);
  auto latest = store_->LatestPrediction(any_item);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->model_version, c->model_version);
  EXPECT_EQ(*store_->DropStagedPredictions(project_.id), 0) << "nothing is left staged";
  std::vector<std::string> steps;
  for (const auto& [name, seconds] : c->step_seconds) {
    steps.push_back(name);
    EXPECT_GE(seconds, 0.0);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"load", "features", "rules", "plan", "gold and save",
                                              "stage", "final", "final: predictions",
                                              "final: clear queue", "final: labels",
                                              "final: queue"}));
  auto back = CycleRecordFromJson(CycleRecordToJson(*c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->step_seconds.size(), 11u);
}

TEST_F(CycleTest, AuditRegionStateIsKeptBetweenCyclesAndALostFileCertifiesNothing) {
  AddItems(1200, Split::kPool, 1);
  auto cfg = MergeLoopConfig(project_.config_json, R"({"audit_region":"candidate","bound":"betting"})");
  ASSERT_TRUE(cfg.ok());
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *cfg).ok());
  CycleOptions o = Options();
  ASSERT_TRUE(Cycle(o).ok());
  CycleRecord last;
  for (int round = 0; round < 8; ++round) {
    AnswerAll("alice", {});
    auto c = Cycle(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    last = *c;
    EXPECT_TRUE(std::filesystem::exists(o.models_dir + "/audit-regions-c" + std::to_string(c->cycle) + ".bin"));
    if (c->global_certified) break;
  }
  ASSERT_TRUE(last.global_certified) << "audits from the candidate region certify";
  // The state written by the newest cycle is lost: the next cycle may not treat the region
  // draws' audits as whole-pool draws.
  std::filesystem::remove(o.models_dir + "/audit-regions-c" + std::to_string(last.cycle) + ".bin");
  AnswerAll("alice", {});
  auto lost = Cycle(o);
  ASSERT_TRUE(lost.ok()) << lost.status().ToString();
  EXPECT_FALSE(lost->global_certified);
  EXPECT_EQ(lost->auto_accepted, 0);
}

TEST_F(CycleTest, ItemsPeopleAnswerWhileTheModelTrainsAreLeftToThem) {
  // On a big project a cycle trains for minutes while annotators keep working: what they answer
  // in that time must not be queued again, audited, or machine-labelled by the cycle's writes.
  AddItems(1200, Split::kPool, 1);
  AddItems(200, Split::kGold, 2);
  std::set<int64_t> answered;
  CycleOptions o = Options();
  o.before_commit = [&] {
    for (const auto& [id, label] : gold_) {
      auto it = store_->GetItem(id);
      ASSERT_TRUE(it.ok());
      if (it->split != Split::kPool || id % 2 != 0) continue;  // half of the pool
      Annotation a;
      a.item_id = id;
      a.labels = {label};
      a.source = LabelSource::kHuman;
      a.annotator = "bob";
      a.kind = "review";
      ASSERT_TRUE(store_->AppendAnnotation(a).ok());
      answered.insert(id);
    }
  };
  auto c1 = Cycle(o);
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  ASSERT_EQ(answered.size(), 600u);
  int queued = 0, gold_questions = 0;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    EXPECT_EQ(answered.count(q.item_id), 0u) << q.kind << " entry for item " << q.item_id
                                             << " that bob answered during the cycle";
    // The gold items are kept queued as gold questions (loop/gold.h), apart from the cycle's work.
    ++(q.pool == kGoldPool ? gold_questions : queued);
    return true;
  }).ok());
  EXPECT_GT(queued, 0) << "the other half is still queued";
  EXPECT_EQ(queued, c1->queued_review + c1->audits_queued);
  EXPECT_EQ(gold_questions, 200);
  for (int64_t id : answered) {
    auto it = store_->GetItem(id);
    ASSERT_TRUE(it.ok());
    EXPECT_EQ(it->state, ItemState::kLabeled);
    EXPECT_EQ(*it->label_source, LabelSource::kHuman);
  }
}

// Regression (the soak, 60 min × 200 clients): a review entry someone held when the next cycle
// ran survived the queue's reset, and that cycle could draw the same item for an audit — two
// open entries, two people, the item answered twice. A held review now keeps its item out of
// the cycle's writes: no audit entry beside it, no machine label.
TEST_F(CycleTest, AnItemSomeoneHoldsForReviewIsNotAlsoQueuedForAnAudit) {
  // The store's clock is the test's, so carol's lease is live when the next cycle runs.
  FakeClock clock(now_);
  store_->SetClock(&clock);
  AddItems(600, Split::kPool, 1);
  ASSERT_TRUE(Cycle(Options()).ok());
  clock.Set(now_);
  // Carol takes every review entry (the audits are passed over) and holds them.
  std::set<int64_t> held;
  for (;;) {
    ClaimRequest req{project_.id, "carol", {"general"}, {}, now_, 3'600'000};
    req.exclude_kinds = {"audit"};
    auto got = store_->Claim(req);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!got->has_value()) break;
    held.insert((*got)->entry.item_id);
  }
  ASSERT_GT(held.size(), 0u);
  // The audits are answered so the next cycle draws new ones over the items not labelled yet,
  // the held ones among them.
  AnswerAll("alice", {"audit"});
  // Every item not labelled yet is drawn for an audit this time.
  auto cfg = MergeLoopConfig(Reload().config_json, R"({"audit_per_cycle":600})");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *cfg).ok());
  clock.Set(now_ + 1000);  // the time Cycle() gives the next cycle
  auto c2 = Cycle(Options());
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  EXPECT_GT(c2->audits_queued, 0);
  std::map<int64_t, std::set<std::string>> open;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    open[q.item_id].insert(q.kind);
    return true;
  }).ok());
  for (int64_t id : held) {
    EXPECT_TRUE(open[id].count("review")) << "item " << id << ": carol's entry stays";
    EXPECT_FALSE(open[id].count("audit")) << "item " << id << " is held for review and queued for an audit";
  }
  store_->SetClock(SystemClock::Default());
}

TEST_F(CycleTest, FailingAuditsRequeueAutoLabels) {
  AddItems(1200, Split::kPool, 3);
  ASSERT_TRUE(Cycle(Options()).ok());
  CycleRecord last;
  for (int round = 0; round < 6; ++round) {
    AnswerAll("alice", {});
    auto c = Cycle(Options());
    ASSERT_TRUE(c.ok());
    last = *c;
    if (c->global_certified) break;
  }
  ASSERT_TRUE(last.global_certified);
  const int64_t accepted = last.auto_accepted;
  // Items waiting for their audit keep their auto label until the audit answers.
  auto waiting = store_->GetStatus(project_.id);
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->by_label_source["model"], accepted);
  ASSERT_TRUE(Cycle(Options()).ok());  // nobody answered: nothing changes
  EXPECT_EQ(store_->GetStatus(project_.id)->by_label_source["model"], accepted);
  // A careless auditor contradicts the model on every audit: the bound fails, labels go back.
  const int audited = AnswerAll("mallory", {"audit"}, /*wrong=*/true);
  // Two cycles of 50 uniform + 20 stratified audits; every wrong answer disagrees with the model,
  // so each asks for a second audit, which mallory (the only auditor) answers too.
  EXPECT_EQ(audited, 280);
  auto c = Cycle(Options());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->global_certified);
  EXPECT_EQ(c->auto_accepted, 0);
  // Every auto label not itself just audited goes back to people.
  EXPECT_GE(c->requeued, accepted - audited);
  EXPECT_GT(c->requeued, 0);
  auto status = store_->GetStatus(project_.id);
  EXPECT_EQ(status->by_label_source["model"], 0);
  EXPECT_GE(OpenCount("review"), c->requeued);
}

TEST_F(CycleTest, RoutingRulesSendMetaMatchesToTheirPoolAndSeedClassNeedsItsOwnCertificate) {
  AddItems(300, Split::kPool, 4, R"({"domain":"medical"})");
  AddItems(300, Split::kPool, 5);
  auto cfg = MergeLoopConfig(project_.config_json,
                             R"({"routing":[{"when":{"meta":{"domain":"medical"}},"pool":"experts","overlap":2}]})");
  ASSERT_TRUE(cfg.ok());
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *cfg).ok());
  auto c = Cycle(Options());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_GT(c->queued_by_pool["experts"], 0);
  EXPECT_GT(c->queued_by_pool["general"], 0);
  bool overlap_seen = false;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    if (q.kind == "review" && q.pool == "experts") overlap_seen |= q.overlap == 2;
    if (q.kind == "review" && q.pool == "general") EXPECT_EQ(q.overlap, 1);
    return true;
  }).ok());
  EXPECT_TRUE(overlap_seen);
  // A class added mid-project with a seed query: matches go first, and it is remembered as new.
  ASSERT_TRUE(store_->AddLabel(project_.id, "phish").ok());
  CycleOptions o = Options();
  o.seed_class = "phish";
  o.seed_query = "lottery";
  auto c2 = Cycle(o);
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  auto parsed = ParseLoopConfig(Reload().config_json);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->new_classes, std::vector<std::string>{"phish"});
  for (const auto& cls : c2->classes) {
    if (cls.label == "phish") {
      EXPECT_FALSE(cls.certified);
      EXPECT_TRUE(cls.cold);
    }
  }
  o.seed_class = "nope";
  EXPECT_EQ(Cycle(o).status().code(), StatusCode::kInvalidArgument);
}

// Detectors and rule labels inside the cycle: the detectors run once per item, exact duplicates of people's labels
// become rule labels that wait for their own audits, are auto-accepted (source = rule) once the
// rule is certified, and go back to people when an audit breaks it.
TEST_F(CycleTest, DuplicatesBecomeRuleLabelsAcceptedOnlyOnceTheRuleIsCertified) {
  AddItems(400, Split::kPool, 11);
  AddItems(100, Split::kGold, 12);
  // 150 exact copies (case and spacing changed) of the first 150 pool items.
  std::vector<Item> originals;
  ASSERT_TRUE(store_->ScanItems(project_.id, [&](const Item& it) {
    if (it.split == Split::kPool && originals.size() < 150) originals.push_back(it);
    return true;
  }).ok());
  for (const Item& o : originals) {
    Item it;
    it.project_id = project_.id;
    it.external_id = "copy-" + o.external_id;
    std::string t = o.text;
    for (auto& ch : t) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    it.text = "  " + t + "\n";
    it.content_hash = it.external_id;
    int64_t id = 0;
    ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
    gold_[id] = gold_[o.id];
  }
  // epsilon 0.1: 29 clean audits certify; people review 300 per cycle; near-duplicates off (the
  // synthetic texts share most words); the model accepts nothing (everything counts as novel), so
  // people label the originals and only the rule can accept.
  auto cfg = MergeLoopConfig(project_.config_json,
                             R"({"target_precision":0.9,"review_batch":300,"audit_per_cycle":40,)"
                             R"("max_novelty":1e-6,)"
                             R"("autolabel":{"duplicates":"exact"}})");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *cfg).ok());

  auto c1 = Cycle(Options());
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ(c1->detected, 650);  // pool and gold, every detector
  int n_detections = 0;
  ASSERT_TRUE(store_->ScanDetections(project_.id, [&](const Detection&) { return ++n_detections, true; }).ok());
  EXPECT_EQ(n_detections, 650 * 3);
  EXPECT_EQ(c1->duplicate_groups, 150);
  EXPECT_GT(c1->held_duplicates, 0);  // a copy waits while its original is queued

  bool certified = false;
  for (int round = 0; round < 8 && !certified; ++round) {
    AnswerAll("alice", {});
    auto c = Cycle(Options());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->detected, 0);  // detected once, never again
    ASSERT_EQ(c->rules.size(), 2u);
    const RuleRecord& exact = c->rules[0];
    EXPECT_EQ(exact.name, "duplicate-exact");
    EXPECT_EQ(exact.errors, 0);
    certified = exact.certified;
    if (!certified) {
      EXPECT_EQ(exact.accepted, 0);
    } else {
      EXPECT_GE(exact.audits, 29);
      EXPECT_EQ(c->rule_accepted, exact.accepted);
    }
  }
  ASSERT_TRUE(certified);
  auto status = store_->GetStatus(project_.id);
  ASSERT_TRUE(status.ok());
  const int64_t by_rule = status->by_label_source["rule"];
  EXPECT_GT(by_rule, 0);
  bool rule_annotation = false;
  ASSERT_TRUE(store_->ScanAnnotations(project_.id, [&](const Annotation& a) {
    if (a.source == LabelSource::kRule) {
      rule_annotation = true;
      EXPECT_EQ(a.annotator, "rule:duplicate-exact");
      EXPECT_EQ(a.labels[0], gold_[a.item_id]);  // copies of correct labels are correct
    }
    return true;
  }).ok());
  EXPECT_TRUE(rule_annotation);

  // A careless auditor contradicts every rule label under audit: the rule is rejected and the
  // labels it can no longer vouch for go back to people.
  AnswerAll("mallory", {"audit"}, /*wrong=*/true);
  auto c = Cycle(Options());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->rules[0].certified);
  EXPECT_EQ(c->rules[0].accepted, 0);
  auto after = store_->GetStatus(project_.id);
  EXPECT_EQ(after->by_label_source["rule"], 0);
}

// A language-ID project labels itself: with "labeler": "language" the detector's answer is the
// class, held until its own audits certify it, then auto-accepted with source = rule.
TEST_F(CycleTest, TheLanguageLabelerLabelsALanguageProjectOnceCertified) {
  Project p;
  p.name = "langs";
  p.labels = {"en", "de", "fr"};
  auto created = store_->CreateProject(p);
  ASSERT_TRUE(created.ok());
  const char* kSentences[3][5] = {
      {"The children are playing in the garden while their parents prepare dinner",
       "We will travel to the mountains next summer if the weather stays good",
       "Please remember to close the windows before you leave the house tonight",
       "The library opens early on weekdays and closes late on Fridays",
       "Our neighbours bought a new car because the old one kept breaking down"},
      {"Die Kinder spielen im Garten, während die Eltern das Abendessen vorbereiten",
       "Wir fahren nächsten Sommer in die Berge, wenn das Wetter gut bleibt",
       "Bitte denk daran, die Fenster zu schließen, bevor du heute Abend gehst",
       "Die Bibliothek öffnet an Werktagen früh und schließt freitags spät",
       "Unsere Nachbarn haben ein neues Auto gekauft, weil das alte ständig kaputt war"},
      {"Les enfants jouent dans le jardin pendant que leurs parents préparent le dîner",
       "Nous irons à la montagne l'été prochain si le temps reste beau",
       "N'oublie pas de fermer les fenêtres avant de quitter la maison ce soir",
       "La bibliothèque ouvre tôt en semaine et ferme tard le vendredi",
       "Nos voisins ont acheté une nouvelle voiture parce que l'ancienne tombait en panne"}};
  std::map<int64_t, std::string> truth;
  for (int n = 0; n < 12; ++n) {
    for (int l = 0; l < 3; ++l) {
      Item it;
      it.project_id = created->id;
      it.external_id = std::to_string(l) + "-" + std::to_string(n);
      it.text = std::string(kSentences[l][n % 5]) + " " + std::to_string(1000 + n);
      it.content_hash = it.external_id;
      int64_t id = 0;
      ASSERT_TRUE(store_->PutItem(it, "t", &id).ok());
      truth[id] = p.labels[l];
    }
  }
  auto cfg = MergeLoopConfig(created->config_json,
                             R"({"target_precision":0.9,"audit_per_cycle":30,"audit_stratified_per_cycle":0,)"
                             R"("autolabel":{"labeler":"language","duplicates":"off","detect":"language"}})");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_TRUE(store_->SetProjectConfig(created->id, *cfg).ok());
  auto c1 = RunCycle(*store_, *store_->GetProject("langs"), Options());
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  ASSERT_EQ(c1->rules.size(), 1u);
  EXPECT_EQ(c1->rules[0].name, "language");
  EXPECT_EQ(c1->rules[0].candidates, 36);
  EXPECT_EQ(c1->rules[0].held, 36);
  EXPECT_EQ(c1->rule_accepted, 0);
  // The auditors answer the 30 audits from the truth; 30 clean audits certify at epsilon 0.1.
  int answered = 0;
  for (;;) {
    ClaimRequest req;
    req.project_id = created->id;
    req.annotator = "auditor";
    req.pools = {"general"};
    req.kinds = {"audit"};
    req.now = now_;
    auto c = store_->Claim(req);
    ASSERT_TRUE(c.ok());
    if (!c->has_value()) break;
    Answer ans;
    ans.labels = {truth[(*c)->lease.item_id]};
    ASSERT_TRUE(RecordAnswer(*store_, *store_->GetProject("langs"), (*c)->lease, "auditor", ans, now_).ok());
    ++answered;
  }
  EXPECT_EQ(answered, 30);
  now_ += 1000;
  CycleOptions o = Options();
  o.now = now_;
  auto c2 = RunCycle(*store_, *store_->GetProject("langs"), o);
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  EXPECT_TRUE(c2->rules[0].certified) << "audits " << c2->rules[0].audits << " errors " << c2->rules[0].errors;
  EXPECT_EQ(c2->rule_accepted, 6);
  int rule_labels = 0;
  ASSERT_TRUE(store_->ScanAnnotations(created->id, [&](const Annotation& a) {
    if (a.source != LabelSource::kRule) return true;
    ++rule_labels;
    EXPECT_EQ(a.annotator, "rule:language");
    EXPECT_EQ(a.labels[0], truth[a.item_id]);
    return true;
  }).ok());
  EXPECT_EQ(rule_labels, 6);
}

// Regression: audits went to the default pool when the routing rule matching their item tested a
// detector's answer ("_language"): the audit queue matched the rules on the item's meta alone,
// while reviews of the same items went to the rule's pool.
TEST_F(CycleTest, AuditsFollowRoutingRulesOnDetectorAnswers) {
  AddItems(600, Split::kPool, 7);
  std::vector<Detection> dets;
  ASSERT_TRUE(store_->ScanItems(project_.id, [&](const Item& it) {
    dets.push_back({it.id, "language", "xx", 1.0, ""});
    return true;
  }).ok());
  ASSERT_TRUE(store_->PutDetections(dets).ok());
  auto cfg = MergeLoopConfig(project_.config_json,
                             R"({"autolabel":{"detect":"none"},)"
                             R"("routing":[{"when":{"meta":{"_language":"xx"}},"pool":"lang-xx"}]})");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_TRUE(store_->SetProjectConfig(project_.id, *cfg).ok());
  auto c1 = Cycle(Options());  // cold start: reviews in the rule's pool
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ(c1->queued_by_pool["lang-xx"], c1->queued_review);
  AnswerAll("alice", {}, false, {"lang-xx", "general"});
  auto c2 = Cycle(Options());  // a model now: its audits are routed by the rules
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  ASSERT_GT(c2->audits_queued, 0);
  int audits = 0, in_rule_pool = 0;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    if (q.kind == "audit") {
      ++audits;
      in_rule_pool += q.pool == "lang-xx";
    }
    return true;
  }).ok());
  EXPECT_GT(audits, 0);
  EXPECT_EQ(in_rule_pool, audits);
}

}  // namespace
}  // namespace hitloop::loop
