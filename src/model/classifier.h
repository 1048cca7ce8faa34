#pragma once
// model::Classifier — the one interface every built-in model implements (VW-style family: one
// file per model, one list in model/registry.cc).
//
// Contract:
//   - Train replaces whatever the model learnt before. A model may keep solver state from its
//     previous Train to start the next one closer to the optimum (LogReg keeps its dual
//     variables by Example::id): that changes how long training takes, never the optimum it
//     converges to beyond the solver's tolerance.
//   - Predict writes one class distribution per example (num_classes values >= 0 that sum to 1;
//     classes absent from the training labels get probability 0).
//   - Serialize/Deserialize carry only the learnt state; model/model_file.h adds the framing
//     (magic, version, checksum, atomic write).
//   - Errors come back as Status; no exception leaves this module; nothing prints.
// Thread-safety: Predict is const and safe to call concurrently once training finished; Train
// and Deserialize need exclusive access. Classifiers are non-copyable; own them by unique_ptr.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "text/sparse.h"

namespace hitloop::model {

// One example as the models see it: its feature row (text/featurizer.h) and its raw text (for
// models that featurise themselves, such as fastText). Non-owning; the caller keeps both alive
// for the duration of the call.
struct Example {
  const text::SparseRow* features = nullptr;
  std::string_view text;
  // Stable identity of the example across Train calls (e.g. pool position + 1); 0 = none.
  // Only used to warm-start the next Train; examples with id 0 always start cold.
  uint64_t id = 0;
};

struct ClassifierOptions {
  double c = 10.0;         // inverse L2 regularisation strength (linear models)
  uint64_t seed = 1;       // every randomised model takes its seed from here
  int threads = 2;         // prediction (and fastText training) threads
  int ensemble_size = 5;   // bootstrap members for "bagged:" models
  double calibration_holdout = 0.2;  // fraction held out to fit the temperature
  // logreg's dual coordinate descent stops when no example's projected gradient reaches this.
  // liblinear's default, 0.1, stopped early enough to cost margin sampling 0.8 points on brown at
  // 3,000 labels (0.3162 vs 0.3260; wordnet unchanged; bench/HISTORY.md "The solver's tolerance").
  double dual_tolerance = 0.01;
};

class Classifier {
 public:
  Classifier() = default;
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;
  virtual ~Classifier() = default;

  // Registry name ("logreg", "fasttext", "calibrated:logreg", ...).
  virtual std::string name() const = 0;
  // labels[i] in [0, num_classes) is the class of examples[i]. InvalidArgument on empty input,
  // mismatched sizes or an out-of-range label.
  virtual Status Train(std::span<const Example> examples, std::span<const int> labels,
                       int num_classes) = 0;
  // out must hold examples.size() * num_classes() floats (row-major). FailedPrecondition when
  // not trained.
  virtual Status Predict(std::span<const Example> examples, std::span<float> out) const = 0;
  virtual int num_classes() const = 0;

  virtual Result<std::string> Serialize() const = 0;
  // Corruption when the payload does not parse.
  virtual Status Deserialize(std::string_view payload) = 0;
};

// Checks the common Train preconditions (shared by the implementations).
Status ValidateTrainingInput(std::span<const Example> examples, std::span<const int> labels,
                             int num_classes);

}  // namespace hitloop::model
