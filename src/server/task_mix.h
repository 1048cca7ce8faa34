#pragma once
// TaskMix: interleaves audits with the other tasks each person gets, at the project's audit
// share, instead of serving every open audit first (audits carry the highest queue priority,
// so a plain claim hands a newcomer dozens of blind audits before one pre-label).
//
// The share is the one the loop's settings imply: each cycle queues audit_per_cycle +
// audit_stratified_per_cycle audits for review_batch reviews (loop/config.h), so a person who
// works through a cycle's queue meets audits at that rate and finishes both kinds together.
// Per person and project, a credit grows by the share on every claim; a claim prefers an audit
// once the credit reaches 1 (and spends it). The claim falls back to any kind when the preferred
// one has nothing open, and the credit is clamped to [-1, 1] so a long run of one kind does not
// turn into a burst of the other. The first claim prefers a review (the pre-label shows).
//
// State lives in memory for one server process (a restart starts everyone on a review).
// Thread-safety: all methods are thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <utility>

#include "loop/config.h"
#include "schema/types.h"

namespace hitloop::server {

class TaskMix {
 public:
  // The audit share for `project` from its loop settings, in [0, 1] (0 when the settings do not
  // parse: then claims are not steered). Cached per project and config text.
  double AuditShare(const Project& project);
  // Whether the next claim of `user_id` in `project_id` should prefer an audit.
  bool PreferAudit(int64_t project_id, int64_t user_id, double share);
  // Records that a claim under `share` handed out an audit (`audit`) or another kind.
  void Record(int64_t project_id, int64_t user_id, double share, bool audit);

  // The share implied by the loop's per-cycle batch sizes (exposed for tests).
  static double ShareFor(int audits_per_cycle, int stratified_per_cycle, int review_batch);

  // The project's gold-question routing (loop/gold.h; inactive when the settings do not parse).
  // Cached per project and config text.
  loop::GoldRouting Gold(const Project& project);
  // A uniform draw in [0, 1) for the gold-question mix (seeded once per process).
  double Draw();

 private:
  std::mutex mu_;
  std::map<int64_t, std::pair<std::string, loop::GoldRouting>> gold_;  // project -> (config, routing)
  std::mt19937_64 rng_{std::random_device{}()};
  std::map<std::pair<int64_t, int64_t>, double> credit_;
  std::map<int64_t, std::pair<std::string, double>> share_;  // project -> (config, share)
};

}  // namespace hitloop::server
