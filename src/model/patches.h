#pragma once
// "patches": single-layer convolutional features learnt without labels from the pool's images
// (Coates, Ng & Lee 2011, "An analysis of single-layer networks in unsupervised feature
// learning", AISTATS): the item's dense vector block (feature indices >= text_dim) is read as a
// square single-channel image (side = sqrt(width); anything else is InvalidArgument at Fit);
//   1. Fit samples 6 × 6 patches from a seeded sample of pool images, normalises each patch
//      (mean 0, divided by sqrt(variance + e), e scaled to the pixel range), whitens them (ZCA)
//      and clusters them with k-means into K centroids;
//   2. Transform takes every 6 × 6 patch of the image (stride 1), normalises and whitens it,
//      computes the "triangle" activation f_k = max(0, mean_j(z_j) - z_k) with z_k the distance
//      to centroid k, and sum-pools each centroid's activations over the four quadrants of the
//      image: 4 K values.
// A linear model on these features is a one-layer convolutional network whose filters came from
// the project's own unlabelled images — no labels, no model hub. Default K = 256 (1,024 values);
// RepresentationOptions::dims > 0 sets 4 K.
// Thread-safety and errors: see model/representation.h.
#include <cstdint>
#include <vector>

#include "model/representation.h"

namespace hitloop::model {

class PatchFeatures final : public Representation {
 public:
  static constexpr int kDefaultCentroids = 256;
  static constexpr int kPatch = 6;
  explicit PatchFeatures(const RepresentationOptions& options) : options_(options) {}
  std::string name() const override { return "patches"; }
  Status Fit(std::span<const Example> pool) override;
  int dims() const override { return 4 * centroids(); }
  Status Transform(const Example& example, std::span<float> out) const override;
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;
  float InputNorm(const Example& example) const override;

  int centroids() const { return static_cast<int>(centroid_sq_.size()); }
  int side() const { return static_cast<int>(side_); }

 private:
  // Normalises and whitens the patches of one image (row-major, one patch per row) in place.
  void Whiten(std::vector<float>* patches, size_t count) const;
  void ComputeCentroidNorms();

  RepresentationOptions options_;
  uint32_t text_dim_ = 0;
  uint32_t side_ = 0;
  float contrast_eps_ = 0.0f;    // added to a patch's variance before dividing by its spread
  std::vector<float> mean_;      // kPatch² mean of the normalised patches (ZCA centring)
  std::vector<float> whiten_;    // kPatch² × kPatch² ZCA matrix, row-major
  std::vector<float> centroid_;  // K × kPatch², row-major
  std::vector<float> centroid_sq_;  // K squared norms
};

}  // namespace hitloop::model
