#include "loop/answer.h"

#include <algorithm>
#include <set>

#include "loop/config.h"
#include "loop/gold.h"
#include "loop/multilabel.h"
#include "preference/answer.h"
#include "preference/item.h"

namespace hitloop::loop {

Status MaybeAdjudicate(Store& store, const Lease& lease, bool comparison) {
  ASSIGN_OR_RETURN(auto entry, store.LatestQueueEntry(lease.item_id, "review"));
  if (!entry || entry->overlap <= 1 || entry->done < entry->overlap) return Status::Ok();
  ASSIGN_OR_RETURN(auto history, store.ListAnnotations(lease.item_id));
  // The entry's answers are the newest review answers of the `overlap` people who answered last;
  // a person's amended answer replaces their earlier one (it is not a second opinion).
  std::vector<const Annotation*> answers;
  std::set<std::string> seen;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->source != LabelSource::kHuman || it->kind != "review") continue;
    if (!seen.insert(it->annotator).second) continue;
    answers.push_back(&*it);
    if (static_cast<int>(answers.size()) == entry->overlap) break;
  }
  // A comparison's display order ("shown:…") differs per person by design: it is not a judgement.
  auto judged = [comparison](const std::vector<std::string>& labels) {
    if (!comparison) return labels;
    std::vector<std::string> out;
    for (const auto& l : labels)
      if (!l.starts_with("shown:")) out.push_back(l);
    return out;
  };
  bool disagree = false;
  const std::vector<std::string> first = judged(answers.front()->labels);
  for (const Annotation* a : answers) disagree |= judged(a->labels) != first;
  if (!disagree) return Status::Ok();
  QueueEntry adj;
  adj.project_id = entry->project_id;
  adj.item_id = lease.item_id;
  adj.pool = entry->pool;
  adj.kind = "adjudicate";
  adj.priority = 1e8;  // after audits, before reviews: a disagreement blocks a training label
  adj.overlap = 1;
  return store.Enqueue(adj).status();
}

Status ValidateTimeSpent(int64_t time_spent_ms) {
  if (time_spent_ms < 0) return InvalidArgument("time_spent_ms: negative");
  if (time_spent_ms > kMaxTimeSpentMs) {
    return InvalidArgument("time_spent_ms: more than " + std::to_string(kMaxTimeSpentMs) + " (a day)");
  }
  return Status::Ok();
}

std::vector<const Annotation*> AuditAnswers(const std::vector<Annotation>& history) {
  std::vector<const Annotation*> out;
  for (const auto& a : history) {
    if (a.source != LabelSource::kAudit) continue;
    auto same = std::find_if(out.begin(), out.end(), [&](const Annotation* b) { return b->annotator == a.annotator; });
    if (same != out.end()) {
      *same = &a;  // an amended audit answer replaces the person's earlier one
    } else {
      out.push_back(&a);
    }
  }
  return out;
}

int FinalAuditLabel(std::span<const int> answers, int adjudicated) {
  if (answers.empty()) return -1;
  if (answers.size() == 1) return answers[0];
  if (answers[0] == answers[1]) return answers[0];
  return adjudicated;
}

Status MaybeSecondAudit(Store& store, const Project& project, const Lease& lease) {
  auto cfg = ParseLoopConfig(project.config_json.empty() ? "{}" : project.config_json);
  if (!cfg.ok() || !cfg->audit_second_opinion) return Status::Ok();
  ASSIGN_OR_RETURN(auto history, store.ListAnnotations(lease.item_id));
  // The first audit answer ever given (amendments and later answers excluded) decides whether a
  // second person is asked; counting each person's newest answer there would ask again every
  // time the same person answered the second entry.
  size_t given = 0;
  for (const auto& a : history) given += a.source == LabelSource::kAudit;
  const std::vector<const Annotation*> audits = AuditAnswers(history);
  QueueEntry e;
  e.project_id = project.id;
  e.item_id = lease.item_id;
  e.pool = lease.pool;
  e.overlap = 1;
  if (given == 1) {
    ASSIGN_OR_RETURN(auto pred, store.LatestPrediction(lease.item_id));
    if (!pred || pred->label.empty() || audits[0]->labels.empty()) return Status::Ok();
    if (project.type == TaskType::kMultiLabel) {
      // A multi-label prediction's label is its set's canonical text (loop/multilabel.h).
      const int mask = LabelSetMask(project.labels, audits[0]->labels);
      if (mask >= 0 && LabelSetText(project.labels, mask) == pred->label) return Status::Ok();
    } else if (audits[0]->labels[0] == pred->label) {
      return Status::Ok();
    }
    e.kind = "audit";
    e.reason = "audit";
    e.priority = 1e9;  // the certificate waits for it
    return store.Enqueue(e).status();
  }
  if (audits.size() == 2 && audits[0]->labels != audits[1]->labels) {
    e.kind = "adjudicate";
    e.reason = "disagreement";
    e.priority = 1e8;
    return store.Enqueue(e).status();
  }
  return Status::Ok();
}

