#include "store/backend_rules.h"

#include <algorithm>

namespace hitloop {

Result<const ClaimRequest*> ResolveClaimRequest(const ClaimRequest& in, ClaimRequest* rewritten) {
  const ClaimRequest* req = &in;
  if (!in.gold_for_pool.empty() || in.rework_only) {
    *rewritten = in;
    rewritten->pools = {in.rework_only ? kReworkPool : kGoldPool};
    rewritten->kinds.clear();
    if (in.rework_only) rewritten->kinds = {ReworkKind(in.annotator)};
    rewritten->exclude_kinds.clear();
    rewritten->gold_for_pool = in.rework_only ? "" : in.gold_for_pool;
    req = rewritten;
  }
  // Only a rework claim reaches the rework pool (whatever pools the request names).
  if (!req->rework_only && std::find(req->pools.begin(), req->pools.end(), kReworkPool) != req->pools.end()) {
    return InvalidArgument(std::string("pools: '") + kReworkPool + "' is reserved (rework)");
  }
  return req;
}

Status CheckVerdict(const std::string& verdict) {
  if (verdict != "approve" && verdict != "reject") {
    return InvalidArgument("verdict: '" + verdict + "' (approve | reject)");
  }
  return Status::Ok();
}

Status CheckReviewable(int64_t annotation_id, const std::string& source, const std::string& kind) {
  if (source != "human" || (kind != "review" && kind != "adjudicate" && kind != "rework" && kind != "answer")) {
    return InvalidArgument("answer " + std::to_string(annotation_id) + ": a " + source + " " + kind +
                           " annotation is not reviewed (only people's review, adjudicate, rework and"
                           " imported answers)");
  }
  return Status::Ok();
}

Status ReadLeaseKindAndState(std::string_view kind, std::string_view state, Lease* lease) {
  auto k = ParseLeaseKind(kind);
  if (!k.ok())
    return Corruption("lease " + lease->id + " in the database: " + k.status().message());
  auto s = ParseLeaseState(state);
  if (!s.ok())
    return Corruption("lease " + lease->id + " in the database: " + s.status().message());
  lease->kind = *k;
  lease->state = *s;
  return Status::Ok();
}

Result<LeaseKind> ClaimedLeaseKind(const ClaimRequest& req, const QueueEntry& entry) {
  if (req.rework_only) return LeaseKind::kRework;
  if (!req.gold_for_pool.empty()) return LeaseKind::kGold;
  auto k = ParseLeaseKind(entry.kind);
  if (!k.ok()) {
    return Corruption("queue entry " + std::to_string(entry.id) +
                      " in the database: " + k.status().message());
  }
  return *k;
}

QueueEntry ReworkEntry(int64_t project_id, int64_t item_id, const std::string& annotator) {
  QueueEntry e;
  e.project_id = project_id;
  e.item_id = item_id;
  e.pool = kReworkPool;
  e.kind = ReworkKind(annotator);
  e.overlap = 1;
  e.reason = "rework";
  return e;
}

}  // namespace hitloop
