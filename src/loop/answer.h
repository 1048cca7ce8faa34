#pragma once
// Recording a person's answer to a leased task: the one path by which human, audit and
// adjudication labels enter the store (the server and the simulator both call it).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::loop {

// The one bound on time_spent_ms (submit and amend alike): 0 up to a day. A task's time is a
// duration someone spent on it; sums over millions of answers stay far from int64 overflow.
inline constexpr int64_t kMaxTimeSpentMs = 24LL * 60 * 60 * 1000;
// InvalidArgument("time_spent_ms: ...") outside [0, kMaxTimeSpentMs].
Status ValidateTimeSpent(int64_t time_spent_ms);

struct Answer {
  std::vector<std::string> labels;  // one label for single-label projects
  int64_t time_spent_ms = 0;
};

// Validates `answer` against the project's label set and task type, then in ONE transaction:
// finishes the lease as "submitted" (Conflict if expired, released, already submitted or held by
// someone else than `annotator`) and appends the annotation (source human for review and
// adjudicate leases, audit for audit leases). When the call returns OK the label is durable.
// Overlap: when the answer completes a review entry with overlap k > 1 (its k-th submission)
// and the k answers disagree, an `adjudicate` entry for the item is enqueued in the same pool
// (priority 1e8: after audits, before reviews; claim it with kinds = {"adjudicate"}, e.g. for
// reviewers); the adjudicator's answer (source human, kind adjudicate) then becomes the
// training label (loop/cycle.h). All of this happens in the same transaction.
// Audits (loop config audit_second_opinion, default on): when an item's FIRST audit answer
// disagrees with the item's latest prediction (the label the model would give it), a second
// `audit` entry for the item is enqueued (same pool, priority 1e9); when the two audit answers
// disagree, an `adjudicate` entry (priority 1e8). Certification reads FinalAuditLabel.
// Gold questions (lease kind "gold", loop/gold.h): the answer (source human, kind gold) is
// history only — the item's known answer stays — and is scored against it (Store::PutGoldAnswer).
// Preference projects (pairwise, ranking): the labels are a comparison (preference/answer.h),
// checked against the item's responses and the project's criteria; InvalidArgument otherwise.
// On any error nothing is written. Not thread-safe per Store (use one Store per thread).
Status RecordAnswer(Store& store, const Project& project, const Lease& lease,
                    const std::string& annotator, const Answer& answer, int64_t now);

// Undo for the annotator: a corrected answer to a task `annotator` submitted, while the lease's
// window is open (Conflict: someone else's lease, not submitted, or too late). The history is
// append-only: the correction is a new annotation that replaces the person's earlier answer
// wherever answers are counted (an amended audit is not a second opinion; a review entry's
// answers are the newest per person), and the checks RecordAnswer makes after an answer run
// again on it (second audit, adjudication, gold score). One transaction; on error nothing is
// written.
Status AmendAnswer(Store& store, const Project& project, const Lease& lease,
                   const std::string& annotator, const Answer& answer, int64_t now);

// An item's audit answers, the newest of each person, in the order the people first answered.
std::vector<const Annotation*> AuditAnswers(const std::vector<Annotation>& history);

// The label checks of RecordAnswer alone (amend uses them): the labels against the project's label
// set and task type, or, for a preference project, as a comparison of the item's responses.
// InvalidArgument naming the bad label.
Status ValidateAnswerLabels(Store& store, const Project& project, int64_t item_id,
                            const std::vector<std::string>& labels);

// The adjudication check alone (called by RecordAnswer inside its transaction, after the
// review answer was appended). Exposed for tests.
// `comparison`: the answers are comparisons, whose display order ("shown:…") is not compared.
Status MaybeAdjudicate(Store& store, const Lease& lease, bool comparison = false);

// The audit check alone (called by RecordAnswer inside its transaction after an audit answer).
Status MaybeSecondAudit(Store& store, const Project& project, const Lease& lease);

// The final answer of an audit from its answers in time order and the adjudication (-1 = none):
// one answer -> it; two that agree -> it; two that disagree -> the adjudication, or -1 (undecided)
// while there is none. (Whether a second answer was asked for is the caller's business: an
// audit with an open second entry is undecided.)
int FinalAuditLabel(std::span<const int> answers, int adjudicated);

}  // namespace hitloop::loop
