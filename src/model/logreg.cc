#include "model/logreg.h"

#include <linear.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/parallel.h"
#include "model/dual_cd.h"
#include "core/serial.h"

namespace hitloop::model {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kLogRegPayloadVersion = 1;
// Bounds the lookup table a (corrupted) payload could make Deserialize allocate.
constexpr uint32_t kMaxFeatureIndex = 1u << 30;
// BuildIndex keeps a dense feature -> row table while it has at most this many entries, or at
// most kDenseIndexFactor per weight row; beyond, a sorted sparse table.
constexpr size_t kDenseIndexFloor = size_t{1} << 22;
constexpr size_t kDenseIndexFactor = 16;

// liblinear reports progress through a global print hook; nothing below cli/ may print.
void SilentPrint(const char*) {}
void SilenceLiblinear() {
  static std::once_flag once;
  std::call_once(once, [] { set_print_string_function(&SilentPrint); });
}

struct ModelDeleter {
  void operator()(struct model* m) const { free_and_destroy_model(&m); }
};

}  // namespace

namespace {

size_t PaddedStride(int k) { return (static_cast<size_t>(k) + 7) / 8 * 8; }

}  // namespace

Status LogReg::Train(std::span<const Example> examples, std::span<const int> labels,
                     int num_classes) {
  RETURN_IF_ERROR(ValidateTrainingInput(examples, labels, num_classes));
  SilenceLiblinear();
  // Compact feature space: global index -> 1-based compact index, in order of first
  // appearance (a dense lookup table is much cheaper than sorting or searching per nonzero).
  uint32_t max_index = 0;
  for (const auto& ex : examples) {
    if (ex.features == nullptr) return InvalidArgument("logreg: example without features");
    for (const auto& f : *ex.features) max_index = std::max(max_index, f.index);
  }
  std::vector<int> to_compact(static_cast<size_t>(max_index) + 1, 0);
  std::vector<uint32_t> ids;
  for (const auto& ex : examples) {
    for (const auto& f : *ex.features) {
      if (to_compact[f.index] == 0) {
        ids.push_back(f.index);
        to_compact[f.index] = static_cast<int>(ids.size());
      }
    }
  }
  const int n_feat = static_cast<int>(ids.size());
  if (!(options_.c > 0)) return InvalidArgument("logreg: C must be > 0");

  num_classes_ = num_classes;
  stride_ = PaddedStride(num_classes);
  seen_.assign(num_classes, 0);
  for (int l : labels) seen_[l] = 1;
  feature_ids_ = ids;
  weights_.assign(ids.size() * stride_, 0.0f);
  bias_.assign(num_classes, 0.0f);

  std::vector<int> distinct;
  for (int k = 0; k < num_classes; ++k) if (seen_[k]) distinct.push_back(k);
  if (distinct.size() == 1) {
    // One class seen: a classifier needs two. The model predicts that class with certainty.
    bias_[distinct[0]] = 1.0f;
    BuildIndex();
    return Status::Ok();
  }
  // Dual coordinate descent is liblinear's recommendation when features outnumber examples
  // (hashed text); with few dense features and many examples (images as vectors) it converges
  // slowly and the primal trust-region Newton solver is much faster (measured on fashion: 69 s
  // dual vs a few seconds primal for a 3k pool).
  if (n_feat >= static_cast<int>(examples.size())) {
    RETURN_IF_ERROR(TrainDual(examples, labels, ids, to_compact, distinct));
    BuildIndex();
    return Status::Ok();
  }
  warm_ids_.clear();
  warm_labels_.clear();
  warm_alpha_.clear();

  std::vector<feature_node> space;
  size_t total = 0;
  for (const auto& ex : examples) total += ex.features->size() + 2;
  space.reserve(total);
  std::vector<size_t> starts;
  starts.reserve(examples.size());
  for (const auto& ex : examples) {
    starts.push_back(space.size());
    for (const auto& f : *ex.features) space.push_back({to_compact[f.index], f.value});
    space.push_back({n_feat + 1, 1.0});  // bias feature
    space.push_back({-1, 0.0});
  }
  std::vector<feature_node*> x(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) x[i] = space.data() + starts[i];
  std::vector<double> y(labels.begin(), labels.end());

  problem prob{};
  prob.l = static_cast<int>(examples.size());
  prob.n = n_feat + 1;
  prob.y = y.data();
  prob.x = x.data();
  prob.bias = 1.0;
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = 0.01;
  param.C = options_.c;
  param.p = 0.1;
  if (const char* err = check_parameter(&prob, &param)) {
    return InvalidArgument(std::string("logreg: ") + err);
  }
  std::unique_ptr<struct model, ModelDeleter> m(train(&prob, &param));
  if (!m) return Internal("logreg: liblinear returned no model");
  const int nr_class = get_nr_class(m.get());
  std::vector<int> order(nr_class);
  get_labels(m.get(), order.data());
  // liblinear stores w as (n_feat + 1) × nr_w, nr_w = 1 for two classes (decision for label[0]).
  const int nr_w = nr_class == 2 ? 1 : nr_class;
  for (int j = 0; j <= n_feat; ++j) {
    for (int c = 0; c < nr_w; ++c) {
      const double w = m->w[static_cast<size_t>(j) * nr_w + c];
      if (nr_class == 2) {
        // Decision d for order[0]; -d for order[1] gives the same normalised probability.
        if (j < n_feat) {
          weights_[static_cast<size_t>(j) * stride_ + order[0]] = static_cast<float>(w);
          weights_[static_cast<size_t>(j) * stride_ + order[1]] = static_cast<float>(-w);
        } else {
          bias_[order[0]] = static_cast<float>(w);
          bias_[order[1]] = static_cast<float>(-w);
        }
      } else if (j < n_feat) {
        weights_[static_cast<size_t>(j) * stride_ + order[c]] = static_cast<float>(w);
      } else {
        bias_[order[c]] = static_cast<float>(w);
      }
    }
  }
  BuildIndex();
  return Status::Ok();
}

