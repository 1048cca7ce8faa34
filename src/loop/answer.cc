#include "loop/answer.h"

#include <set>

namespace hitloop::loop {

Status MaybeAdjudicate(Store& store, const Lease& lease) {
  ASSIGN_OR_RETURN(auto entry, store.LatestQueueEntry(lease.item_id, "review"));
  if (!entry || entry->overlap <= 1 || entry->done < entry->overlap) return Status::Ok();
  ASSIGN_OR_RETURN(auto history, store.ListAnnotations(lease.item_id));
  // The entry's answers are the newest `overlap` review answers by people.
  std::vector<const Annotation*> answers;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->source == LabelSource::kHuman && it->kind == "review") answers.push_back(&*it);
    if (static_cast<int>(answers.size()) == entry->overlap) break;
  }
  bool disagree = false;
  for (const Annotation* a : answers) disagree |= a->labels != answers.front()->labels;
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

Status RecordAnswer(Store& store, const Project& project, const Lease& lease,
                    const std::string& annotator, const Answer& answer, int64_t now) {
  if (lease.project_id != project.id) return NotFound("lease not found");
  if (answer.labels.empty()) return InvalidArgument("label: missing");
  if (project.type == TaskType::kSingleLabel && answer.labels.size() != 1) {
    return InvalidArgument("label: single-label project takes exactly one label");
  }
  std::set<std::string> seen;
  for (const auto& l : answer.labels) {
    if (project.LabelIndex(l) < 0) return InvalidArgument("label: unknown label '" + l + "'");
    if (!seen.insert(l).second) return InvalidArgument("labels: '" + l + "' given twice");
  }
  RETURN_IF_ERROR(ValidateTimeSpent(answer.time_spent_ms));
  return store.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(store.FinishLease(lease.id, annotator, "submitted", now));
    Annotation a;
    a.item_id = lease.item_id;
    a.labels = answer.labels;
    a.source = lease.kind == "audit" ? LabelSource::kAudit : LabelSource::kHuman;
    a.annotator = annotator;
    a.time_spent_ms = answer.time_spent_ms;
    a.created_at = now;
    a.kind = lease.kind;
    RETURN_IF_ERROR(store.AppendAnnotation(a).status());
    if (lease.kind != "review") return Status::Ok();
    return MaybeAdjudicate(store, lease);
  });
}

}  // namespace hitloop::loop
