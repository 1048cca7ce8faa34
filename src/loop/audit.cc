#include "loop/audit.h"

#include <algorithm>

namespace hitloop::loop {

std::vector<size_t> SampleAudits(std::span<const uint8_t> candidates, size_t count, Rng& rng) {
  // Reservoir sampling (Vitter's algorithm R): one pass, uniform over all subsets of size count.
  std::vector<size_t> out;
  if (count == 0) return out;
  out.reserve(count);
  size_t seen = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i]) continue;
    ++seen;
    if (out.size() < count) {
      out.push_back(i);
    } else {
      const uint64_t j = rng.Below(seen);
      if (j < count) out[j] = i;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hitloop::loop
