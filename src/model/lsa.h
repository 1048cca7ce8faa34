#pragma once
// "lsa": latent semantic analysis of the pool — a truncated SVD of the (items × features) matrix
// of sparse feature rows, by randomised range finding with power iterations (Halko, Martinsson &
// Tropp 2011, algorithms 4.4 + 5.1). An item's block is its row projected on the top `dims`
// right singular vectors (V^T x), computed from its sparse row alone, so items that arrive later
// get coordinates without refitting.
// Only the pool's most frequent features (kMaxColumns by document frequency) take part: the
// others are too rare to shape a latent direction, and the model stays a few MB.
// Thread-safety and errors: see model/representation.h.
#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <unordered_map>

#include "model/representation.h"

namespace hitloop::model {

struct SvdResult {
  Eigen::MatrixXf v;        // cols × k right singular vectors (orthonormal columns)
  Eigen::VectorXf sigma;    // k singular values, descending
};
// Randomised truncated SVD of `a` (rows × cols): rank k, oversampling p, q power iterations.
// InvalidArgument when k < 1 or k + p exceeds min(rows, cols).
Result<SvdResult> RandomizedSvd(const Eigen::SparseMatrix<float, Eigen::RowMajor>& a, int k,
                                int oversample, int power_iters, uint64_t seed);

class Lsa final : public Representation {
 public:
  static constexpr int kDefaultDims = 100;
  static constexpr size_t kMaxColumns = 1u << 16;
  explicit Lsa(const RepresentationOptions& options) : options_(options) {}
  std::string name() const override { return "lsa"; }
  Status Fit(std::span<const Example> pool) override;
  int dims() const override { return static_cast<int>(sigma_.size()); }
  Status Transform(const Example& example, std::span<float> out) const override;
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;
  const std::vector<float>& singular_values() const { return sigma_; }

 private:
  void BuildIndex();
  RepresentationOptions options_;
  std::vector<uint32_t> columns_;   // feature index of each V row, ascending
  std::vector<float> v_;            // columns_.size() × dims, row-major
  std::vector<float> sigma_;
  std::unordered_map<uint32_t, uint32_t> index_;  // feature -> V row
};

}  // namespace hitloop::model
