#include "model/rff.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "core/rng.h"
#include "core/serial.h"

namespace hitloop::model {
namespace {

constexpr uint32_t kRffPayloadVersion = 1;
constexpr size_t kSigmaPairs = 2000;
constexpr uint32_t kMaxInputDims = 1u << 20;

}  // namespace

void RandomFourierFeatures::Init(uint32_t input_dims, float sigma, int dims, uint64_t seed) {
  input_dims_ = input_dims;
  sigma_ = sigma;
  Rng rng(seed * 0x9E3779B97F4A7C15ULL + 7);
  std::normal_distribution<float> normal(0.0f, 1.0f / sigma);
  std::uniform_real_distribution<float> phase(0.0f, 2.0f * std::numbers::pi_v<float>);
  w_.resize(static_cast<size_t>(input_dims) * dims);
  for (float& w : w_) w = normal(rng.engine());
  bias_.resize(dims);
  for (float& b : bias_) b = phase(rng.engine());
}

Status RandomFourierFeatures::Fit(std::span<const Example> pool) {
  text_dim_ = options_.text_dim;
  uint32_t input_dims = 0;
  for (const auto& ex : pool) {
    if (ex.features == nullptr) return InvalidArgument("rff: example without features");
    input_dims = std::max(input_dims, DenseWidth(*ex.features, text_dim_));
  }
  if (input_dims == 0) return InvalidArgument("rff: the pool has no dense vectors");
  if (input_dims > kMaxInputDims) return InvalidArgument("rff: dense block too wide");
  // Median pairwise distance over seeded pairs.
  Rng rng(options_.seed * 0x9E3779B97F4A7C15ULL + 3);
  std::vector<float> a, b;
  std::vector<float> dist;
  const size_t pairs = pool.size() < 2 ? 0 : kSigmaPairs;
  for (size_t p = 0; p < pairs; ++p) {
    const size_t i = rng.Below(pool.size()), j = rng.Below(pool.size());
    if (i == j) continue;
    DenseBlock(pool[i].features, text_dim_, input_dims, &a);
    DenseBlock(pool[j].features, text_dim_, input_dims, &b);
    double s = 0;
    for (uint32_t d = 0; d < input_dims; ++d) s += double(a[d] - b[d]) * (a[d] - b[d]);
    if (s > 0) dist.push_back(static_cast<float>(std::sqrt(s)));
  }
  float sigma = 1.0f;
  if (!dist.empty()) {
    std::nth_element(dist.begin(), dist.begin() + dist.size() / 2, dist.end());
    sigma = dist[dist.size() / 2];
  }
  Init(input_dims, sigma, options_.dims > 0 ? options_.dims : kDefaultDims, options_.seed);
  return Status::Ok();
}

Status RandomFourierFeatures::Transform(const Example& ex, std::span<float> out) const {
  const int d = dims();
  if (d == 0) return FailedPrecondition("rff: not fitted");
  if (out.size() != static_cast<size_t>(d)) return InvalidArgument("rff: output has the wrong size");
  std::vector<float> proj(bias_.begin(), bias_.end());
  if (ex.features != nullptr) {
    for (const auto& f : *ex.features) {
      if (f.index < text_dim_ || f.index - text_dim_ >= input_dims_) continue;
      const float* w = w_.data() + static_cast<size_t>(f.index - text_dim_) * d;
      for (int j = 0; j < d; ++j) proj[j] += f.value * w[j];
    }
  }
  const float scale = std::sqrt(2.0f / static_cast<float>(d));
  for (int j = 0; j < d; ++j) out[j] = scale * std::cos(proj[j]);
  return Status::Ok();
}

Result<std::string> RandomFourierFeatures::Serialize() const {
  if (dims() == 0) return FailedPrecondition("rff: not fitted");
  Writer w;
  w.Put<uint32_t>(kRffPayloadVersion);
  w.Put<uint32_t>(text_dim_);
  w.Put<uint32_t>(input_dims_);
  w.Put<float>(sigma_);
  w.PutVector(bias_);
  w.PutVector(w_);
  return w.Take();
}

Status RandomFourierFeatures::Deserialize(std::string_view payload) {
  Reader r(payload);
  uint32_t version = 0, text_dim = 0, input_dims = 0;
  float sigma = 0;
  std::vector<float> bias, w;
  auto finite = [](float x) { return std::isfinite(x); };
  if (!r.Get(&version) || version != kRffPayloadVersion || !r.Get(&text_dim) ||
      !r.Get(&input_dims) || !r.Get(&sigma) || !r.GetVector(&bias) || !r.GetVector(&w) ||
      !r.done() || bias.empty() || input_dims == 0 || input_dims > kMaxInputDims ||
      w.size() != static_cast<size_t>(input_dims) * bias.size() || !(sigma > 0) ||
      !std::all_of(w.begin(), w.end(), finite) || !std::all_of(bias.begin(), bias.end(), finite)) {
    return Corruption("rff: malformed payload");
  }
  text_dim_ = text_dim;
  input_dims_ = input_dims;
  sigma_ = sigma;
  bias_ = std::move(bias);
  w_ = std::move(w);
  return Status::Ok();
}

}  // namespace hitloop::model
