#include "model/calibration.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.h"
#include "core/serial.h"

namespace hitloop::model {
namespace {
constexpr double kFloor = 1e-12;
}

double NegativeLogLikelihood(std::span<const float> probs, std::span<const int> labels, int k,
                             double temperature) {
  const size_t n = labels.size();
  double nll = 0;
  std::vector<double> z(k);
  for (size_t i = 0; i < n; ++i) {
    const float* p = probs.data() + i * k;
    double mx = -1e300;
    for (int c = 0; c < k; ++c) {
      z[c] = std::log(std::max<double>(p[c], kFloor)) / temperature;
      mx = std::max(mx, z[c]);
    }
    double s = 0;
    for (int c = 0; c < k; ++c) s += std::exp(z[c] - mx);
    nll -= z[labels[i]] - mx - std::log(s);
  }
  return n ? nll / n : 0.0;
}

Result<double> FitTemperature(std::span<const float> probs, std::span<const int> labels, int k) {
  if (labels.empty() || probs.size() != labels.size() * static_cast<size_t>(k)) {
    return InvalidArgument("calibration: probs and labels do not match");
  }
  // Golden-section search over u = ln T; the NLL is unimodal in T for a fixed set of scores.
  double a = std::log(1.0 / 20), b = std::log(20.0);
  const double g = (std::sqrt(5.0) - 1) / 2;
  double c = b - g * (b - a), d = a + g * (b - a);
  auto f = [&](double u) { return NegativeLogLikelihood(probs, labels, k, std::exp(u)); };
  double fc = f(c), fd = f(d);
  for (int it = 0; it < 60; ++it) {
    if (fc < fd) {
      b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d);
    }
  }
  return std::exp((a + b) / 2);
}

void ApplyTemperature(double temperature, std::span<float> probs, int k) {
  if (temperature == 1.0) return;
  const size_t n = probs.size() / k;
  std::vector<double> z(k);
  for (size_t i = 0; i < n; ++i) {
    float* p = probs.data() + i * k;
    double mx = -1e300;
    for (int c = 0; c < k; ++c) {
      z[c] = p[c] > 0 ? std::log(static_cast<double>(p[c])) / temperature : -1e300;
      mx = std::max(mx, z[c]);
    }
    double s = 0;
    for (int c = 0; c < k; ++c) s += (z[c] = (z[c] <= -1e299 ? 0.0 : std::exp(z[c] - mx)));
    for (int c = 0; c < k; ++c) p[c] = static_cast<float>(z[c] / s);
  }
}

double ExpectedCalibrationError(std::span<const float> probs, std::span<const int> labels, int k,
                                int bins) {
  std::vector<double> conf(bins, 0), acc(bins, 0), cnt(bins, 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    const float* p = probs.data() + i * k;
    const int arg = static_cast<int>(std::max_element(p, p + k) - p);
    const int b = std::min(bins - 1, static_cast<int>(p[arg] * bins));
    conf[b] += p[arg];
    acc[b] += arg == labels[i] ? 1 : 0;
    cnt[b] += 1;
  }
  double ece = 0;
  for (int b = 0; b < bins; ++b) {
    if (cnt[b] > 0) ece += std::fabs(acc[b] - conf[b]);
  }
  return labels.empty() ? 0.0 : ece / labels.size();
}

Status CalibratedClassifier::Train(std::span<const Example> examples,
                                   std::span<const int> labels, int num_classes) {
  RETURN_IF_ERROR(ValidateTrainingInput(examples, labels, num_classes));
  temperature_ = 1.0;
  const size_t n = examples.size();
  const size_t n_hold = static_cast<size_t>(n * options_.calibration_holdout);
  if (n_hold >= 2 * static_cast<size_t>(num_classes) && n - n_hold >= 2) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    Rng rng(options_.seed ^ 0x7e3fULL);
    rng.Shuffle(order);
    std::vector<Example> fit_x, hold_x;
    std::vector<int> fit_y, hold_y;
    for (size_t j = 0; j < n; ++j) {
      const size_t i = order[j];
      if (j < n_hold) { hold_x.push_back(examples[i]); hold_y.push_back(labels[i]); }
      else { fit_x.push_back(examples[i]); fit_y.push_back(labels[i]); }
    }
    RETURN_IF_ERROR(inner_->Train(fit_x, fit_y, num_classes));
    std::vector<float> p(hold_x.size() * num_classes);
    RETURN_IF_ERROR(inner_->Predict(hold_x, p));
    ASSIGN_OR_RETURN(temperature_, FitTemperature(p, hold_y, num_classes));
  }
  return inner_->Train(examples, labels, num_classes);
}

Status CalibratedClassifier::Predict(std::span<const Example> examples,
                                     std::span<float> out) const {
  RETURN_IF_ERROR(inner_->Predict(examples, out));
  ApplyTemperature(temperature_, out, inner_->num_classes());
  return Status::Ok();
}

Result<std::string> CalibratedClassifier::Serialize() const {
  ASSIGN_OR_RETURN(std::string inner, inner_->Serialize());
  Writer w;
  w.Put<double>(temperature_);
  w.PutString(inner);
  return w.Take();
}

Status CalibratedClassifier::Deserialize(std::string_view payload) {
  Reader r(payload);
  double t = 0;
  std::string inner;
  if (!r.Get(&t) || !(t > 0 && t < 1e6) || !r.GetString(&inner) || !r.done()) {
    return Corruption("calibrated: malformed model payload");
  }
  RETURN_IF_ERROR(inner_->Deserialize(inner));
  temperature_ = t;
  return Status::Ok();
}

}  // namespace hitloop::model
