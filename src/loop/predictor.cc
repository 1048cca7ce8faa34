// The project's current model as a predictor of new texts (loop/predictor.h).
#include "loop/predictor.h"

#include "autolabel/boilerplate.h"
#include "loop/config.h"
#include "loop/cycle_record.h"
#include "loop/model_choice.h"
#include "model/model_file.h"
#include "text/featurizer_file.h"

namespace hitloop::loop {

std::string FeaturizerPathFor(const std::string& model_path) {
  const std::string ext = ".model";
  if (model_path.size() >= ext.size() &&
      model_path.compare(model_path.size() - ext.size(), ext.size(), ext) == 0) {
    return model_path.substr(0, model_path.size() - ext.size()) + ".featurizer";
  }
  return model_path + ".featurizer";
}

Result<ModelRef> NewestModel(Store& store, const Project& project) {
  ASSIGN_OR_RETURN(std::vector<CycleRow> cycles, store.ListCycles(project.id));
  for (auto it = cycles.rbegin(); it != cycles.rend(); ++it) {
    auto rec = CycleRecordFromJson(it->record_json);
    if (!rec.ok() || rec->model_path.empty()) continue;
    ModelRef ref;
    ref.cycle = it->cycle;
    ref.version = rec->model_version;
    ref.spec = rec->model_name.empty() ? "logreg" : rec->model_name;
    ref.model_path = rec->model_path;
    ref.has_representations = !rec->representations_json.empty() &&
                              rec->representations_json != "[]";
    return ref;
  }
  return FailedPrecondition("project '" + project.name +
                            "' has no model yet: run a cycle once people have labelled enough "
                            "items (hitloop cycle " + project.name + ")");
}

Result<std::unique_ptr<CurrentModel>> LoadCurrentModel(const Project& project, const ModelRef& ref,
                                                       const model::ClassifierOptions& options) {
  if (ref.has_representations) {
    return FailedPrecondition("model '" + ref.version + "' (" + ref.spec +
                              ") uses representations learnt from the pool; only models on the "
                              "featurizer's rows are served");
  }
  auto m = std::make_unique<CurrentModel>();
  m->version = ref.version;
  m->spec = ref.spec;
  m->model_path = ref.model_path;
  m->cycle = ref.cycle;
  m->labels = project.labels;
  if (auto cfg = ParseLoopConfig(project.config_json); cfg.ok()) {
    m->strip_boilerplate = cfg->autolabel.strip_boilerplate;
  }
  const std::string fpath = FeaturizerPathFor(ref.model_path);
  auto fz = text::LoadFeaturizer(fpath);
  if (!fz.ok()) {
    if (fz.status().code() == StatusCode::kIo) {
      return FailedPrecondition("model '" + ref.version + "' has no featurizer file (" + fpath +
                                "): run a cycle to write one");
    }
    return fz.status();
  }
  m->featurizer = std::make_unique<text::Featurizer>(std::move(fz).value());
  ASSIGN_OR_RETURN(m->model, model::LoadModel(ref.model_path, options));
  if (m->model->num_classes() != static_cast<int>(m->labels.size())) {
    return FailedPrecondition("model '" + ref.version +
                              "' was trained on a different label set; run a cycle");
  }
  return m;
}

Status CurrentModel::Predict(std::span<const std::string> texts, std::vector<float>* probs) const {
  const size_t n = texts.size();
  const size_t k = labels.size();
  std::vector<text::SparseRow> rows(n);
  for (size_t i = 0; i < n; ++i) {
    if (strip_boilerplate) {
      const std::string content =
          autolabel::ContentText(texts[i], autolabel::DetectBoilerplate(texts[i]));
      rows[i] = featurizer->Transform({content, {}});
    } else {
      rows[i] = featurizer->Transform({texts[i], {}});
    }
  }
  std::vector<model::Example> ex(n);
  for (size_t i = 0; i < n; ++i) ex[i] = {&rows[i], texts[i]};
  std::vector<text::SparseRow> view_rows;
  ASSIGN_OR_RETURN(std::vector<model::Example> view, ViewForSpec(spec, {}, ex, &view_rows));
  probs->assign(n * k, 0.0f);
  return model->Predict(view, *probs);
}

}  // namespace hitloop::loop
