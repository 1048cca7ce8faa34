#pragma once
// Multinomial-output logistic regression on sparse rows: L2-regularised logistic loss,
// one-vs-rest for K > 2 with probabilities normalised over the classes (as liblinear's
// predict_probability does).
//   - Features outnumber examples (hashed text): dual coordinate descent (model/dual_cd.h, the
//     algorithm of liblinear's L2R_LR_DUAL), one problem per class on options.threads threads,
//     each warm-started from the previous Train's dual variables of the examples with the same
//     Example::id and label (active learning retrains on a superset of last cycle's labels).
//   - Otherwise (few dense features, e.g. images as vectors): liblinear's primal trust-region
//     Newton solver (Fan et al. 2008).
//
// Only the features that occur in the training rows get weights (the others would be exactly 0
// under L2), so the learnt state is compact even with 2^20 hashed buckets; scoring looks the
// feature up in a dense index table, accumulates the class scores in SIMD blocks with the next
// rows' weights prefetched, and runs over options.threads threads.
// Thread-safety and errors: see model/classifier.h.
#include <cstdint>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "model/classifier.h"

namespace hitloop::model {

// Cache-line-aligned storage for the weight table (rows of 16 floats start on a line).
template <typename T>
struct LineAlignedAllocator {
  using value_type = T;
  LineAlignedAllocator() = default;
  template <typename U>
  LineAlignedAllocator(const LineAlignedAllocator<U>&) {}
  T* allocate(size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64)));
  }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const LineAlignedAllocator&) const { return true; }
};

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
  Status TrainDual(std::span<const Example> examples, std::span<const int> labels,
                   const std::vector<uint32_t>& ids, const std::vector<int>& to_compact,
                   const std::vector<int>& distinct);
  void BuildIndex();
  void ScoreRange(std::span<const Example> examples, size_t begin, size_t end,
                  std::span<float> out, bool probabilities) const;

  ClassifierOptions options_;
  int num_classes_ = 0;
  size_t stride_ = 0;                 // weight row length: num_classes_ rounded up to 8
  std::vector<uint8_t> seen_;         // per class: present in the training labels
  std::vector<uint32_t> feature_ids_; // global feature index of each weight row
  // feature_ids_.size() × stride_, row-major (pad = 0)
  std::vector<float, LineAlignedAllocator<float>> weights_;
  std::vector<float> bias_;           // num_classes_
  // Feature -> weight row. Dense (index_[feature] = row or kNone) while the largest feature id
  // is within kDenseIndexFactor × rows (or below 2^22); otherwise sorted (feature, row) pairs in
  // sparse_index_, so the table stays proportional to the model, never to its largest id.
  std::vector<uint32_t> index_;
  std::vector<std::pair<uint32_t, uint32_t>> sparse_index_;

  // Warm start of the dual solver: the last Train's examples (by Example::id) and, per class
  // problem (label == class against the rest), their dual variables (empty: no such problem).
  std::vector<uint64_t> warm_ids_;
  std::vector<int> warm_labels_;
  std::vector<std::vector<double>> warm_alpha_;  // [class][example]
};

}  // namespace hitloop::model
