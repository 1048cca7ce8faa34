#pragma once
// "bagged:NAME": a bootstrap ensemble (Breiman 1996) of ensemble_size NAME models, each trained
// on n examples drawn with replacement (seeded from options.seed and the member index). Predict
// averages the members; PredictMembers exposes each member's distribution for query-by-committee
// (al/qbc.cc). Thread-safety and errors: see model/classifier.h.
#include <memory>
#include <string>
#include <vector>

#include "model/classifier.h"

namespace hitloop::model {

class BootstrapEnsemble final : public Classifier {
 public:
  // `members` are untrained classifiers of one kind; at least one.
  BootstrapEnsemble(std::vector<std::unique_ptr<Classifier>> members,
                    const ClassifierOptions& options)
      : members_(std::move(members)), options_(options) {}
  std::string name() const override { return "bagged:" + members_.front()->name(); }
  Status Train(std::span<const Example> examples, std::span<const int> labels,
               int num_classes) override;
  Status Predict(std::span<const Example> examples, std::span<float> out) const override;
  int num_classes() const override { return num_classes_; }
  Result<std::string> Serialize() const override;
  Status Deserialize(std::string_view payload) override;

  size_t size() const { return members_.size(); }
  // out[m] receives member m's distributions (examples × num_classes).
  Status PredictMembers(std::span<const Example> examples,
                        std::vector<std::vector<float>>* out) const;

 private:
  std::vector<std::unique_ptr<Classifier>> members_;
  ClassifierOptions options_;
  int num_classes_ = 0;
};

}  // namespace hitloop::model
