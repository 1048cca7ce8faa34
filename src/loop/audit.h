#pragma once
// Audit sampler: each cycle draws items uniformly at random (without replacement) from the pool
// items NOT labelled by people (unlabeled, queued or auto-accepted), so auto-accepted labels are
// audited continuously. The draw never looks at the model, so the audited items remain a uniform
// sample of whatever region any later model accepts (the premise of loop/certify.h).
// Audit-labelled items are never used for training and never chosen by active learning.
// Thread-safety: pure (the caller's Rng is advanced).
#include <cstddef>
#include <span>
#include <vector>

#include "core/rng.h"

namespace hitloop::loop {

// Up to `count` distinct positions i with candidates[i] != 0, uniformly at random, ascending.
std::vector<size_t> SampleAudits(std::span<const uint8_t> candidates, size_t count, Rng& rng);

}  // namespace hitloop::loop
