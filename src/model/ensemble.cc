#include "model/ensemble.h"

#include "core/rng.h"
#include "core/serial.h"

namespace hitloop::model {

Status BootstrapEnsemble::Train(std::span<const Example> examples, std::span<const int> labels,
                                int num_classes) {
  RETURN_IF_ERROR(ValidateTrainingInput(examples, labels, num_classes));
  const size_t n = examples.size();
  for (size_t m = 0; m < members_.size(); ++m) {
    Rng rng(options_.seed * 0x9E3779B97F4A7C15ULL + m + 1);
    std::vector<Example> x(n);
    std::vector<int> y(n);
    for (size_t i = 0; i < n; ++i) {
      const size_t j = rng.Below(n);
      x[i] = examples[j];
      y[i] = labels[j];
    }
    RETURN_IF_ERROR(members_[m]->Train(x, y, num_classes));
  }
  num_classes_ = num_classes;
  return Status::Ok();
}

Status BootstrapEnsemble::PredictMembers(std::span<const Example> examples,
                                         std::vector<std::vector<float>>* out) const {
  if (num_classes_ == 0) return FailedPrecondition("bagged: not trained");
  out->resize(members_.size());
  for (size_t m = 0; m < members_.size(); ++m) {
    (*out)[m].assign(examples.size() * num_classes_, 0.0f);
    RETURN_IF_ERROR(members_[m]->Predict(examples, (*out)[m]));
  }
  return Status::Ok();
}

Status BootstrapEnsemble::Predict(std::span<const Example> examples, std::span<float> out) const {
  if (num_classes_ == 0) return FailedPrecondition("bagged: not trained");
  if (out.size() != examples.size() * static_cast<size_t>(num_classes_)) {
    return InvalidArgument("bagged: output buffer has the wrong size");
  }
  std::vector<std::vector<float>> each;
  RETURN_IF_ERROR(PredictMembers(examples, &each));
  std::fill(out.begin(), out.end(), 0.0f);
  const float inv = 1.0f / static_cast<float>(members_.size());
  for (const auto& e : each) {
    for (size_t i = 0; i < out.size(); ++i) out[i] += e[i] * inv;
  }
  return Status::Ok();
}

Result<std::string> BootstrapEnsemble::Serialize() const {
  if (num_classes_ == 0) return FailedPrecondition("bagged: not trained");
  Writer w;
  w.Put<int32_t>(num_classes_);
  w.Put<uint64_t>(members_.size());
  for (const auto& m : members_) {
    ASSIGN_OR_RETURN(std::string p, m->Serialize());
    w.PutString(p);
  }
  return w.Take();
}

Status BootstrapEnsemble::Deserialize(std::string_view payload) {
  Reader r(payload);
  int32_t k = 0;
  uint64_t n = 0;
  if (!r.Get(&k) || k < 1 || !r.Get(&n) || n != members_.size()) {
    return Corruption("bagged: malformed model payload (member count)");
  }
  for (auto& m : members_) {
    std::string p;
    if (!r.GetString(&p)) return Corruption("bagged: malformed model payload");
    RETURN_IF_ERROR(m->Deserialize(p));
  }
  if (!r.done()) return Corruption("bagged: trailing bytes in model payload");
  num_classes_ = k;
  return Status::Ok();
}

}  // namespace hitloop::model
