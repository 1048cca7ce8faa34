#pragma once
// fastText supervised classifier (Joulin et al. 2017, "Bag of tricks for efficient text
// classification") through libfasttext. It featurises the example's raw text itself (normalised
// with text::NormalizeLossy, word n-grams up to 2, character n-grams off by default), so it
// ignores Example::features and cannot use dense vectors.
// Training writes a temporary file (libfasttext reads its input from a path) and removes it.
// Thread-safety and errors: see model/classifier.h; libfasttext exceptions are caught here and
// returned as Status.
#include <memory>
#include <string>

#include "model/classifier.h"

namespace fasttext {
class FastText;
}

namespace hitloop::model {

class FastTextModel final : public Classifier {
 public:
  explicit FastTextModel(const ClassifierOptions& options);
  ~FastTextModel() override;
  std::string name() const override { return "fasttext"; }
  Status Train(std::span<const Example> examples, std::span<const int> labels,
               int num_classes) override;
  Status Predict(std::span<const Example> examples, std::span<float> out) const override;
  int num_classes() const override { return num_classes_; }
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;

 private:
  ClassifierOptions options_;
  int num_classes_ = 0;
  std::unique_ptr<fasttext::FastText> ft_;
};

}  // namespace hitloop::model
