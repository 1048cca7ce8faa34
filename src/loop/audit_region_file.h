#pragma once
// The live cycle's audit-region state between cycles (loop/audit_region.h): for every pool item
// its region run start (`since`), and for every item drawn for a certifying audit the draw
// (cycle number) and whether that draw was from the whole pool. Kept beside the model files as
// `<models_dir>/audit-regions-c<cycle>.bin` (magic, version, payload, 64-bit checksum; written
// atomically BEFORE the cycle's transaction, so a committed cycle always has its file; a failed
// cycle's file is overwritten by the retry, which has the same number).
//
// Missing state is never read optimistically: with no file at all (a project from before audit
// regions, or one that always drew from the whole pool) every audit counts as a whole-pool draw,
// which is what it was; when earlier files exist but the previous cycle's is missing or corrupt,
// every item starts outside every region (nothing certifies until new draws rebuild the runs).
// Thread-safety: none (one cycle at a time per project). Errors: Io on write failures.
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace hitloop::loop {

struct AuditRegionState {
  enum class Origin { kNone, kLoaded, kLost } origin = Origin::kNone;
  std::unordered_map<int64_t, int32_t> since;                         // item id -> run start
  std::unordered_map<int64_t, std::pair<int32_t, uint8_t>> draws;     // item id -> (draw, whole pool)
};

// Reads the state written by cycle `cycle` (the newest committed one); see above for missing files.
AuditRegionState LoadAuditRegions(const std::string& models_dir, int64_t cycle);

// Writes the state after cycle `cycle`'s draw.
Status SaveAuditRegions(const std::string& models_dir, int64_t cycle, std::span<const int64_t> item_ids,
                        std::span<const int32_t> since,
                        const std::unordered_map<int64_t, std::pair<int32_t, uint8_t>>& draws);

}  // namespace hitloop::loop
