#pragma once
// A pool's duplicate groups (autolabel/duplicates.h), kept between cycles. Finding near
// duplicates is the costliest step of a cycle on a large pool (on 1M short texts ~50 s of one
// core), yet its answer depends only on the pool's texts and the finder's options, which stay
// the same from one cycle to the next until items are imported. `<models_dir>/duplicate-groups.bin`
// holds the last answer and a key: a 64-bit hash of the options and, in order, every text's
// length and XXH3 hash. A cycle whose key matches reads the groups back instead of searching;
// any difference (an item added, removed or edited, other options), a missing, truncated or
// corrupt file (magic, version, 64-bit checksum, every index checked against the pool) means a
// new search, whose answer replaces the file (written atomically; a failed write only costs the
// next cycle the search again).
//
// Groups are indexed by pool position (the texts' order), as ComputeRuleLabels uses them; empty
// texts (vector-only items) are nobody's duplicates.
// Thread-safety: none (one cycle at a time per project). Errors: option errors of the finder.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "autolabel/duplicates.h"
#include "core/status.h"

namespace hitloop::loop {

// The groups of `texts` under `options`, without any cache.
Result<std::vector<autolabel::DuplicateGroup>> FindPoolDuplicates(
    std::span<const std::string_view> texts, const autolabel::DuplicateOptions& options);

struct CachedDuplicates {
  std::vector<autolabel::DuplicateGroup> groups;
  bool reused = false;  // read from the file (no search ran)
};

// FindPoolDuplicates through the file in `models_dir` ("" = no cache).
Result<CachedDuplicates> PoolDuplicatesCached(std::span<const std::string_view> texts,
                                              const autolabel::DuplicateOptions& options,
                                              const std::string& models_dir);

}  // namespace hitloop::loop
