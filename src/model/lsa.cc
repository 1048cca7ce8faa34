#include "model/lsa.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/rng.h"
#include "core/serial.h"

namespace hitloop::model {
namespace {

constexpr uint32_t kLsaPayloadVersion = 1;
constexpr int kOversample = 10;
constexpr int kPowerIters = 2;

// Thin orthonormal basis of the columns of m.
Eigen::MatrixXf Orthonormalize(const Eigen::MatrixXf& m) {
  Eigen::HouseholderQR<Eigen::MatrixXf> qr(m);
  return qr.householderQ() * Eigen::MatrixXf::Identity(m.rows(), m.cols());
}

// Seeded samples of the pool to fit on (all of it when small enough).
std::vector<size_t> FitSample(size_t n, size_t cap, uint64_t seed) {
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  if (cap > 0 && n > cap) {
    Rng rng(seed * 0x9E3779B97F4A7C15ULL + 31);
    rng.Shuffle(idx);
    idx.resize(cap);
    std::sort(idx.begin(), idx.end());
  }
  return idx;
}

}  // namespace

Result<SvdResult> RandomizedSvd(const Eigen::SparseMatrix<float, Eigen::RowMajor>& a, int k,
                                int oversample, int power_iters, uint64_t seed) {
  const Eigen::Index rows = a.rows(), cols = a.cols();
  const Eigen::Index l = static_cast<Eigen::Index>(k) + std::max(0, oversample);
  if (k < 1 || l > std::min(rows, cols)) {
    return InvalidArgument("svd: rank " + std::to_string(k) + " + oversampling " +
                           std::to_string(oversample) + " exceeds the matrix size " +
                           std::to_string(rows) + " x " + std::to_string(cols));
  }
  Rng rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Eigen::MatrixXf omega(cols, l);
  for (Eigen::Index j = 0; j < l; ++j) {
    for (Eigen::Index i = 0; i < cols; ++i) omega(i, j) = normal(rng.engine());
  }
  Eigen::MatrixXf y = a * omega;  // rows × l
  for (int q = 0; q < power_iters; ++q) {
    Eigen::MatrixXf z = Orthonormalize(a.transpose() * Orthonormalize(y));  // cols × l
    y = a * z;
  }
  const Eigen::MatrixXf qm = Orthonormalize(y);         // rows × l
  const Eigen::MatrixXf bt = a.transpose() * qm;        // cols × l  (B = Q^T A)
  // B B^T = Ub S^2 Ub^T (l × l, in double for the eigen-solver), V = B^T Ub S^-1.
  const Eigen::MatrixXd bbt = (bt.transpose() * bt).cast<double>();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(bbt);
  if (eig.info() != Eigen::Success) return Internal("svd: eigen-decomposition failed");
  SvdResult out;
  out.v.resize(cols, k);
  out.sigma.resize(k);
  for (int j = 0; j < k; ++j) {
    const Eigen::Index src = l - 1 - j;  // eigenvalues ascend
    const double s2 = std::max(0.0, eig.eigenvalues()(src));
    const double s = std::sqrt(s2);
    out.sigma(j) = static_cast<float>(s);
    const Eigen::VectorXf ub = eig.eigenvectors().col(src).cast<float>();
    if (s > 1e-12) {
      out.v.col(j) = bt * ub / static_cast<float>(s);
    } else {
      out.v.col(j).setZero();
    }
  }
  return out;
}

Status Lsa::Fit(std::span<const Example> pool) {
  const int want = options_.dims > 0 ? options_.dims : kDefaultDims;
  const auto sample = FitSample(pool.size(), options_.max_fit_items, options_.seed);
  // Document frequency of every feature in the sample.
  std::unordered_map<uint32_t, uint32_t> df;
  for (size_t i : sample) {
    if (pool[i].features == nullptr) return InvalidArgument("lsa: example without features");
    for (const auto& f : *pool[i].features) ++df[f.index];
  }
  std::vector<std::pair<uint32_t, uint32_t>> by_df;  // (df, feature)
  by_df.reserve(df.size());
  for (const auto& [feat, n] : df) {
    if (n >= 2) by_df.push_back({n, feat});
  }
  std::sort(by_df.begin(), by_df.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (by_df.size() > kMaxColumns) by_df.resize(kMaxColumns);
  columns_.clear();
  for (const auto& [n, feat] : by_df) columns_.push_back(feat);
  std::sort(columns_.begin(), columns_.end());
  const int k = std::min<int>(want, static_cast<int>(std::min(columns_.size(), sample.size())) -
                                        kOversample);
  if (k < 1) {
    return InvalidArgument("lsa: the pool is too small to learn " + std::to_string(want) +
                           " latent dimensions (" + std::to_string(sample.size()) + " items, " +
                           std::to_string(columns_.size()) + " shared features)");
  }
  BuildIndex();
  std::vector<Eigen::Triplet<float>> trip;
  for (size_t r = 0; r < sample.size(); ++r) {
    for (const auto& f : *pool[sample[r]].features) {
      auto it = index_.find(f.index);
      if (it != index_.end()) trip.emplace_back(static_cast<int>(r), static_cast<int>(it->second), f.value);
    }
  }
  Eigen::SparseMatrix<float, Eigen::RowMajor> a(static_cast<Eigen::Index>(sample.size()),
                                                static_cast<Eigen::Index>(columns_.size()));
  a.setFromTriplets(trip.begin(), trip.end());
  ASSIGN_OR_RETURN(SvdResult svd, RandomizedSvd(a, k, kOversample, kPowerIters, options_.seed));
  v_.assign(columns_.size() * static_cast<size_t>(k), 0.0f);
  for (size_t r = 0; r < columns_.size(); ++r) {
    for (int j = 0; j < k; ++j) v_[r * k + j] = svd.v(static_cast<Eigen::Index>(r), j);
  }
  sigma_.assign(svd.sigma.data(), svd.sigma.data() + k);
  return Status::Ok();
}

void Lsa::BuildIndex() {
  index_.clear();
  index_.reserve(columns_.size());
  for (uint32_t r = 0; r < columns_.size(); ++r) index_[columns_[r]] = r;
}

Status Lsa::Transform(const Example& ex, std::span<float> out) const {
  const int k = dims();
  if (k == 0) return FailedPrecondition("lsa: not fitted");
  if (out.size() != static_cast<size_t>(k)) return InvalidArgument("lsa: output has the wrong size");
  std::fill(out.begin(), out.end(), 0.0f);
  if (ex.features == nullptr) return Status::Ok();
  for (const auto& f : *ex.features) {
    auto it = index_.find(f.index);
    if (it == index_.end()) continue;
    const float* v = v_.data() + static_cast<size_t>(it->second) * k;
    for (int j = 0; j < k; ++j) out[j] += f.value * v[j];
  }
  return Status::Ok();
}

Result<std::string> Lsa::Serialize() const {
  if (dims() == 0) return FailedPrecondition("lsa: not fitted");
  Writer w;
  w.Put<uint32_t>(kLsaPayloadVersion);
  w.PutVector(columns_);
  w.PutVector(sigma_);
  w.PutVector(v_);
  return w.Take();
}

Status Lsa::Deserialize(std::string_view payload) {
  Reader r(payload);
  uint32_t version = 0;
  std::vector<uint32_t> cols;
  std::vector<float> sigma, v;
  if (!r.Get(&version) || version != kLsaPayloadVersion || !r.GetVector(&cols) ||
      !r.GetVector(&sigma) || !r.GetVector(&v) || !r.done() || sigma.empty() ||
      cols.size() > kMaxColumns || v.size() != cols.size() * sigma.size() ||
      !std::is_sorted(cols.begin(), cols.end()) ||
      std::adjacent_find(cols.begin(), cols.end()) != cols.end() ||
      !std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); })) {
    return Corruption("lsa: malformed payload");
  }
  columns_ = std::move(cols);
  sigma_ = std::move(sigma);
  v_ = std::move(v);
  BuildIndex();
  return Status::Ok();
}

}  // namespace hitloop::model
