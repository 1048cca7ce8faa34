#include "loop/answer.h"

#include <set>

namespace hitloop::loop {

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
  if (answer.time_spent_ms < 0) return InvalidArgument("time_spent_ms: negative");
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
    return store.AppendAnnotation(a).status();
  });
}

}  // namespace hitloop::loop
