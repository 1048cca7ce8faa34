// Gold metrics before and after a cycle (loop/cycle_steps.h).
#include "loop/cycle_record.h"
#include "loop/cycle_steps.h"
#include "loop/model_choice.h"
#include "model/model_file.h"

namespace hitloop::loop {

void MeasureGoldBefore(const CycleInputs& in, const CycleFeatures& f, int k,
                       const model::ClassifierOptions& options, CycleRecord* rec) {
  if (f.gold.empty()) {
    rec->before_note = "no gold split";
    return;
  }
  if (in.history.empty()) {
    rec->before_note = "first cycle";
    return;
  }
  std::string prev_path;
  std::string prev_spec = "logreg";  // records older than model specs were logreg
  if (auto prev = CycleRecordFromJson(in.history.back().record_json); prev.ok()) {
    prev_path = prev->model_path;
    if (!prev->model_name.empty()) prev_spec = prev->model_name;
  }
  if (prev_path.empty()) {
    rec->before_note = "previous cycle had no model (cold start)";
    return;
  }
  auto prev_model = model::LoadModel(prev_path, options);
  if (!prev_model.ok()) {
    rec->before_note = "previous model not usable: " + prev_model.status().ToString();
    return;
  }
  if ((*prev_model)->num_classes() != k) {
    rec->before_note = "previous model has a different label set";
    return;
  }
  std::vector<text::SparseRow> view_rows;
  auto view = ViewForSpec(prev_spec, f.blocks, f.gold, &view_rows);
  std::vector<float> probs(f.gold.size() * k);
  const Status st = view.ok() ? (*prev_model)->Predict(*view, probs) : view.status();
  if (st.ok()) {
    rec->before = ComputeGoldMetrics(probs, f.gold_y, k);
  } else {
    rec->before_note = "previous model failed to predict: " + st.ToString();
  }
}

Status MeasureGoldAfter(const model::Classifier& model, const std::string& spec,
                        const CycleFeatures& f, int k, CycleRecord* rec, std::vector<float>* gold_probs) {
  if (f.gold.empty()) return Status::Ok();
  std::vector<text::SparseRow> view_rows;
  ASSIGN_OR_RETURN(std::vector<model::Example> view, ViewForSpec(spec, f.blocks, f.gold, &view_rows));
  std::vector<float> probs(f.gold.size() * k);
  RETURN_IF_ERROR(model.Predict(view, probs));
  rec->after = ComputeGoldMetrics(probs, f.gold_y, k);
  if (gold_probs != nullptr) *gold_probs = std::move(probs);
  return Status::Ok();
}

}  // namespace hitloop::loop
