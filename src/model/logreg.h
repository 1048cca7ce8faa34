#pragma once
// Multinomial-output logistic regression on sparse rows, trained with liblinear
// (Fan et al. 2008, "LIBLINEAR: A library for large linear classification"): L2-regularised
// logistic loss — dual coordinate descent (Yu, Huang & Lin 2011) when features outnumber
// examples (hashed text), primal trust-region Newton otherwise (dense vectors) — one-vs-rest for
// K > 2 with probabilities normalised over the classes, as liblinear's predict_probability does.
//
// Only the features that occur in the training rows get weights (the others would be exactly 0
// under L2), so the learnt state is compact even with 2^20 hashed buckets; scoring looks the
// feature up in a dense index table and runs over options.threads threads.
// Thread-safety and errors: see model/classifier.h.
#include <cstdint>
#include <string>
#include <vector>

#include "model/classifier.h"

namespace hitloop::model {

class LogReg final : public Classifier {
 public:
  explicit LogReg(const ClassifierOptions& options) : options_(options) {}

  std::string name() const override { return "logreg"; }
  Status Train(std::span<const Example> examples, std::span<const int> labels,
               int num_classes) override;
  Status Predict(std::span<const Example> examples, std::span<float> out) const override;
  int num_classes() const override { return num_classes_; }
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;

  // Raw one-vs-rest decision values (examples × num_classes; unseen classes get -inf).
  Status DecisionValues(std::span<const Example> examples, std::span<float> out) const;

 private:
  void BuildIndex();
  void ScoreRange(std::span<const Example> examples, size_t begin, size_t end,
                  std::span<float> out, bool probabilities) const;

  ClassifierOptions options_;
  int num_classes_ = 0;
  std::vector<uint8_t> seen_;         // per class: present in the training labels
  std::vector<uint32_t> feature_ids_; // global feature index of each weight row
  std::vector<float> weights_;        // feature_ids_.size() × num_classes_, row-major
  std::vector<float> bias_;           // num_classes_
  std::vector<uint32_t> index_;       // global feature -> row in weights_ (or kNone)
};

}  // namespace hitloop::model
