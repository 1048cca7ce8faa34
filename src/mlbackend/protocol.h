#pragma once
// Label Studio's ML-backend protocol (HumanSignal/label-studio-ml-backend, label_studio_ml/api.py;
// Label Studio's ml/api_connector.py), the parts both directions share:
//
//   POST /predict  {"tasks": [{"id", "data": {...}}...], "project": "ID.TIMESTAMP",
//                   "label_config": "<View>...</View>", "params": {...}}
//               -> {"results": [{"result": [{"from_name", "to_name", "type": "choices",
//                                "value": {"choices": [LABEL]}}], "score", "model_version"}, ...]}
//                  one result per task, in the tasks' order
//   POST /setup    {"project", "schema": LABEL_CONFIG, "hostname", "access_token",
//                   "extra_params"} -> {"model_version"}
//   POST /webhook  {"action": "ANNOTATION_CREATED" | ..., "project": {...}, ...} -> 200/201
//   GET  /health   -> {"status": "UP", ...}
//
// Also the per-project settings of a connected backend (`hitloop model connect`), stored under
// the "ml_backend" key of the project's config JSON (other keys untouched), and the labelling
// config hitloop sends for a project.
//
// Thread-safety: pure functions and value types. Errors: InvalidArgument naming the field.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hitloop::mlbackend {

// Label Studio's default time-outs (ml/api_connector.py: ML_CONNECTION_TIMEOUT=1,
// ML_TIMEOUT_PREDICT=100, ML_TIMEOUT_HEALTH=1, ML_TIMEOUT_SETUP=3 seconds) and retries
// (BaseHTTPAPI.MAX_RETRIES=2).
inline constexpr int64_t kConnectTimeoutMs = 1000;
inline constexpr int64_t kPredictTimeoutMs = 100000;
inline constexpr int64_t kHealthTimeoutMs = 1000;
inline constexpr int64_t kSetupTimeoutMs = 3000;
inline constexpr int kMaxRetries = 2;

// The control and object names of a labelling config: the first <Choices name=.. toName=..>,
// its <Choice value=..>s, and the `$key` of the object tag (Text, HyperText, ...) it labels.
// Parts not found are empty.
struct LabelConfigNames {
  std::string from_name, to_name, data_key;
  std::vector<std::string> choices;
};
LabelConfigNames ParseLabelConfig(std::string_view xml);

// The labelling config hitloop sends a backend for a project: one Text object on `data_key` and
// one Choices control (choice="multiple" for multi-label projects) with every label.
std::string MakeLabelConfig(std::span<const std::string> labels, bool multi_label,
                            const std::string& from_name, const std::string& to_name,
                            const std::string& data_key);

// One task's prediction as hitloop answers it: a choices result on (from_name, to_name).
nlohmann::json PredictionJson(const std::string& from_name, const std::string& to_name,
                              const std::vector<std::string>& chosen, double score,
                              const std::string& model_version);

// One task's prediction as a backend answered it.
struct TaskPrediction {
  int label = -1;                      // index into the project's labels; -1 = none usable
  std::optional<double> score;         // missing stays missing
  std::string model_version;
  std::string problem;                 // why label is -1 ("no choices result", "unknown label X")
};
// Reads {"results": [...]} (or a bare list, as older backends answer) for `n` tasks. The first
// region of type "choices" names the label; a numeric string score is a number. InvalidArgument
// when the body is not that shape or holds a different number of results.
Result<std::vector<TaskPrediction>> ParsePredictResponse(const nlohmann::json& body,
                                                         std::span<const std::string> labels,
                                                         size_t n);

// A connected backend, per project (config JSON key "ml_backend").
struct BackendSettings {
  std::string name;                    // the user's name for it
  std::string url;                     // base URL; /predict etc. are appended
  std::string auth_user, auth_pass;    // Basic auth when both set
  std::vector<std::string> allow_outbound;  // canonical HOST:PORT entries
  int64_t connect_timeout_ms = kConnectTimeoutMs;
  int64_t predict_timeout_ms = kPredictTimeoutMs;
  int64_t health_timeout_ms = kHealthTimeoutMs;
  int64_t setup_timeout_ms = kSetupTimeoutMs;
  int retries = kMaxRetries;
  int batch = 100;                     // tasks per /predict request
};
// std::nullopt when the project has no backend; InvalidArgument when the stored one is malformed.
Result<std::optional<BackendSettings>> LoadBackendSettings(const std::string& config_json);
// `config_json` with the backend set (or removed when `s` is nullopt); other keys untouched.
std::string WithBackendSettings(const std::string& config_json,
                                const std::optional<BackendSettings>& s);

}  // namespace hitloop::mlbackend
