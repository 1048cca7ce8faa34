#pragma once
// Temperature scaling (Guo et al. 2017, "On calibration of modern neural networks"), applied to
// any model's class distribution: p_k(T) ∝ p_k^(1/T), i.e. softmax(log p / T). T is fitted by
// minimising the negative log-likelihood on held-out labelled data (golden-section search on
// log T in [1/20, 20]). T > 1 softens an over-confident model, T < 1 sharpens an under-confident
// one; the argmax never changes. Thread-safe (pure functions).
#include <memory>
#include <span>
#include <string>

#include "core/status.h"
#include "model/classifier.h"

namespace hitloop::model {

// probs: n × k row-major distributions; labels: n classes in [0, k).
double NegativeLogLikelihood(std::span<const float> probs, std::span<const int> labels, int k,
                             double temperature);
Result<double> FitTemperature(std::span<const float> probs, std::span<const int> labels, int k);
void ApplyTemperature(double temperature, std::span<float> probs, int k);
// Expected calibration error with `bins` equal-width confidence bins (for tests and reports).
double ExpectedCalibrationError(std::span<const float> probs, std::span<const int> labels, int k,
                                int bins = 15);

// "calibrated:NAME": trains NAME on (1 - holdout) of the labels, fits T on the rest, then
// retrains NAME on all labels and applies T to its predictions. With fewer than 2 held-out
// examples per class on average T stays 1.
class CalibratedClassifier final : public Classifier {
 public:
  CalibratedClassifier(std::unique_ptr<Classifier> inner, const ClassifierOptions& options)
      : inner_(std::move(inner)), options_(options) {}
  std::string name() const override { return "calibrated:" + inner_->name(); }
  Status Train(std::span<const Example> examples, std::span<const int> labels,
               int num_classes) override;
  Status Predict(std::span<const Example> examples, std::span<float> out) const override;
  int num_classes() const override { return inner_->num_classes(); }
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;
  double temperature() const { return temperature_; }

 private:
  std::unique_ptr<Classifier> inner_;
  ClassifierOptions options_;
  double temperature_ = 1.0;
};

}  // namespace hitloop::model
