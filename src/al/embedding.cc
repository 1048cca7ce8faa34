#include "al/embedding.h"

#include <cmath>

#include "core/ids.h"

namespace hitloop::al {

RowMatrix Embed(std::span<const text::SparseRow* const> rows) {
  static_assert(kEmbeddingDims == 64, "one 64-bit hash gives the signs of all dimensions");
  RowMatrix out = RowMatrix::Zero(static_cast<Eigen::Index>(rows.size()), kEmbeddingDims);
  for (size_t i = 0; i < rows.size(); ++i) {
    float* o = out.row(static_cast<Eigen::Index>(i)).data();
    for (const auto& f : *rows[i]) {
      const uint64_t h = Hash64(std::string_view(reinterpret_cast<const char*>(&f.index),
                                                 sizeof(f.index)),
                                0x5bd1e995ULL);
      for (int b = 0; b < kEmbeddingDims; ++b) o[b] += ((h >> b) & 1) ? f.value : -f.value;
    }
    const float norm = out.row(static_cast<Eigen::Index>(i)).norm();
    if (norm > 0) out.row(static_cast<Eigen::Index>(i)) /= norm;
  }
  return out;
}

}  // namespace hitloop::al
