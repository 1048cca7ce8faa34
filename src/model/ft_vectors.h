#pragma once
// "ftvec": word and subword vectors learnt without labels from the pool's own text (fastText
// skip-gram, Bojanowski et al. 2017, through libfasttext), pooled into one document vector per
// item: the mean of the unit-normalised vectors of its words (fastText's sentence vector for
// unsupervised models) minus the pool's mean document vector (the common component that makes
// every pair of raw document vectors nearly parallel; cf. Arora et al. 2017). Words never seen
// in the pool still get a vector from their character n-grams. Texts are normalised as for the fastText classifier (text::NormalizeLossy, one line).
// Training writes a temporary file (libfasttext reads a path) and removes it; the fitted state
// is fastText's own model file, carried inside hitloop's checksummed framing.
// Thread-safety and errors: see model/representation.h; libfasttext exceptions are caught here.
#include <memory>

#include "model/representation.h"

namespace fasttext {
class FastText;
}

namespace hitloop::model {

class FastTextVectors final : public Representation {
 public:
  static constexpr int kDefaultDims = 100;
  explicit FastTextVectors(const RepresentationOptions& options);
  ~FastTextVectors() override;
  std::string name() const override { return "ftvec"; }
  Status Fit(std::span<const Example> pool) override;
  int dims() const override { return dims_; }
  Status Transform(const Example& example, std::span<float> out) const override;
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;
  // The pool's mean document vector (subtracted by Transform).
  const std::vector<float>& mean() const { return mean_; }

 private:
  // Mean of the unit word vectors of `text` (no centring); false when it has no words.
  bool RawVector(std::string_view text, std::span<float> out) const;
  RepresentationOptions options_;
  int dims_ = 0;
  std::vector<float> mean_;
  std::unique_ptr<fasttext::FastText> ft_;
};

}  // namespace hitloop::model
