#include "model/patches.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/rng.h"
#include "core/serial.h"

namespace hitloop::model {
namespace {

constexpr uint32_t kPatchesPayloadVersion = 1;
constexpr int kP2 = PatchFeatures::kPatch * PatchFeatures::kPatch;
constexpr size_t kFitImages = 10000;
constexpr int kPatchesPerImage = 10;
constexpr int kKmeansIterations = 10;
constexpr float kZcaEps = 0.1f;
constexpr uint32_t kMaxSide = 1024;
constexpr int kMaxCentroids = 4096;

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Copies the kPatch × kPatch patch at (r, c) of a side × side image into out[0..kP2).
void CopyPatch(const std::vector<float>& img, uint32_t side, uint32_t r, uint32_t c, float* out) {
  for (int dr = 0; dr < PatchFeatures::kPatch; ++dr) {
    const float* src = img.data() + static_cast<size_t>(r + dr) * side + c;
    std::copy(src, src + PatchFeatures::kPatch, out + dr * PatchFeatures::kPatch);
  }
}

void Contrast(float* p, float eps) {
  float mean = 0;
  for (int j = 0; j < kP2; ++j) mean += p[j];
  mean /= kP2;
  float var = 0;
  for (int j = 0; j < kP2; ++j) var += (p[j] - mean) * (p[j] - mean);
  var /= kP2 - 1;
  const float inv = 1.0f / std::sqrt(var + eps);
  for (int j = 0; j < kP2; ++j) p[j] = (p[j] - mean) * inv;
}

}  // namespace

void PatchFeatures::Whiten(std::vector<float>* patches, size_t count) const {
  for (size_t i = 0; i < count; ++i) {
    float* p = patches->data() + i * kP2;
    Contrast(p, contrast_eps_);
    for (int j = 0; j < kP2; ++j) p[j] -= mean_[j];
  }
  Eigen::Map<RowMat> x(patches->data(), static_cast<Eigen::Index>(count), kP2);
  Eigen::Map<const RowMat> w(whiten_.data(), kP2, kP2);
  RowMat y = x * w;
  x = y;
}

Status PatchFeatures::Fit(std::span<const Example> pool) {
  text_dim_ = options_.text_dim;
  uint32_t width = 0;
  for (const auto& ex : pool) {
    if (ex.features == nullptr) return InvalidArgument("patches: example without features");
    width = std::max(width, DenseWidth(*ex.features, text_dim_));
  }
  if (width == 0) return InvalidArgument("patches: the pool has no dense vectors");
  const auto side = static_cast<uint32_t>(std::lround(std::sqrt(static_cast<double>(width))));
  if (side * side != width || side < static_cast<uint32_t>(kPatch) + 1 || side > kMaxSide) {
    return InvalidArgument("patches: the dense vectors (" + std::to_string(width) +
                           " values) are not square images of side 7 to 1024");
  }
  side_ = side;
  const int k = options_.dims > 0 ? std::clamp(options_.dims / 4, 1, kMaxCentroids)
                                  : kDefaultCentroids;
  // A seeded sample of images, a few random patches from each.
  Rng rng(options_.seed * 0x9E3779B97F4A7C15ULL + 11);
  std::vector<size_t> order(pool.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.Shuffle(order);
  order.resize(std::min({order.size(), kFitImages, std::max<size_t>(options_.max_fit_items, 1)}));
  const uint32_t m = side - kPatch + 1;
  std::vector<float> img;
  std::vector<float> patches;
  patches.reserve(order.size() * kPatchesPerImage * kP2);
  float max_abs = 0;
  for (size_t i : order) {
    DenseBlock(pool[i].features, text_dim_, side * side, &img);
    for (float v : img) max_abs = std::max(max_abs, std::fabs(v));
    for (int t = 0; t < kPatchesPerImage; ++t) {
      const auto r = static_cast<uint32_t>(rng.Below(m)), c = static_cast<uint32_t>(rng.Below(m));
      patches.resize(patches.size() + kP2);
      CopyPatch(img, side, r, c, patches.data() + patches.size() - kP2);
    }
  }
  if (!(max_abs > 0)) return InvalidArgument("patches: every sampled image is blank");
  // Coates et al. add 10 to the variance of 0..255 pixels: the same relative to the data's range.
  contrast_eps_ = 10.0f * (max_abs / 255.0f) * (max_abs / 255.0f);
  const size_t n = patches.size() / kP2;
  for (size_t i = 0; i < n; ++i) Contrast(patches.data() + i * kP2, contrast_eps_);
  Eigen::Map<RowMat> x(patches.data(), static_cast<Eigen::Index>(n), kP2);
  const Eigen::RowVectorXf mean = x.colwise().mean();
  x.rowwise() -= mean;
  const Eigen::MatrixXf cov = (x.transpose() * x) / static_cast<float>(std::max<size_t>(n - 1, 1));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> eig(cov);
  const Eigen::VectorXf inv = (eig.eigenvalues().array().max(0.0f) + kZcaEps).rsqrt();
  const Eigen::MatrixXf zca = eig.eigenvectors() * inv.asDiagonal() * eig.eigenvectors().transpose();
  mean_.assign(mean.data(), mean.data() + kP2);
  whiten_.resize(kP2 * kP2);
  Eigen::Map<RowMat>(whiten_.data(), kP2, kP2) = zca;
  RowMat white = x * Eigen::Map<const RowMat>(whiten_.data(), kP2, kP2);
  // k-means (Lloyd), seeded from distinct random patches; an empty cluster is re-seeded.
  const int kk = static_cast<int>(std::min<size_t>(k, n));
  RowMat cent(kk, kP2);
  std::vector<size_t> seeds(n);
  for (size_t i = 0; i < n; ++i) seeds[i] = i;
  rng.Shuffle(seeds);
  for (int c = 0; c < kk; ++c) cent.row(c) = white.row(static_cast<Eigen::Index>(seeds[c]));
  std::vector<int> assign(n, 0);
  constexpr Eigen::Index kChunk = 8192;
  for (int it = 0; it < kKmeansIterations; ++it) {
    const Eigen::VectorXf csq = cent.rowwise().squaredNorm();
    for (Eigen::Index s = 0; s < static_cast<Eigen::Index>(n); s += kChunk) {
      const Eigen::Index len = std::min(kChunk, static_cast<Eigen::Index>(n) - s);
      RowMat score = white.middleRows(s, len) * cent.transpose();
      for (Eigen::Index i = 0; i < len; ++i) {
        int best = 0;
        float best_v = -std::numeric_limits<float>::infinity();
        for (int c = 0; c < kk; ++c) {
          const float v = 2.0f * score(i, c) - csq[c];
          if (v > best_v) best_v = v, best = c;
        }
        assign[static_cast<size_t>(s + i)] = best;
      }
    }
    RowMat sum = RowMat::Zero(kk, kP2);
    std::vector<size_t> count(kk, 0);
    for (size_t i = 0; i < n; ++i) {
      sum.row(assign[i]) += white.row(static_cast<Eigen::Index>(i));
      ++count[assign[i]];
    }
    for (int c = 0; c < kk; ++c) {
      cent.row(c) = count[c] > 0 ? RowMat(sum.row(c) / static_cast<float>(count[c]))
                                 : RowMat(white.row(static_cast<Eigen::Index>(rng.Below(n))));
    }
  }
  centroid_.resize(static_cast<size_t>(kk) * kP2);
  Eigen::Map<RowMat>(centroid_.data(), kk, kP2) = cent;
  ComputeCentroidNorms();
  return Status::Ok();
}

void PatchFeatures::ComputeCentroidNorms() {
  const size_t k = centroid_.size() / kP2;
  centroid_sq_.assign(k, 0.0f);
  for (size_t c = 0; c < k; ++c) {
    for (int j = 0; j < kP2; ++j) centroid_sq_[c] += centroid_[c * kP2 + j] * centroid_[c * kP2 + j];
  }
}

float PatchFeatures::InputNorm(const Example& example) const {
  return DenseNorm(example, text_dim_, side_ * side_);
}

Status PatchFeatures::Transform(const Example& ex, std::span<float> out) const {
  const int k = centroids();
  if (k == 0) return FailedPrecondition("patches: not fitted");
  if (out.size() != static_cast<size_t>(dims())) {
    return InvalidArgument("patches: output has the wrong size");
  }
  std::vector<float> img;
  DenseBlock(ex.features, text_dim_, side_ * side_, &img);
  const uint32_t m = side_ - kPatch + 1;
  const size_t count = static_cast<size_t>(m) * m;
  std::vector<float> patches(count * kP2);
  for (uint32_t r = 0; r < m; ++r) {
    for (uint32_t c = 0; c < m; ++c) CopyPatch(img, side_, r, c, patches.data() + (r * m + c) * kP2);
  }
  Whiten(&patches, count);
  Eigen::Map<const RowMat> x(patches.data(), static_cast<Eigen::Index>(count), kP2);
  Eigen::Map<const RowMat> cent(centroid_.data(), k, kP2);
  const RowMat dot = x * cent.transpose();
  std::fill(out.begin(), out.end(), 0.0f);
  std::vector<float> z(k);
  const uint32_t half = m / 2;
  for (uint32_t r = 0; r < m; ++r) {
    for (uint32_t c = 0; c < m; ++c) {
      const size_t i = r * m + c;
      const float xsq = x.row(static_cast<Eigen::Index>(i)).squaredNorm();
      float mean = 0;
      for (int j = 0; j < k; ++j) {
        z[j] = std::sqrt(std::max(0.0f, xsq - 2.0f * dot(static_cast<Eigen::Index>(i), j) +
                                            centroid_sq_[j]));
        mean += z[j];
      }
      mean /= static_cast<float>(k);
      float* q = out.data() + static_cast<size_t>((r >= half ? 2 : 0) + (c >= half ? 1 : 0)) * k;
      for (int j = 0; j < k; ++j) q[j] += std::max(0.0f, mean - z[j]);
    }
  }
  return Status::Ok();
}

Result<std::string> PatchFeatures::Serialize() const {
  if (centroids() == 0) return FailedPrecondition("patches: not fitted");
  Writer w;
  w.Put<uint32_t>(kPatchesPayloadVersion);
  w.Put<uint32_t>(text_dim_);
  w.Put<uint32_t>(side_);
  w.Put<float>(contrast_eps_);
  w.PutVector(mean_);
  w.PutVector(whiten_);
  w.PutVector(centroid_);
  return w.Take();
}

Status PatchFeatures::Deserialize(std::string_view payload) {
  Reader r(payload);
  uint32_t version = 0, text_dim = 0, side = 0;
  float eps = 0;
  std::vector<float> mean, whiten, centroid;
  auto finite = [](float v) { return std::isfinite(v); };
  if (!r.Get(&version) || version != kPatchesPayloadVersion || !r.Get(&text_dim) || !r.Get(&side) ||
      !r.Get(&eps) || !r.GetVector(&mean) || !r.GetVector(&whiten) || !r.GetVector(&centroid) ||
      !r.done() || side < static_cast<uint32_t>(kPatch) + 1 || side > kMaxSide || !(eps > 0) ||
      !std::isfinite(eps) || mean.size() != static_cast<size_t>(kP2) ||
      whiten.size() != static_cast<size_t>(kP2 * kP2) || centroid.empty() ||
      centroid.size() % kP2 != 0 || centroid.size() / kP2 > static_cast<size_t>(kMaxCentroids) ||
      !std::all_of(mean.begin(), mean.end(), finite) ||
      !std::all_of(whiten.begin(), whiten.end(), finite) ||
      !std::all_of(centroid.begin(), centroid.end(), finite)) {
    return Corruption("patches: malformed payload");
  }
  text_dim_ = text_dim;
  side_ = side;
  contrast_eps_ = eps;
  mean_ = std::move(mean);
  whiten_ = std::move(whiten);
  centroid_ = std::move(centroid);
  ComputeCentroidNorms();
  return Status::Ok();
}

}  // namespace hitloop::model
