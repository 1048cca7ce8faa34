#pragma once
// Low-dimensional embeddings of sparse feature rows for the diversity and density strategies:
// a signed random projection (Achlioptas 2003) to kEmbeddingDims dimensions, one XXH3 hash per
// nonzero giving all 64 signs, then L2-normalised rows — cosine similarity is approximately
// preserved (Johnson–Lindenstrauss) at a fraction of the cost of sparse dot products.
// Deterministic (no seed: the projection is fixed by the hash). Thread-safe.
#include <span>
#include <vector>

#include "al/strategy.h"
#include "text/sparse.h"

namespace hitloop::al {

inline constexpr int kEmbeddingDims = 64;

// One row per input row (all-zero inputs give all-zero rows).
RowMatrix Embed(std::span<const text::SparseRow* const> rows);

}  // namespace hitloop::al
