#pragma once
// Sparse feature rows: the common currency between text/ (which builds them) and model/ (which
// learns from them). Value types; thread-compatible.
#include <cstdint>
#include <vector>

namespace hitloop::text {

struct Feature {
  uint32_t index;
  float value;
};

// Sorted by index, no duplicate indices (the featurizer guarantees both).
using SparseRow = std::vector<Feature>;

// Sorts by index and sums duplicates in place.
void Canonicalize(SparseRow* row);
// Scales so the Euclidean norm is 1 (no-op for an all-zero row).
void L2Normalize(SparseRow* row);
double Dot(const SparseRow& a, const SparseRow& b);

}  // namespace hitloop::text