Status LogReg::TrainDual(std::span<const Example> examples, std::span<const int> labels,
                         const std::vector<uint32_t>& ids, const std::vector<int>& to_compact,
                         const std::vector<int>& distinct) {
  const size_t l = examples.size();
  const uint32_t n_feat = static_cast<uint32_t>(ids.size());
  CsrRows x;
  x.cols = n_feat + 1;  // + bias feature (value 1, regularised like liblinear's)
  x.row_start.reserve(l + 1);
  size_t nnz = 0;
  for (const auto& ex : examples) nnz += ex.features->size() + 1;
  x.col.reserve(nnz);
  x.val.reserve(nnz);
  x.row_start.push_back(0);
  for (const auto& ex : examples) {
    for (const auto& f : *ex.features) {
      x.col.push_back(static_cast<uint32_t>(to_compact[f.index] - 1));
      x.val.push_back(f.value);
    }
    x.col.push_back(n_feat);
    x.val.push_back(1.0f);
    x.row_start.push_back(x.col.size());
  }

  // Where each example sat in the previous Train (same id and label), for the warm start.
  std::vector<int64_t> prev(l, -1);
  if (!warm_ids_.empty()) {
    std::unordered_map<uint64_t, size_t> pos;
    pos.reserve(warm_ids_.size());
    for (size_t j = 0; j < warm_ids_.size(); ++j) if (warm_ids_[j] != 0) pos[warm_ids_[j]] = j;
    for (size_t i = 0; i < l; ++i) {
      if (examples[i].id == 0) continue;
      auto it = pos.find(examples[i].id);
      if (it != pos.end() && warm_labels_[it->second] == labels[i]) {
        prev[i] = static_cast<int64_t>(it->second);
      }
    }
  }
  if (warm_alpha_.size() != static_cast<size_t>(num_classes_)) warm_alpha_.assign(num_classes_, {});

  // Two classes: one problem (the first class against the second); otherwise one per class.
  std::vector<int> problems = distinct;
  if (problems.size() == 2) problems.resize(1);
  const int other = distinct.size() == 2 ? distinct[1] : -1;
  std::vector<std::vector<double>> alphas(num_classes_);
  std::vector<std::vector<float>> columns(num_classes_);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::vector<int8_t> y(l);
    std::vector<double> w;
    for (size_t p = next++; p < problems.size(); p = next++) {
      const int c = problems[p];
      for (size_t i = 0; i < l; ++i) y[i] = labels[i] == c ? 1 : -1;
      std::vector<double> alpha(l, ColdDualValue(options_.c));
      const auto& old = warm_alpha_[c];
      if (!old.empty()) {
        for (size_t i = 0; i < l; ++i) {
          if (prev[i] >= 0 && static_cast<size_t>(prev[i]) < old.size()) alpha[i] = old[prev[i]];
        }
      }
      DualCdOptions o;
      o.c = options_.c;
      o.eps = options_.dual_tolerance;
      o.seed = options_.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(c);
      SolveLogisticDual(x, y, o, alpha, &w);
      // Kept per class and transposed into the row-major table below: writing one column of
      // it per class touched every cache line of the table once per class.
      columns[c].assign(w.begin(), w.begin() + n_feat);
      bias_[c] = static_cast<float>(w[n_feat]);
      if (other >= 0) bias_[other] = static_cast<float>(-w[n_feat]);
      alphas[c] = std::move(alpha);
    }
  };
  const int threads = std::clamp(options_.threads, 1, static_cast<int>(problems.size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  ParallelFor(n_feat, options_.threads, 4096, [&](size_t begin, size_t end) {
    for (int c : problems) {
      const float* col = columns[c].data();
      for (size_t j = begin; j < end; ++j) weights_[j * stride_ + c] = col[j];
      if (other >= 0) {
        for (size_t j = begin; j < end; ++j) weights_[j * stride_ + other] = -col[j];
      }
    }
  });

  warm_ids_.resize(l);
  for (size_t i = 0; i < l; ++i) warm_ids_[i] = examples[i].id;
  warm_labels_.assign(labels.begin(), labels.end());
  warm_alpha_ = std::move(alphas);
  return Status::Ok();
}

void LogReg::BuildIndex() {
  index_.clear();
  index_.shrink_to_fit();
  sparse_index_.clear();
  if (feature_ids_.empty()) return;
  const size_t span =
      static_cast<size_t>(*std::max_element(feature_ids_.begin(), feature_ids_.end())) + 1;
  if (span <= std::max(kDenseIndexFloor, kDenseIndexFactor * feature_ids_.size())) {
    index_.assign(span, kNone);
    for (uint32_t r = 0; r < feature_ids_.size(); ++r) index_[feature_ids_[r]] = r;
    return;
  }
  // Sparse: the last row of a repeated id wins, as in the dense table (pairs sort by id, then
  // row; of each run of one id the last pair is kept).
  sparse_index_.reserve(feature_ids_.size());
  for (uint32_t r = 0; r < feature_ids_.size(); ++r) sparse_index_.emplace_back(feature_ids_[r], r);
  std::sort(sparse_index_.begin(), sparse_index_.end());
  auto last_of_run = std::unique(sparse_index_.rbegin(), sparse_index_.rend(),
                                 [](const auto& a, const auto& b) { return a.first == b.first; });
  sparse_index_.erase(sparse_index_.begin(), last_of_run.base());
}

namespace scoring {

using V8 = float __attribute__((vector_size(32)));
// Unaligned 8-float loads and stores go through memcpy (vmovups at -O2), written out in the loop
// (a helper taking or returning V8 changes the ABI of the non-AVX clone). A pointer to a vector
// type declared aligned(4) was not enough: clang 14 still took the type as 32-byte aligned, so
// every store to the accumulator (a std::vector<float>, 16-byte aligned) was undefined behaviour
// (UBSan: "store to misaligned address ... requires 32 byte alignment").

// acc[0 .. blocks) += value × weight row, over one sparse row. The weight rows of the nonzeros a
// few positions ahead are prefetched (the table is far larger than the L2 cache, and each row
// is a random access), and the class loop runs in 8-float SIMD blocks. One clone per ISA; no FMA
// contraction (ISO C++ mode), so every clone gives bit-identical scores.
// Under ThreadSanitizer the default clone only: clang 14 instruments the ifunc resolver that
// target_clones generates, and the resolver runs while the dynamic loader relocates the binary,
// before the TSan runtime is initialised, so every TSan-built binary linking model/ crashed at
// load (SIGSEGV in __tsan_func_entry; Regression.ThreadSanitizerBuildsStartAndScore).
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HITLOOP_THREAD_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(HITLOOP_THREAD_SANITIZER)
#define HITLOOP_SCORING_CLONES
#else
#define HITLOOP_SCORING_CLONES __attribute__((target_clones("avx2", "default")))
#endif
HITLOOP_SCORING_CLONES void Accumulate(
    const text::Feature* f, size_t nnz, const uint32_t* index, size_t index_size,
    const float* weights, size_t stride, float* acc_out) {
  constexpr size_t kIndexAhead = 16, kRowAhead = 8;
  const size_t blocks = stride / 8;
  for (size_t j = 0; j < nnz; ++j) {
    if (j + kIndexAhead < nnz && f[j + kIndexAhead].index < index_size) {
      __builtin_prefetch(index + f[j + kIndexAhead].index);
    }
    if (j + kRowAhead < nnz && f[j + kRowAhead].index < index_size) {
      const uint32_t ra = index[f[j + kRowAhead].index];
      if (ra != kNone) {
        const char* p = reinterpret_cast<const char*>(weights + static_cast<size_t>(ra) * stride);
        for (size_t b = 0; b < stride * sizeof(float); b += 64) __builtin_prefetch(p + b);
        __builtin_prefetch(p + stride * sizeof(float) - 1);
      }
    }
    if (f[j].index >= index_size) continue;
    const uint32_t r = index[f[j].index];
    if (r == kNone) continue;
    const float* w = weights + static_cast<size_t>(r) * stride;
    const float v = f[j].value;
    const V8 vv = {v, v, v, v, v, v, v, v};
    // No alignment is promised for acc_out by the caller.
    for (size_t b = 0; b < blocks; ++b) {
      V8 a, wb;
      std::memcpy(&a, acc_out + 8 * b, sizeof(a));
      std::memcpy(&wb, w + 8 * b, sizeof(wb));
      a += wb * vv;
      std::memcpy(acc_out + 8 * b, &a, sizeof(a));
    }
  }
}

// The same sum through a sorted (feature, row) table: models whose feature ids are far more
// spread than their rows (a large hash space, few features). Scalar: such models are rare.
void AccumulateSparse(const text::Feature* f, size_t nnz,
                      const std::vector<std::pair<uint32_t, uint32_t>>& index,
                      const float* weights, size_t stride, float* acc_out) {
  for (size_t j = 0; j < nnz; ++j) {
    auto it = std::lower_bound(index.begin(), index.end(), f[j].index,
                               [](const auto& e, uint32_t id) { return e.first < id; });
    if (it == index.end() || it->first != f[j].index) continue;
    const float* w = weights + static_cast<size_t>(it->second) * stride;
    for (size_t c = 0; c < stride; ++c) acc_out[c] += w[c] * f[j].value;
  }
}

}  // namespace scoring

void LogReg::ScoreRange(std::span<const Example> examples, size_t begin, size_t end,
                        std::span<float> out, bool probabilities) const {
  const int k = num_classes_;
  std::vector<float> acc(stride_);
  for (size_t i = begin; i < end; ++i) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    if (examples[i].features != nullptr && !index_.empty()) {
      const auto& row = *examples[i].features;
      scoring::Accumulate(row.data(), row.size(), index_.data(), index_.size(), weights_.data(),
                          stride_, acc.data());
    } else if (examples[i].features != nullptr && !sparse_index_.empty()) {
      const auto& row = *examples[i].features;
      scoring::AccumulateSparse(row.data(), row.size(), sparse_index_, weights_.data(), stride_,
                                acc.data());
    }
    const float* dec = acc.data();
    float* o = out.data() + i * k;
    if (!probabilities) {
      for (int c = 0; c < k; ++c) {
        o[c] = seen_[c] ? dec[c] + bias_[c] : -std::numeric_limits<float>::infinity();
      }
      continue;
    }
    float sum = 0;
    for (int c = 0; c < k; ++c) {
      const float p = seen_[c] ? 1.0f / (1.0f + std::exp(-(dec[c] + bias_[c]))) : 0.0f;
      o[c] = p;
      sum += p;
    }
    const float inv = sum > 0 ? 1.0f / sum : 1.0f;
    for (int c = 0; c < k; ++c) o[c] *= inv;
  }
}

