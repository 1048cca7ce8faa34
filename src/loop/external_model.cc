// Pre-labels from a connected external model server (loop/external_model.h).
#include "loop/external_model.h"

#include "mlbackend/client.h"

namespace hitloop::loop {

std::string LabelStudioProjectUid(const Project& project) {
  return std::to_string(project.id) + "." + std::to_string(project.created_at / 1000);
}

Result<ExternalPredictions> PredictWithBackend(const Project& project,
                                               const mlbackend::BackendSettings& settings,
                                               const std::vector<Item>& pool,
                                               std::span<const int> train_label,
                                               std::span<const int> audit_label,
                                               std::span<const uint8_t> audit_pending,
                                               std::shared_ptr<net::Resolver> resolver) {
  const size_t n = pool.size();
  const size_t k = project.labels.size();
  if (k < 2) return InvalidArgument("loop: a project needs at least 2 labels");
  ASSIGN_OR_RETURN(mlbackend::BackendClient client,
                   mlbackend::BackendClient::Create(settings, std::move(resolver)));
  const std::string data_key = "text", from_name = "label", to_name = "text";
  const std::string label_config = mlbackend::MakeLabelConfig(
      project.labels, project.type == TaskType::kMultiLabel, from_name, to_name, data_key);
  const std::string uid = LabelStudioProjectUid(project);
  ExternalPredictions out;
  out.spec = "mlbackend:" + settings.name;
  // /setup first, as Label Studio does when it connects a backend; a backend that does not
  // implement it (an HTTP error status) can still predict.
  auto version = client.Setup(uid, label_config);
  if (!version.ok() && version.status().code() != StatusCode::kFailedPrecondition) {
    return version.status();
  }
  out.model_version = version.ok() ? *version : "";

  std::vector<mlbackend::BackendTask> tasks;
  std::vector<size_t> pos;
  for (size_t i = 0; i < n; ++i) {
    if (train_label[i] >= 0 || audit_label[i] >= 0 || (i < audit_pending.size() && audit_pending[i])) {
      continue;  // people answered it (an open audit waits for its second answer)
    }
    tasks.push_back({pool[i].external_id, pool[i].text});
    pos.push_back(i);
  }
  out.asked = static_cast<int64_t>(tasks.size());
  out.probs.assign(n * k, 1.0f / static_cast<float>(k));
  out.novelty.assign(n, 0.0);
  ASSIGN_OR_RETURN(std::vector<mlbackend::TaskPrediction> preds,
                   client.Predict(tasks, project.labels, label_config, data_key, uid));
  for (size_t t = 0; t < preds.size(); ++t) {
    const mlbackend::TaskPrediction& p = preds[t];
    const size_t i = pos[t];
    if (out.model_version.empty() && !p.model_version.empty()) out.model_version = p.model_version;
    if (p.label < 0 || !p.score || !(*p.score >= 0.0 && *p.score <= 1.0)) {
      out.novelty[i] = 1.0;
      continue;
    }
    const float s = static_cast<float>(*p.score);
    const float rest = (1.0f - s) / static_cast<float>(k - 1);
    for (size_t c = 0; c < k; ++c) out.probs[i * k + c] = static_cast<int>(c) == p.label ? s : rest;
    if (s <= rest) {  // the backend's label would not be the most likely one
      out.novelty[i] = 1.0;
      continue;
    }
    ++out.usable;
  }
  if (out.model_version.empty()) out.model_version = out.spec;
  return out;
}

}  // namespace hitloop::loop
