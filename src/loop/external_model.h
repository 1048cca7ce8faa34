#pragma once
// Pre-labels from a connected external model server (`hitloop model connect`, Label Studio's
// ML-backend protocol: mlbackend/client.h) as the plan's predictions. When a project has a
// backend, the cycle trains nothing: it asks the backend for the pool items people have not
// labelled (in batches, through net/'s safe fetcher) and certifies, routes and audits those
// predictions exactly as it would its own model's — audits measure the backend's precision.
//
// A prediction becomes a class distribution: the chosen label gets the backend's score, the
// other labels share the rest. A prediction that cannot be used (no score — a missing score is
// not a confidence —, no choices result, a label not in the project, or a score that does not
// make its label the most likely) is never auto-accepted: its item gets novelty 1, which sends
// it to people. Items somebody answered (labelled, audited, or an audit waiting for its second answer) are
// not sent; they get a uniform distribution.
//
// Thread-safety: none shared. Errors: the backend's (mlbackend/client.h): a cycle whose backend
// cannot be reached fails, it does not silently fall back to hitloop's own model.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "mlbackend/protocol.h"
#include "net/outbound.h"
#include "schema/types.h"

namespace hitloop::loop {

struct ExternalPredictions {
  std::vector<float> probs;        // n x k
  std::vector<double> novelty;     // n: 1 for unusable predictions, else 0
  std::string spec;                // "mlbackend:NAME"
  std::string model_version;       // the backend's, else "mlbackend:NAME"
  int64_t asked = 0, usable = 0;
};

// Label Studio's project id form, "ID.CREATED_AT_SECONDS".
std::string LabelStudioProjectUid(const Project& project);

Result<ExternalPredictions> PredictWithBackend(const Project& project,
                                               const mlbackend::BackendSettings& settings,
                                               const std::vector<Item>& pool,
                                               std::span<const int> train_label,
                                               std::span<const int> audit_label,
                                               std::span<const uint8_t> audit_pending,
                                               std::shared_ptr<net::Resolver> resolver);

}  // namespace hitloop::loop
