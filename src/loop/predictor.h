#pragma once
// The project's current model as a predictor of new texts: the newest cycle's model file and the
// featurizer that cycle fitted on its pool (saved beside the model as <version>.featurizer),
// applied exactly as the cycle applies them to its pool items for their pre-labels
// (boilerplate stripping when the config asks for it, then Featurizer::Transform, then the
// model's view of the rows and Classifier::Predict). The server's Label Studio ML-backend routes
// (/ml/{project}/predict) answer with it.
//
// Models whose spec needs representation blocks learnt from the pool ("lsa+logreg", ...) are
// not served (FailedPrecondition naming the spec): their blocks would have to be recomputed
// from the pool for every request.
//
// Ownership: a CurrentModel owns its classifier and featurizer; share it as a
// shared_ptr<const CurrentModel>. Thread-safety: Predict is const and safe to call concurrently.
// Errors: FailedPrecondition (no cycle has trained a model yet; the featurizer file is missing,
// i.e. the model predates this file; a spec with representations), Corruption/Io from the files.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/classifier.h"
#include "schema/types.h"
#include "store/store.h"
#include "text/featurizer.h"

namespace hitloop::loop {

// "<dir>/<version>.model" -> "<dir>/<version>.featurizer".
std::string FeaturizerPathFor(const std::string& model_path);

struct CurrentModel {
  std::string version;                 // the cycle's model_version
  std::string spec;                    // "logreg", ...
  std::string model_path;
  int64_t cycle = 0;
  std::vector<std::string> labels;     // the project's label set at load time
  bool strip_boilerplate = false;
  std::unique_ptr<model::Classifier> model;
  std::unique_ptr<text::Featurizer> featurizer;

  // One class distribution per text (texts.size() x labels.size(), row-major).
  Status Predict(std::span<const std::string> texts, std::vector<float>* probs) const;
};

// The newest cycle record of `project` that has a model, as read from the store. Cheap (no
// files read): the server uses it to decide whether its cached CurrentModel is still current.
struct ModelRef {
  int64_t cycle = 0;
  std::string version, spec, model_path;
  bool has_representations = false;
};
Result<ModelRef> NewestModel(Store& store, const Project& project);

Result<std::unique_ptr<CurrentModel>> LoadCurrentModel(const Project& project, const ModelRef& ref,
                                                const model::ClassifierOptions& options);

}  // namespace hitloop::loop
