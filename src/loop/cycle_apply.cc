// ApplyCycle: the plan's outcome in one store transaction, the predictions staged before it and
// the review entries past the first chunk queued after it (loop/cycle_steps.h, loop/cycle.h).
#include <algorithm>
#include <chrono>
#include <set>
#include <span>
#include <thread>

#include "loop/cycle_record.h"
#include "loop/cycle_steps.h"
#include "loop/multilabel.h"

namespace hitloop::loop {
namespace {

struct ApplyContext {
  Store& store;
  const Project& project;
  const CycleInputs& in;
  const CyclePlan& plan;
  const std::vector<std::string>& rule_names;
  const CycleOptions& o;
  CycleRecord* rec;
};

// Why an item goes to people (QueueEntry::reason; the annotator page explains it).
std::string ReviewReason(const CyclePlan& plan, const RouteDecision& d, size_t i, bool was_auto,
                         double max_novelty) {
  if (plan.cold_start || plan.probs.empty()) return "seed";
  if (was_auto) return "requeued";
  if (d.predicted >= 0 && static_cast<size_t>(d.predicted) < plan.cold_class.size() &&
      plan.cold_class[d.predicted]) {
    return "new-class";
  }
  if (i < plan.novelty.size() && plan.novelty[i] > max_novelty) return "novel";
  return "uncertain";
}

// The predictions of pool items [from, to).
Status WritePredictions(const ApplyContext& c, size_t from, size_t to) {
  if (c.plan.probs.empty()) return Status::Ok();  // cold start: nothing predicted
  const size_t k = c.project.labels.size();
  std::vector<Prediction> out;
  out.reserve(to - from);
  for (size_t i = from; i < to; ++i) {
    Prediction& p = out.emplace_back();
    p.item_id = c.in.pool[i].id;
    p.model_version = c.rec->model_version;
    if (c.plan.multi_label()) {
      // Per-label probabilities (each label's own p, not a distribution over labels), the
      // predicted set as its canonical text and the set confidence (loop/multilabel.h).
      p.distribution.assign(c.plan.label_probs.begin() + static_cast<std::ptrdiff_t>(i * k),
                            c.plan.label_probs.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
      p.label = LabelSetText(c.project.labels, c.plan.label_sets[i]);
      p.confidence = c.plan.probs[i * 2];
      p.created_at = c.o.now;
      continue;
    }
    p.distribution.assign(c.plan.probs.begin() + static_cast<std::ptrdiff_t>(i * k),
                          c.plan.probs.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
    const auto top = std::max_element(p.distribution.begin(), p.distribution.end());
    p.label = c.project.labels[top - p.distribution.begin()];
    p.confidence = *top;
    p.created_at = c.o.now;
  }
  return c.store.PutPredictions(out);
}

// Items per transaction of staged predictions: ~10-40 ms of the write lock each on SQLite, so a
// claim waits at most that long behind one.
constexpr size_t kPredictionChunk = 5000;

// Between two of the cycle's own short transactions: time for a waiting writer (the server's,
// polling every millisecond: store/sqlite) to take the lock, so claims wait for one chunk, not
// for a run of them.
void PauseBetweenChunks() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

// The whole pool's predictions, kPredictionChunk items at a time: each chunk in a short
// transaction of its own (`own_transactions`), or all inside the caller's.
Status WriteAllPredictions(const ApplyContext& c, bool own_transactions) {
  for (size_t from = 0; from < c.in.pool.size(); from += kPredictionChunk) {
    const size_t to = std::min(c.in.pool.size(), from + kPredictionChunk);
    auto chunk = [&] { return WritePredictions(c, from, to); };
    RETURN_IF_ERROR(own_transactions ? c.store.InTransaction(chunk) : chunk());
    if (own_transactions) PauseBetweenChunks();
  }
  return Status::Ok();
}

// The pool's predictions under the cycle's model version, staged (Store::StagePredictions): many
// short transactions, hidden from readers until the final transaction publishes them. A failed
// cycle's staged rows (an earlier run's) are dropped first.
Status StagePredictions(const ApplyContext& c) {
  RETURN_IF_ERROR(c.store.DropStagedPredictions(c.project.id).status());
  RETURN_IF_ERROR(c.store.StagePredictions(c.project.id, c.rec->model_version, c.o.now));
  return WriteAllPredictions(c, /*own_transactions=*/true);
}

// People kept labelling while the model trained (a cycle on a big project takes minutes): items
// they answered since the plan's snapshot are theirs now. They are not queued again, audited, or
// given a machine label; the next cycle trains on their answers.
Result<std::vector<uint8_t>> AnsweredSince(const ApplyContext& c) {
  std::vector<uint8_t> answered(c.in.pool.size(), 0);
  RETURN_IF_ERROR(c.store.ScanAnnotations(c.project.id, [&](const Annotation& a) {
    auto it = c.in.pos.find(a.item_id);
    if (it != c.in.pos.end() && (a.source == LabelSource::kHuman || a.source == LabelSource::kAudit)) {
      answered[it->second] = 1;
    }
    return true;
  }, c.in.seen_annotations));
  return answered;
}

// Review entries that survive ClearQueue are held by someone (an active lease) or partly
// answered: a person is labelling those items now. Like items answered since the snapshot, they
// are left to that person: not audited (an audit entry beside the review one had two people
// label the item, one of them as an audit — the soak's cross-cycle "answered twice"), not
// machine-labelled, not queued again.
Status MarkHeldReviews(const ApplyContext& c, std::vector<uint8_t>* taken) {
  return c.store.ScanOpenQueue(c.project.id, [&](const QueueEntry& e) {
    if (e.kind != "review" || e.pool == kGoldPool) return true;
    if (auto it = c.in.pos.find(e.item_id); it != c.in.pos.end()) (*taken)[it->second] = 1;
    return true;
  });
}

// Auto-accepted labels written, labels the loop no longer vouches for withdrawn; returns the
// items to queue for review.
Result<std::set<size_t>> ApplyRoutes(const ApplyContext& c, const std::vector<uint8_t>& answered) {
  const auto& pool = c.in.pool;
  std::set<size_t> to_review;
  for (size_t i : c.plan.review_order) {
    if (!answered[i]) to_review.insert(i);
  }
  for (size_t i = 0; i < pool.size(); ++i) {
    if (answered[i]) continue;
    const RouteDecision& d = c.plan.routing.decisions[i];
    if (d.route == Route::kAccept) {
      ++c.rec->auto_accepted;
      const bool by_rule = d.rule >= 0 && static_cast<size_t>(d.rule) < c.rule_names.size();
      c.rec->rule_accepted += by_rule;
      const std::vector<std::string> labels =
          c.plan.multi_label() ? LabelSetNames(c.project.labels, c.plan.label_sets[i])
                               : std::vector<std::string>{c.project.labels[d.predicted]};
      const LabelSource source = by_rule ? LabelSource::kRule : LabelSource::kModel;
      const std::string annotator = by_rule ? "rule:" + c.rule_names[d.rule] : c.rec->model_version;
      const bool same = c.in.was_auto[i] && pool[i].labels == labels &&
                        *pool[i].label_source == source &&
                        (!by_rule || pool[i].label_annotator == annotator);
      if (same) continue;
      ++c.rec->newly_accepted;
      Annotation a;
      a.item_id = pool[i].id;
      a.labels = labels;
      a.source = source;
      a.annotator = annotator;
      a.confidence = d.confidence;
      a.created_at = c.o.now;
      a.kind = "label";
      RETURN_IF_ERROR(c.store.AppendAnnotation(a).status());
    } else if (c.in.was_auto[i] && !c.in.audit_pending[i]) {
      // The loop no longer vouches for this label: withdraw it; people see the item when it is
      // routed to review (a held item waits for its rule's audits or its group's answer). An
      // item waiting for its audit keeps its label until the audit answers.
      RETURN_IF_ERROR(c.store.WithdrawAutoLabel(pool[i].id));
      if (d.route == Route::kReview) to_review.insert(i);
    }
  }
  return to_review;
}

// The review entries to queue, highest priority first (ties: pool order), counted in the record.
std::vector<QueueEntry> ReviewEntries(const ApplyContext& c, const std::set<size_t>& to_review) {
  std::vector<QueueEntry> out;
  out.reserve(to_review.size());
  for (size_t i : to_review) {
    const RouteDecision& d = c.plan.routing.decisions[i];
    QueueEntry e;
    e.project_id = c.project.id;
    e.item_id = c.in.pool[i].id;
    e.kind = "review";
    e.pool = c.plan.routing.pools[d.pool];
    e.overlap = d.overlap;
    e.priority = c.plan.priority[i] + (c.in.was_auto[i] ? 1.0 : 0.0);
    e.reason = ReviewReason(c.plan, d, i, c.in.was_auto[i] != 0, c.in.config.max_novelty);
    ++c.rec->queued_review;
    ++c.rec->queued_by_pool[e.pool];
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const QueueEntry& a, const QueueEntry& b) { return a.priority > b.priority; });
  return out;
}

Status EnqueueAll(Store& store, std::span<const QueueEntry> entries) {
  for (const QueueEntry& e : entries) RETURN_IF_ERROR(store.Enqueue(e).status());
  return Status::Ok();
}

// The review entries the final transaction left, `chunk` per transaction of their own.
Status QueueTrailingReviews(Store& store, std::span<const QueueEntry> rest, size_t chunk) {
  for (size_t from = 0; from < rest.size(); from += chunk) {
    const auto part = rest.subspan(from, std::min(chunk, rest.size() - from));
    const Status st = store.InTransaction([&] { return EnqueueAll(store, part); });
    if (!st.ok()) {
      return Status(st.code(), "the cycle is recorded, but " + std::to_string(rest.size() - from) +
                                   " of its review entries were not queued (the next cycle queues "
                                   "them): " + st.message());
    }
    PauseBetweenChunks();
  }
  return Status::Ok();
}

Status QueueAudits(const ApplyContext& c, const std::vector<uint8_t>& answered) {
  const auto& rules = c.in.config.routing;
  const size_t k = c.project.labels.size();
  std::vector<size_t> audits = c.plan.new_audits;
  audits.insert(audits.end(), c.plan.stratified_audits.begin(), c.plan.stratified_audits.end());
  for (size_t i : c.plan.stratified_audits) {
    if (!answered[i]) c.rec->stratified_audit_items.push_back(c.in.pool[i].id);
  }
  for (size_t j = 0; j < audits.size(); ++j) {
    const size_t i = audits[j];
    if (answered[i]) continue;
    QueueEntry e;
    e.project_id = c.project.id;
    e.item_id = c.in.pool[i].id;
    e.kind = "audit";
    // Audits go to the pool the rules would send the item to (experts audit medical items).
    e.pool = c.in.config.default_pool;
    e.overlap = 1;
    if (!rules.empty() && c.plan.multi_label() && !c.plan.probs.empty()) {
      // A multi-label item has no single predicted class: rules see its set confidence.
      const int r = MatchRule(rules, c.in.pool[i].meta_json, "", c.plan.probs[i * 2],
                              &c.in.detections[i]);
      if (r >= 0) e.pool = rules[r].pool;
    } else if (!rules.empty() && !c.plan.probs.empty()) {
      const float* p = c.plan.probs.data() + i * k;
      const int pred = static_cast<int>(std::max_element(p, p + k) - p);
      const int r = MatchRule(rules, c.in.pool[i].meta_json, c.project.labels[pred], p[pred],
                              &c.in.detections[i]);
      if (r >= 0) e.pool = rules[r].pool;
    }
    e.priority = 1e9;  // audits first: the guarantee depends on them
    e.reason = j < c.plan.new_audits.size() ? "audit" : "audit-stratified";
    RETURN_IF_ERROR(c.store.Enqueue(e).status());
    ++c.rec->audits_queued;
  }
  return Status::Ok();
}

}  // namespace

Status ApplyCycle(Store& store, const Project& project, const CycleInputs& in,
                  const CyclePlan& plan, const std::vector<std::string>& rule_names,
                  const std::string& new_config, const CycleOptions& o,
                  std::chrono::steady_clock::time_point started,
                  std::chrono::steady_clock::time_point lap_start, CycleRecord* rec,
                  const std::vector<Prediction>& gold_predictions, bool stage_predictions) {
  using Clock = std::chrono::steady_clock;
  const ApplyContext c{store, project, in, plan, rule_names, o, rec};
  const bool stage = stage_predictions && !plan.probs.empty();
  Status st = stage ? StagePredictions(c) : Status::Ok();
  rec->step_seconds.emplace_back("stage", std::chrono::duration<double>(Clock::now() - lap_start).count());
  const auto final_start = Clock::now();
  const size_t chunk = std::max<size_t>(1, o.review_chunk);
  std::vector<QueueEntry> reviews;
  // The final transaction's parts, timed (they hold the write lock: what claims wait for).
  std::vector<std::pair<std::string, double>> parts;
  auto part_start = final_start;
  auto part = [&](const char* name) {
    const auto now = Clock::now();
    parts.emplace_back(name, std::chrono::duration<double>(now - part_start).count());
    part_start = now;
  };
  if (st.ok()) st = store.InTransaction([&]() -> Status {
    parts.clear();
    part_start = Clock::now();
    if (stage) {
      RETURN_IF_ERROR(store.PublishPredictions(project.id, rec->model_version));
    } else {
      RETURN_IF_ERROR(WriteAllPredictions(c, /*own_transactions=*/false));
    }
    RETURN_IF_ERROR(store.PutPredictions(gold_predictions));
    part("final: predictions");
    ASSIGN_OR_RETURN(std::vector<uint8_t> answered, AnsweredSince(c));
    RETURN_IF_ERROR(store.ClearQueue(project.id, "review"));
    RETURN_IF_ERROR(MarkHeldReviews(c, &answered));
    part("final: clear queue");
    ASSIGN_OR_RETURN(std::set<size_t> to_review, ApplyRoutes(c, answered));
    part("final: labels");
    reviews = ReviewEntries(c, to_review);
    RETURN_IF_ERROR(EnqueueAll(store, std::span(reviews).first(std::min(chunk, reviews.size()))));
    RETURN_IF_ERROR(QueueAudits(c, answered));
    RETURN_IF_ERROR(store.EnsureGoldQueue(project.id).status());  // gold questions (loop/gold.h)
    part("final: queue");
    if (new_config != project.config_json) {
      RETURN_IF_ERROR(store.SetProjectConfig(project.id, new_config));
    }
    const auto now = Clock::now();
    rec->step_seconds.emplace_back("final", std::chrono::duration<double>(now - final_start).count());
    rec->step_seconds.insert(rec->step_seconds.end(), parts.begin(), parts.end());
    rec->seconds = std::chrono::duration<double>(now - started).count();
    ASSIGN_OR_RETURN(rec->cycle, store.AppendCycle(project.id, o.now, CycleRecordToJson(*rec)));
    if (o.in_commit) RETURN_IF_ERROR(o.in_commit(store, *rec));
    return Status::Ok();
  });
  // Best effort: the next cycle drops them too.
  if (!st.ok() && stage) (void)store.DropStagedPredictions(project.id);
  if (!st.ok() || reviews.size() <= chunk) return st;
  const auto after_start = Clock::now();
  st = QueueTrailingReviews(store, std::span(reviews).subspan(chunk), chunk);
  // In the record this call returns (and `hitloop cycle` prints), not in the stored one.
  rec->step_seconds.emplace_back("after: queue",
                                 std::chrono::duration<double>(Clock::now() - after_start).count());
  return st;
}

}  // namespace hitloop::loop
