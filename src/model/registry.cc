// The only list of classifiers. Adding a model = one file + one line here + one test file.
#include "model/registry.h"

#include "model/calibration.h"
#include "model/ensemble.h"
#include "model/fasttext_model.h"
#include "model/logreg.h"

namespace hitloop::model {
namespace {

struct ClassifierEntry {
  const char* name;
  std::unique_ptr<Classifier> (*create)(const ClassifierOptions&);
};

const ClassifierEntry kClassifiers[] = {
    {"logreg", [](const ClassifierOptions& o) -> std::unique_ptr<Classifier> {
       return std::make_unique<LogReg>(o);
     }},
    {"fasttext", [](const ClassifierOptions& o) -> std::unique_ptr<Classifier> {
       return std::make_unique<FastTextModel>(o);
     }},
};

}  // namespace

std::vector<std::string> ClassifierNames() {
  std::vector<std::string> names;
  for (const auto& e : kClassifiers) names.emplace_back(e.name);
  return names;
}

Result<std::unique_ptr<Classifier>> CreateClassifier(std::string_view name,
                                                     const ClassifierOptions& options) {
  constexpr std::string_view kCalibrated = "calibrated:";
  constexpr std::string_view kBagged = "bagged:";
  if (name.starts_with(kCalibrated)) {
    ASSIGN_OR_RETURN(auto inner, CreateClassifier(name.substr(kCalibrated.size()), options));
    return std::unique_ptr<Classifier>(
        std::make_unique<CalibratedClassifier>(std::move(inner), options));
  }
  if (name.starts_with(kBagged)) {
    if (options.ensemble_size < 1) return InvalidArgument("bagged: ensemble_size must be >= 1");
    std::vector<std::unique_ptr<Classifier>> members;
    for (int m = 0; m < options.ensemble_size; ++m) {
      ClassifierOptions mo = options;
      mo.seed = options.seed + 1000003ULL * (m + 1);
      ASSIGN_OR_RETURN(auto member, CreateClassifier(name.substr(kBagged.size()), mo));
      members.push_back(std::move(member));
    }
    return std::unique_ptr<Classifier>(
        std::make_unique<BootstrapEnsemble>(std::move(members), options));
  }
  for (const auto& e : kClassifiers) {
    if (name == e.name) return e.create(options);
  }
  std::string known;
  for (const auto& e : kClassifiers) known += std::string(known.empty() ? "" : ", ") + e.name;
  return NotFound("unknown model '" + std::string(name) + "' (known: " + known +
                  ", calibrated:NAME, bagged:NAME)");
}

}  // namespace hitloop::model
