#pragma once
// Annotator quality drives routing: gold questions mixed into people's work, qualification for a
// pool, and flagging (docs/QUALITY.md, "Gold questions, qualification, flagging").
//
// A gold question is a gold item (split gold) with a known answer (its imported label), waiting
// as an open entry of pool kGoldPool (Store::EnsureGoldQueue: on import and every cycle). A claim
// hands one out as a lease of kind "gold" in one of the annotator's pools; the task API shows it
// exactly as a review task of that pool (kind "review", a reason, the item's prediction if any),
// so the annotator cannot tell. The answer is appended to the history (the store never lets it
// change the known answer) and scored against the known answer (Store::PutGoldAnswer).
//
// Per annotator and project, routing reads the counted gold answers (Store::GoldScores):
// - flagged in a pool: the pool's flag_below (or the project's) > 0, at least one answer and the
//   Wilson 95% upper bound of the accuracy below it. A flagged annotator gets nothing from that
//   pool (no real tasks, no gold questions) until an admin clears the flag
//   (Store::ClearGoldScores: earlier answers stop counting; `hitloop quality NAME --clear-flag
//   USER`, POST /api/v1/projects/{p}/quality/clear-flag).
// - qualifying for a pool: the pool asks qualify_gold > 0 and the annotator has fewer counted
//   answers or an accuracy below qualify_accuracy. Claims then hand them gold questions in that
//   pool (qualification tasks) before anything else, and none of the pool's real tasks; when the
//   gold questions run out before they qualify, the pool stays closed to them.
// - otherwise the pool is open; with gold_rate > 0 each claim hands a gold question (in the first
//   open pool) with that probability, while unanswered gold questions remain.
// Thread-safety: pure functions, and functions on a borrowed Store (one per thread).
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/config.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::loop {

enum class PoolAccess { kOpen, kQualifying, kFlagged };
const char* PoolAccessName(PoolAccess a);  // "open" | "qualifying" | "flagged"

// One annotator's counted gold answers with the Wilson 95% interval of the accuracy.
struct GoldStanding {
  int64_t answered = 0;
  int64_t correct = 0;
  double accuracy = 0.0;  // correct / answered (0 without answers)
  double lower = 0.0, upper = 1.0;
};
GoldStanding StandingOf(int64_t answered, int64_t correct);

// Whether the annotator with `s` may get the real tasks of a pool with policy `p`.
PoolAccess AccessFor(const PoolPolicy& p, const GoldStanding& s);

// What one claim does for an annotator serving `pools`.
struct ClaimPlan {
  std::string qualify_pool;             // non-empty: a qualification gold question in this pool first
  std::string gold_pool;                // non-empty: the draw asks for a gold question in this pool
  std::vector<std::string> open_pools;  // pools whose real tasks they may get
};
// `draw` is uniform in [0, 1) (the caller's randomness); a gold question is asked for when
// draw < gold_rate. Pools are taken in the given order.
ClaimPlan PlanClaim(const GoldRouting& g, const std::vector<std::string>& pools, const GoldStanding& s,
                    double draw);

// The claim with gold questions: plans (reading the annotator's gold score when `g` is active),
// then claims the qualification question, else the drawn gold question, else a real task from
// the open pools — first with req.kinds / req.exclude_kinds, then, when those find nothing, of
// any kind. `req.gold_for_pool` is ignored. Runs its reads and writes on `store` (the caller's
// transaction, e.g. the server's writer job).
Result<std::optional<ClaimResult>> ClaimWithGold(Store& store, const GoldRouting& g, const ClaimRequest& req,
                                                 double draw);

// Scores the answer `labels` to a gold question's item (lease kind "gold") against its known
// answer and records it (Store::PutGoldAnswer). Multi-label: the same set. Call after the answer
// was appended, in the same transaction.
Status ScoreGoldAnswer(Store& store, const Lease& lease, const std::string& annotator,
                       const std::vector<std::string>& labels, int64_t now);

// Clears `user`'s gold flag in the project: their earlier gold answers stop counting for routing
// (Store::ClearGoldScores), so qualification starts over. Returns how many answers stopped
// counting. NotFound when no user has that name (a typo would otherwise "clear" nothing and say
// so with 0); the one rule behind `hitloop quality --clear-flag` and the clear-flag route.
Result<int64_t> ClearGoldFlag(Store& store, int64_t project_id, const std::string& user);

// Every annotator's routing standing in the project (those with counted gold answers), and for
// each pool named in the policies or given in `pools`, their access.
struct AnnotatorRouting {
  std::string annotator;
  GoldStanding standing;
  std::vector<std::pair<std::string, PoolAccess>> pools;  // policy pools, in name order
  bool flagged = false;                                   // flagged in at least one pool
};
struct ProjectRouting {
  GoldRouting policy;
  int64_t gold_questions = 0;  // open gold-question entries
  std::vector<AnnotatorRouting> annotators;  // sorted by name
};
Result<ProjectRouting> LoadProjectRouting(Store& store, const Project& project);
// JSON {"gold_rate", "flag_below", "pools": {name: {qualify_gold, qualify_accuracy, flag_below}},
// "gold_questions", "annotators": [{"annotator", "answered", "correct", "accuracy", "lower",
// "upper", "flagged", "pools": {name: "open"|"qualifying"|"flagged"}}]} and a text rendering.
std::string ProjectRoutingToJson(const ProjectRouting& r);
std::string ProjectRoutingToText(const ProjectRouting& r);

}  // namespace hitloop::loop