namespace {

// A comparison's labels (preference/answer.h) for the item's responses: a valid order per
// judgement, each criterion one of the project's (or "" overall) and judged once.
Status ValidateComparison(Store& store, const Project& project, int64_t item_id,
                          const std::vector<std::string>& labels) {
  ASSIGN_OR_RETURN(Item item, store.GetItem(item_id));
  auto pi = preference::FromMetaJson(item.meta_json);
  if (!pi.ok()) return Corruption("item " + item.external_id + ": " + pi.status().message());
  const int n = static_cast<int>(pi->responses.size());
  auto decoded = preference::DecodeAnswer(labels, n);
  if (!decoded.ok()) return InvalidArgument("labels: " + decoded.status().message());
  if (decoded->judgements.empty()) return InvalidArgument("labels: no judgement (only a display order)");
  std::set<std::string> judged;
  for (const preference::Judgement& j : decoded->judgements) {
    if (!j.criterion.empty() && project.LabelIndex(j.criterion) < 0) {
      return InvalidArgument("labels: '" + j.criterion + "' is not a criterion of this project");
    }
    if (!judged.insert(j.criterion).second) {
      return InvalidArgument("labels: criterion '" + (j.criterion.empty() ? std::string("(overall)") : j.criterion) +
                             "' judged twice");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateAnswerLabels(Store& store, const Project& project, int64_t item_id,
                            const std::vector<std::string>& labels) {
  if (labels.empty()) return InvalidArgument("label: missing");
  if (project.type == TaskType::kSingleLabel && labels.size() != 1) {
    return InvalidArgument("label: single-label project takes exactly one label");
  }
  if (IsPreferenceType(project.type)) return ValidateComparison(store, project, item_id, labels);
  std::set<std::string> seen;
  for (const auto& l : labels) {
    if (project.LabelIndex(l) < 0) return InvalidArgument("label: unknown label '" + l + "'");
    if (!seen.insert(l).second) return InvalidArgument("labels: '" + l + "' given twice");
  }
  return Status::Ok();
}

namespace {

// What an answer (or its amendment) sets off, in the caller's transaction: a gold question is
// scored against the known answer (which the answer never replaces); an audit may need a second
// opinion or an adjudication; a review entry's answers may disagree.
Status AfterAnswer(Store& store, const Project& project, const Lease& lease, const std::string& annotator,
                   const std::vector<std::string>& labels, int64_t now) {
  if (lease.kind == LeaseKind::kGold) return ScoreGoldAnswer(store, lease, annotator, labels, now);
  if (lease.kind == LeaseKind::kAudit) return MaybeSecondAudit(store, project, lease);
  if (lease.kind != LeaseKind::kReview) return Status::Ok();
  return MaybeAdjudicate(store, lease, IsPreferenceType(project.type));
}

// The answer as an annotation of the lease's kind (source audit for audit leases), then its
// after-effects: the shared write of a submit and an amend.
Status AppendAnswer(Store& store, const Project& project, const Lease& lease, const std::string& annotator,
                    const Answer& answer, int64_t now) {
  Annotation a;
  a.item_id = lease.item_id;
  a.labels = answer.labels;
  a.source = lease.kind == LeaseKind::kAudit ? LabelSource::kAudit : LabelSource::kHuman;
  a.annotator = annotator;
  a.time_spent_ms = answer.time_spent_ms;
  a.created_at = now;
  a.kind = LeaseKindName(lease.kind);
  RETURN_IF_ERROR(store.AppendAnnotation(a).status());
  return AfterAnswer(store, project, lease, annotator, answer.labels, now);
}

}  // namespace

Status RecordAnswer(Store& store, const Project& project, const Lease& lease,
                    const std::string& annotator, const Answer& answer, int64_t now) {
  if (lease.project_id != project.id) return NotFound("lease not found");
  RETURN_IF_ERROR(ValidateAnswerLabels(store, project, lease.item_id, answer.labels));
  RETURN_IF_ERROR(ValidateTimeSpent(answer.time_spent_ms));
  return store.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(store.FinishLease(lease.id, annotator, LeaseState::kSubmitted, now));
    return AppendAnswer(store, project, lease, annotator, answer, now);
  });
}

Status AmendAnswer(Store& store, const Project& project, const Lease& lease,
                   const std::string& annotator, const Answer& answer, int64_t now) {
  if (lease.project_id != project.id) return NotFound("lease not found");
  if (lease.annotator != annotator) return Conflict("lease is held by someone else");
  if (lease.state != LeaseState::kSubmitted) {
    return Conflict(std::string("lease is ") + LeaseStateName(lease.state) + ", not submitted");
  }
  if (lease.expires_at <= now) return Conflict("too late to amend");
  RETURN_IF_ERROR(ValidateAnswerLabels(store, project, lease.item_id, answer.labels));
  RETURN_IF_ERROR(ValidateTimeSpent(answer.time_spent_ms));
  return store.InTransaction([&]() -> Status {
    return AppendAnswer(store, project, lease, annotator, answer, now);
  });
}

}  // namespace hitloop::loop
