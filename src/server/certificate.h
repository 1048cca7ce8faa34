#pragma once
// The certificate's progress as JSON, for the dashboard (GET …/metrics → "certificate") and the
// annotator page (GET /api/v1/projects/{p} → "certificate"): the target, the audits the newest
// cycle counted against the least it needs, and whether it certified. It is what `hitloop
// status` prints: both read the cycle records through loop::ComputeLoopStatus.
// Pure function of its arguments; thread-safe.
#include <nlohmann/json.hpp>
#include <vector>

#include "store/store.h"

namespace hitloop::server {

// {"cycles", "target_precision", "confidence", "min_audits_needed", "audits_counted",
//  "certified", "precision_lower_bound", and once a cycle ran: "cycle", "certified_classes",
//  "auto_accepted"}. `cycles` oldest first (Store::ListCycles).
nlohmann::json CertificateJson(const Project& project, const std::vector<CycleRow>& cycles);

}  // namespace hitloop::server
