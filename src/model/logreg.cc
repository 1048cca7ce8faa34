#include "model/logreg.h"

#include <linear.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>

#include "model/serial.h"

namespace hitloop::model {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kPayloadVersion = 1;
// Bounds the lookup table a (corrupted) payload could make Deserialize allocate.
constexpr uint32_t kMaxFeatureIndex = 1u << 30;

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

Status LogReg::Train(std::span<const Example> examples, std::span<const int> labels,
                     int num_classes) {
  RETURN_IF_ERROR(ValidateTrainingInput(examples, labels, num_classes));
  SilenceLiblinear();
  // Compact feature space: global index -> 1-based liblinear index, in order of first
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
  auto compact = [&to_compact](uint32_t g) { return to_compact[g]; };

  std::vector<feature_node> space;
  size_t total = 0;
  for (const auto& ex : examples) total += ex.features->size() + 2;
  space.reserve(total);
  std::vector<size_t> starts;
  starts.reserve(examples.size());
  for (const auto& ex : examples) {
    starts.push_back(space.size());
    for (const auto& f : *ex.features) space.push_back({compact(f.index), f.value});
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
  // Dual coordinate descent is liblinear's recommendation when features outnumber examples
  // (hashed text); with few dense features and many examples (images as vectors) it converges
  // slowly and the primal trust-region Newton solver is much faster (measured on fashion: 69 s
  // dual vs a few seconds primal for a 3k pool).
  const bool primal = n_feat < prob.l;
  param.solver_type = primal ? L2R_LR : L2R_LR_DUAL;
  param.eps = primal ? 0.01 : 0.1;
  param.C = options_.c;
  param.p = 0.1;
  if (const char* err = check_parameter(&prob, &param)) {
    return InvalidArgument(std::string("logreg: ") + err);
  }

  num_classes_ = num_classes;
  seen_.assign(num_classes, 0);
  for (int l : labels) seen_[l] = 1;
  feature_ids_ = ids;
  weights_.assign(ids.size() * num_classes, 0.0f);
  bias_.assign(num_classes, 0.0f);

  std::vector<int> distinct;
  for (int k = 0; k < num_classes; ++k) if (seen_[k]) distinct.push_back(k);
  if (distinct.size() == 1) {
    // One class seen: liblinear needs two. The model predicts that class with certainty.
    bias_[distinct[0]] = 1.0f;
    BuildIndex();
    return Status::Ok();
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
          weights_[static_cast<size_t>(j) * num_classes + order[0]] = static_cast<float>(w);
          weights_[static_cast<size_t>(j) * num_classes + order[1]] = static_cast<float>(-w);
        } else {
          bias_[order[0]] = static_cast<float>(w);
          bias_[order[1]] = static_cast<float>(-w);
        }
      } else if (j < n_feat) {
        weights_[static_cast<size_t>(j) * num_classes + order[c]] = static_cast<float>(w);
      } else {
        bias_[order[c]] = static_cast<float>(w);
      }
    }
  }
  BuildIndex();
  return Status::Ok();
}

void LogReg::BuildIndex() {
  index_.clear();
  if (feature_ids_.empty()) return;
  index_.assign(static_cast<size_t>(*std::max_element(feature_ids_.begin(), feature_ids_.end())) + 1,
                kNone);
  for (uint32_t r = 0; r < feature_ids_.size(); ++r) index_[feature_ids_[r]] = r;
}

void LogReg::ScoreRange(std::span<const Example> examples, size_t begin, size_t end,
                        std::span<float> out, bool probabilities) const {
  const int k = num_classes_;
  std::vector<float> dec(k);
  for (size_t i = begin; i < end; ++i) {
    std::copy(bias_.begin(), bias_.end(), dec.begin());
    if (examples[i].features != nullptr) {
      for (const auto& f : *examples[i].features) {
        if (f.index >= index_.size()) continue;
        const uint32_t r = index_[f.index];
        if (r == kNone) continue;
        const float* w = weights_.data() + static_cast<size_t>(r) * k;
        for (int c = 0; c < k; ++c) dec[c] += w[c] * f.value;
      }
    }
    float* o = out.data() + i * k;
    if (!probabilities) {
      for (int c = 0; c < k; ++c) {
        o[c] = seen_[c] ? dec[c] : -std::numeric_limits<float>::infinity();
      }
      continue;
    }
    double sum = 0;
    for (int c = 0; c < k; ++c) {
      const double p = seen_[c] ? 1.0 / (1.0 + std::exp(-static_cast<double>(dec[c]))) : 0.0;
      o[c] = static_cast<float>(p);
      sum += p;
    }
    if (sum <= 0) sum = 1;
    for (int c = 0; c < k; ++c) o[c] = static_cast<float>(o[c] / sum);
  }
}

namespace {
template <typename F>
void ParallelFor(size_t n, int threads, F&& fn) {
  threads = std::max(1, threads);
  if (n < 2048 || threads == 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> pool;
  const size_t chunk = (n + threads - 1) / threads;
  for (int t = 1; t < threads; ++t) {
    const size_t b = std::min(n, chunk * t), e = std::min(n, chunk * (t + 1));
    if (b < e) pool.emplace_back([&fn, b, e] { fn(b, e); });
  }
  fn(0, std::min(n, chunk));
  for (auto& th : pool) th.join();
}
}  // namespace

Status LogReg::Predict(std::span<const Example> examples, std::span<float> out) const {
  if (num_classes_ == 0) return FailedPrecondition("logreg: not trained");
  if (out.size() != examples.size() * static_cast<size_t>(num_classes_)) {
    return InvalidArgument("logreg: output buffer has the wrong size");
  }
  ParallelFor(examples.size(), options_.threads,
              [&](size_t b, size_t e) { ScoreRange(examples, b, e, out, true); });
  return Status::Ok();
}

Status LogReg::DecisionValues(std::span<const Example> examples, std::span<float> out) const {
  if (num_classes_ == 0) return FailedPrecondition("logreg: not trained");
  if (out.size() != examples.size() * static_cast<size_t>(num_classes_)) {
    return InvalidArgument("logreg: output buffer has the wrong size");
  }
  ParallelFor(examples.size(), options_.threads,
              [&](size_t b, size_t e) { ScoreRange(examples, b, e, out, false); });
  return Status::Ok();
}

Result<std::string> LogReg::Serialize() const {
  if (num_classes_ == 0) return FailedPrecondition("logreg: not trained");
  Writer w;
  w.Put<uint32_t>(kPayloadVersion);
  w.Put<int32_t>(num_classes_);
  w.Put<double>(options_.c);
  w.PutVector(seen_);
  w.PutVector(feature_ids_);
  w.PutVector(weights_);
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
  if (!r.Get(&version) || version != kPayloadVersion || !r.Get(&k) || k < 1 || !r.Get(&c) ||
      !r.GetVector(&seen) || !r.GetVector(&ids) || !r.GetVector(&weights) ||
      !r.GetVector(&bias) || !r.done() || seen.size() != static_cast<size_t>(k) ||
      bias.size() != static_cast<size_t>(k) || weights.size() != ids.size() * k ||
      std::any_of(ids.begin(), ids.end(), [](uint32_t id) { return id >= kMaxFeatureIndex; })) {
    return Corruption("logreg: malformed model payload");
  }
  num_classes_ = k;
  options_.c = c;
  seen_ = std::move(seen);
  feature_ids_ = std::move(ids);
  weights_ = std::move(weights);
  bias_ = std::move(bias);
  BuildIndex();
  return Status::Ok();
}

}  // namespace hitloop::model
