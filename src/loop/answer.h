#pragma once
// Recording a person's answer to a leased task: the one path by which human, audit and
// adjudication labels enter the store (the server and the simulator both call it).
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::loop {

struct Answer {
  std::vector<std::string> labels;  // one label for single-label projects
  int64_t time_spent_ms = 0;
};

// Validates `answer` against the project's label set and task type, then in ONE transaction:
// finishes the lease as "submitted" (Conflict if expired, released, already submitted or held by
// someone else than `annotator`) and appends the annotation (source human for review and
// adjudicate leases, audit for audit leases). When the call returns OK the label is durable.
// On any error nothing is written. Not thread-safe per Store (use one Store per thread).
Status RecordAnswer(Store& store, const Project& project, const Lease& lease,
                    const std::string& annotator, const Answer& answer, int64_t now);

}  // namespace hitloop::loop