Status LogReg::Predict(std::span<const Example> examples, std::span<float> out) const {
  if (num_classes_ == 0) return FailedPrecondition("logreg: not trained");
  if (out.size() != examples.size() * static_cast<size_t>(num_classes_)) {
    return InvalidArgument("logreg: output buffer has the wrong size");
  }
  ParallelFor(examples.size(), options_.threads, 2048,
              [&](size_t b, size_t e) { ScoreRange(examples, b, e, out, true); });
  return Status::Ok();
}

Status LogReg::DecisionValues(std::span<const Example> examples, std::span<float> out) const {
  if (num_classes_ == 0) return FailedPrecondition("logreg: not trained");
  if (out.size() != examples.size() * static_cast<size_t>(num_classes_)) {
    return InvalidArgument("logreg: output buffer has the wrong size");
  }
  ParallelFor(examples.size(), options_.threads, 2048,
              [&](size_t b, size_t e) { ScoreRange(examples, b, e, out, false); });
  return Status::Ok();
}

Result<std::string> LogReg::Serialize() const {
  if (num_classes_ == 0) return FailedPrecondition("logreg: not trained");
  Writer w;
  w.Put<uint32_t>(kLogRegPayloadVersion);
  w.Put<int32_t>(num_classes_);
  w.Put<double>(options_.c);
  w.PutVector(seen_);
  w.PutVector(feature_ids_);
  // The file holds rows of num_classes_ weights (the in-memory rows are padded to stride_).
  std::vector<float> packed(feature_ids_.size() * static_cast<size_t>(num_classes_));
  for (size_t r = 0; r < feature_ids_.size(); ++r) {
    std::copy_n(weights_.data() + r * stride_, num_classes_, packed.data() + r * num_classes_);
  }
  w.PutVector(packed);
  w.PutVector(bias_);
  return w.Take();
}

