#pragma once
// Rules every Store backend applies in the same way, written once here rather than in both
// store/sqlite/ and store/postgres/: what a claim of a gold question or of a rework really asks
// for, which answers a reviewer may judge, and the rework entry a rejected answer queues
// (store/store.h, "gold questions" and "reviews of people's answers"). For the backends' .cc
// files only: callers use the Store interface. Pure functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace hitloop {

// The claim `in` makes once its special forms are spelt out: a gold question (gold_for_pool) is a
// claim of pool kGoldPool, a rework (rework_only) one of pool kReworkPool limited to
// ReworkKind(annotator); either ignores the request's kinds and exclude_kinds. Returns `in` itself
// for a plain claim, else `*rewritten` (which it fills). InvalidArgument when a plain claim names
// the reserved pool kReworkPool.
Result<const ClaimRequest*> ResolveClaimRequest(const ClaimRequest& in, ClaimRequest* rewritten);

// The kinds of annotation a reviewer judges, as an SQL list: people's answers in the app and
// people's answers imported from files (kind "answer": `annotations` in JSONL, --format answers);
// not gold questions, audits, an item's own imported label (kind "import") or machine labels.
inline constexpr char kReviewableKindsSql[] = "('review','adjudicate','rework','answer')";

// InvalidArgument unless `verdict` is approve or reject.
Status CheckVerdict(const std::string& verdict);

// InvalidArgument unless an annotation of `source` and `kind` is a reviewable answer (source
// human, a kind of kReviewableKindsSql); `annotation_id` names it in the message.
Status CheckReviewable(int64_t annotation_id, const std::string& source, const std::string& kind);

// A lease's kind and state from their stored text. Corruption naming the lease and the value
// for text no version of hitloop writes (a database changed by hand), never a guess.
Status ReadLeaseKindAndState(std::string_view kind, std::string_view state, Lease* lease);

// The kind of the lease a claim makes: rework for a rework claim, gold for a gold question, else
// the queue entry's kind. Corruption for an entry whose kind no lease can have.
Result<LeaseKind> ClaimedLeaseKind(const ClaimRequest& req, const QueueEntry& entry);

// The open entry that sends a rejected answer's item back to its annotator: pool kReworkPool,
// kind ReworkKind(annotator), overlap 1, reason "rework".
QueueEntry ReworkEntry(int64_t project_id, int64_t item_id, const std::string& annotator);

}  // namespace hitloop
