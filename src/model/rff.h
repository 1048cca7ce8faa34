#pragma once
// "rff": random Fourier features (Rahimi & Recht 2007) of an item's dense vector block (feature
// indices >= RepresentationOptions::text_dim, as text/featurizer.h lays them out):
//   z_j(x) = sqrt(2 / D) cos(w_j . x + b_j),  w_j ~ N(0, I / sigma^2),  b_j ~ U[0, 2 pi),
// so z(x) . z(y) approximates the Gaussian kernel exp(-|x - y|^2 / (2 sigma^2)) and a linear
// model on z is a kernel machine. sigma is the median distance between pool items (a seeded
// sample of pairs; the usual heuristic), learnt without labels.
// Thread-safety and errors: see model/representation.h.
#include "model/representation.h"

namespace hitloop::model {

class RandomFourierFeatures final : public Representation {
 public:
  static constexpr int kDefaultDims = 1500;
  explicit RandomFourierFeatures(const RepresentationOptions& options) : options_(options) {}
  std::string name() const override { return "rff"; }
  Status Fit(std::span<const Example> pool) override;
  int dims() const override { return static_cast<int>(bias_.size()); }
  Status Transform(const Example& example, std::span<float> out) const override;
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;
  float InputNorm(const Example& example) const override {
    return DenseNorm(example, text_dim_, input_dims_);
  }
  float sigma() const { return sigma_; }

  // Fixed-bandwidth setup without a pool (tests): input dimension, bandwidth.
  void Init(uint32_t input_dims, float sigma, int dims, uint64_t seed);

 private:
  RepresentationOptions options_;
  uint32_t text_dim_ = 0;
  uint32_t input_dims_ = 0;
  float sigma_ = 1.0f;
  std::vector<float> w_;     // input_dims_ × D, row-major (one row per input dimension)
  std::vector<float> bias_;  // D
};

}  // namespace hitloop::model
