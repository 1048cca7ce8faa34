#pragma once
// The one list of classifiers (model/registry.cc). Names:
//   "logreg"            L2-regularised logistic regression, liblinear dual coordinate descent
//                       (one-vs-rest, probabilities normalised over classes)
//   "fasttext"          fastText supervised (libfasttext), featurises the raw text itself
//   "calibrated:NAME"   NAME with temperature scaling fitted on a held-out part of the labels
//   "bagged:NAME"       bootstrap ensemble of ensemble_size NAME models (model/ensemble.h)
// Representations learnt from the pool (model/representation.h) are a second list; a model
// spec "REPR+NAME" is NAME trained on rows augmented with them (the caller augments the rows).
// Thread-safe.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/classifier.h"

namespace hitloop::model {

// NotFound for an unknown name (the message lists the known ones).
Result<std::unique_ptr<Classifier>> CreateClassifier(std::string_view name,
                                                     const ClassifierOptions& options);
// Base names, in registry order.
std::vector<std::string> ClassifierNames();

}  // namespace hitloop::model
