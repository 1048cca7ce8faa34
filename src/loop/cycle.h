#pragma once
#include <functional>
// RunCycle: one cycle of the live loop on a store-backed project —
//   load people's labels (training: review/import/adjudicate answers; certification: audit
//   answers only; never the gold split) -> featurise -> PlanCycle (loop/plan.h: train, predict,
//   novelty, certify, route, order the review queue, draw audits) -> gold metrics of the previous
//   model (loaded from its checksummed file) and of the new one -> write the model file, the
//   predictions, the routing (auto-accept / withdraw / review queue / audit queue) and the cycle
//   record, the last three in ONE transaction — apart from review entries beyond the first
//   `review_chunk` (highest priority first), which are queued after it, `review_chunk` per
//   transaction, so people's claims never wait behind one long write.
// The server calls it from an admin route; `hitloop cycle` from the CLI. The steps are in
// loop/cycle_steps.h, one file each; the record they write is loop/cycle_record.h.
//
// Ownership: borrows the store for the call. Not thread-safe per Store (one Store per thread);
// two cycles of one project must not run at once (the caller serialises them).
// Errors: InvalidArgument (bad config, unknown seed class), model errors; on error after the
// model file was written, the file stays but no cycle is recorded and the queue is unchanged.
// The one exception: a failure while queueing the trailing review entries, after the cycle was
// recorded. Its error says how many entries were not queued; those items stay unlabeled and
// unqueued (nothing people answered is touched) until the next cycle queues them.
// Model files: <models_dir>/<version>.model (model/model_file.h: checksummed, atomic).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/certify.h"
#include "loop/cycle_record.h"
#include "loop/metrics.h"
#include "model/classifier.h"
#include "net/outbound.h"
#include "schema/types.h"
#include "store/store.h"
#include "text/featurizer.h"

namespace hitloop::loop {

struct CycleOptions {
  std::string models_dir;            // required: where model files go
  std::string seed_class;            // optional cold-start class (must be in the label set)
  std::string seed_query;            // words; items containing them go first in review
  int64_t now = 0;                   // ms since epoch (the caller's clock)
  uint64_t seed = 0;                 // 0 = derived from project id and cycle number
  model::ClassifierOptions model_options;
  text::FeaturizerOptions featurizer;
  // Runs after the plan is made and before its writes, i.e. where a real cycle spends its time
  // training while people keep labelling (tests use it to label items meanwhile).
  std::function<void()> before_commit;
  // Runs inside the cycle's final transaction, after its record is written (rec.cycle is set):
  // what the caller writes here commits or rolls back with the cycle (the admin log's entry).
  std::function<Status(Store&, const CycleRecord&)> in_commit;
  // Resolves the host names of a connected ML backend (loop/external_model.h); null = the
  // system resolver. Tests give their own.
  std::shared_ptr<net::Resolver> resolver;
  // Review entries queued inside the final transaction; the rest follow in transactions of this
  // many each (>= 1). ~2,000 entries hold SQLite's write lock ~0.1-0.2 s on a 1M-item project.
  size_t review_chunk = 2000;
};

Result<CycleRecord> RunCycle(Store& store, const Project& project, const CycleOptions& options);

// Models directory for a project next to its database: "<db_path>.models/<project name>"; for a
// database URI (PostgreSQL), "hitloop-models/<project name>" under the working directory.
std::string DefaultModelsDir(const std::string& db_path, const std::string& project);

}  // namespace hitloop::loop
