// Label Studio's ML-backend protocol served for a project (mlbackend/protocol.h has the shapes):
// a Label Studio project whose model URL is http://HITLOOP/ml/PROJECT gets its pre-labels from
// the project's current model (loop/predictor.h: the newest cycle's model and featurizer, the
// way the cycle computes its own pre-labels). Label Studio connects with Basic auth; the
// password is a hitloop API token (pipeline.cc accepts that on /ml/ routes only).
#include <sodium.h>

#include <map>
#include <memory>
#include <mutex>

#include "core/log.h"
#include "io/format.h"
#include "loop/predictor.h"
#include "mlbackend/protocol.h"
#include "server/handlers.h"
#include "server/server.h"

namespace hitloop::server {
namespace {

using nlohmann::json;

// Loaded models by model file and label count (a new cycle writes a new file; a grown label set
// needs a new cycle). Loading reads and checks two files, so it is done once per model.
std::mutex g_models_mu;
std::map<std::string, std::shared_ptr<const loop::CurrentModel>>* g_models =
    new std::map<std::string, std::shared_ptr<const loop::CurrentModel>>();

// The current model of c.project; NotFound (with what to do) when no cycle has trained one.
Result<std::shared_ptr<const loop::CurrentModel>> CurrentModelFor(Ctx& c) {
  auto ref = loop::NewestModel(c.store, *c.project);
  if (!ref.ok()) {
    if (ref.status().code() == StatusCode::kFailedPrecondition) return NotFound(ref.status().message());
    return ref.status();
  }
  const std::string key = ref->model_path + "#" + std::to_string(c.project->labels.size());
  {
    std::lock_guard<std::mutex> lock(g_models_mu);
    auto it = g_models->find(key);
    if (it != g_models->end()) return it->second;
  }
  model::ClassifierOptions options;
  options.threads = 1;
  ASSIGN_OR_RETURN(std::unique_ptr<loop::CurrentModel> m,
                   loop::LoadCurrentModel(*c.project, *ref, options));
  std::shared_ptr<const loop::CurrentModel> shared = std::move(m);
  std::lock_guard<std::mutex> lock(g_models_mu);
  if (g_models->size() >= 16) g_models->clear();
  (*g_models)[key] = shared;
  return shared;
}

// The text of a task: data[data_key], else data's only string field; "" when neither.
bool TaskText(const json& task, const std::string& data_key, std::string* text) {
  if (!task.is_object() || !task.contains("data") || !task["data"].is_object()) return false;
  const json& data = task["data"];
  if (auto it = data.find(data_key); it != data.end() && it->is_string()) {
    *text = it->get<std::string>();
    return true;
  }
  const json* only = nullptr;
  for (const auto& [k, v] : data.items()) {
    if (!v.is_string()) continue;
    if (only != nullptr) return false;
    only = &v;
  }
  if (only == nullptr) return false;
  *text = only->get<std::string>();
  return true;
}

}  // namespace

std::string BasicAuthPassword(const std::string& authorization) {
  if (authorization.rfind("Basic ", 0) != 0) return "";
  const std::string b64 = authorization.substr(6);
  std::string bin(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), b64.data(),
                        b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "";
  }
  bin.resize(len);
  const size_t colon = bin.find(':');
  return colon == std::string::npos ? "" : bin.substr(colon + 1);
}

Status HandleMlHealth(Ctx& c) {
  json j = {{"status", "UP"}, {"model_class", "hitloop"}, {"project", c.project->name}};
  auto m = CurrentModelFor(c);
  j["model_version"] = m.ok() ? json((*m)->version) : json(nullptr);
  SendJson(c, 200, j);
  return Status::Ok();
}

Status HandleMlSetup(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  auto m = CurrentModelFor(c);
  if (!m.ok() && m.status().code() != StatusCode::kNotFound) return m.status();
  // Connecting before the first cycle is fine: the version is null until a model exists.
  SendJson(c, 200, {{"model_version", m.ok() ? json((*m)->version) : json(nullptr)}});
  return Status::Ok();
}

Status HandleMlWebhook(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  // Accepted and not acted on: hitloop trains in its cycles (`hitloop cycle`), not per event.
  const json& b = *body;
  SendJson(c, 200, {{"status", "ok"},
                    {"action", b.contains("action") && b["action"].is_string() ? b["action"] : json(nullptr)}});
  return Status::Ok();
}

Status HandleMlPredict(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  const json& b = *body;
  if (!b.contains("tasks") || !b["tasks"].is_array()) {
    return InvalidArgument("tasks: expected a list");
  }
  const json& tasks = b["tasks"];
  std::string label_config;
  if (b.contains("label_config") && b["label_config"].is_string()) {
    label_config = b["label_config"].get<std::string>();
  }
  const mlbackend::LabelConfigNames names = mlbackend::ParseLabelConfig(label_config);
  const io::IoSettings io = io::LoadIoSettings(*c.project);
  auto pick = [](const std::string& a, const std::string& b2, const char* d) {
    return !a.empty() ? a : !b2.empty() ? b2 : std::string(d);
  };
  const std::string from_name = pick(names.from_name, io.ls_from_name, "label");
  const std::string to_name = pick(names.to_name, io.ls_to_name, "text");
  const std::string data_key = pick(names.data_key, io.text_field, "text");

  auto m = CurrentModelFor(c);
  if (!m.ok()) return m.status();
  const loop::CurrentModel& model = **m;
  std::vector<std::string> texts;
  std::vector<size_t> pos(tasks.size(), SIZE_MAX);
  for (size_t i = 0; i < tasks.size(); ++i) {
    std::string t;
    if (!TaskText(tasks[i], data_key, &t)) continue;
    pos[i] = texts.size();
    texts.push_back(std::move(t));
  }
  std::vector<float> probs;
  if (Status st = model.Predict(texts, &probs); !st.ok()) return st;
  const size_t k = model.labels.size();
  const bool multi = c.project->type == TaskType::kMultiLabel;
  json results = json::array();
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (pos[i] == SIZE_MAX) {  // no text to predict from: an empty result keeps the order
      results.push_back({{"result", json::array()}, {"model_version", model.version}});
      continue;
    }
    const float* p = probs.data() + pos[i] * k;
    size_t best = 0;
    for (size_t j = 1; j < k; ++j) best = p[j] > p[best] ? j : best;
    std::vector<std::string> chosen;
    if (multi) {
      for (size_t j = 0; j < k; ++j) {
        if (p[j] >= 0.5f && j != best) chosen.push_back(model.labels[j]);
      }
    }
    chosen.insert(chosen.begin(), model.labels[best]);
    results.push_back(mlbackend::PredictionJson(from_name, to_name, chosen, p[best], model.version));
  }
  SendJson(c, 200, {{"results", std::move(results)}, {"model_version", model.version}});
  return Status::Ok();
}

}  // namespace hitloop::server