Status LogReg::Deserialize(std::string_view payload) {
  Reader r(payload);
  uint32_t version = 0;
  int32_t k = 0;
  double c = 0;
  std::vector<uint8_t> seen;
  std::vector<uint32_t> ids;
  std::vector<float> weights, bias;
  if (!r.Get(&version) || version != kLogRegPayloadVersion || !r.Get(&k) || k < 1 || !r.Get(&c) ||
      !r.GetVector(&seen) || !r.GetVector(&ids) || !r.GetVector(&weights) ||
      !r.GetVector(&bias) || !r.done() || seen.size() != static_cast<size_t>(k) ||
      bias.size() != static_cast<size_t>(k) || weights.size() != ids.size() * k ||
      std::any_of(ids.begin(), ids.end(), [](uint32_t id) { return id >= kMaxFeatureIndex; })) {
    return Corruption("logreg: malformed model payload");
  }
  num_classes_ = k;
  stride_ = PaddedStride(k);
  options_.c = c;
  seen_ = std::move(seen);
  feature_ids_ = std::move(ids);
  weights_.assign(feature_ids_.size() * stride_, 0.0f);
  for (size_t r = 0; r < feature_ids_.size(); ++r) {
    std::copy_n(weights.data() + r * k, k, weights_.data() + r * stride_);
  }
  warm_ids_.clear();
  warm_labels_.clear();
  warm_alpha_.clear();
  bias_ = std::move(bias);
  BuildIndex();
  return Status::Ok();
}

}  // namespace hitloop::model
