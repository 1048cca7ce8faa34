#pragma once
// A client of an external model server that speaks Label Studio's ML-backend protocol
// (mlbackend/protocol.h): hitloop's cycle takes a connected project's pre-labels from it.
// Every request goes through net::Fetcher (net/outbound.h): resolved once, reserved addresses
// refused unless the settings' allow_outbound names the backend, same-origin redirects only,
// response size capped. Time-outs and retries are Label Studio's defaults unless the settings
// say otherwise: connect 1 s, /predict 100 s, /health 1 s, /setup 3 s; a request that fails to
// connect, times out or answers 502/503/504 is retried up to `retries` (2) more times at once,
// as Label Studio's HTTPAdapter(max_retries=2) does. Basic auth when the settings have a user and
// a password.
//
// Thread-safety: const methods, safe to share. Errors: the net/ errors (PermissionDenied for a
// refused destination, IoError after the retries), FailedPrecondition for an HTTP error status
// (the message has the status and the start of the body), InvalidArgument for a body that is not
// the protocol's.
#include <nlohmann/json.hpp>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "mlbackend/protocol.h"
#include "net/outbound.h"

namespace hitloop::mlbackend {

struct BackendTask {
  std::string id;                      // sent as the task's "id" (numeric ids as numbers)
  std::string text;                    // sent as data[data_key]
};

class BackendClient {
 public:
  // InvalidArgument when the URL or an allow entry is malformed.
  static Result<BackendClient> Create(BackendSettings settings,
                                      std::shared_ptr<net::Resolver> resolver = net::SystemResolver());

  // GET /health: the backend's answer (expects "status": "UP").
  Result<nlohmann::json> Health() const;
  // POST /setup: the backend's model_version ("" when it has none).
  Result<std::string> Setup(const std::string& project_uid, const std::string& label_config) const;
  // POST /predict for `tasks`, in batches of settings.batch, one TaskPrediction per task.
  Result<std::vector<TaskPrediction>> Predict(std::span<const BackendTask> tasks,
                                              std::span<const std::string> labels,
                                              const std::string& label_config,
                                              const std::string& data_key,
                                              const std::string& project_uid) const;
  const BackendSettings& settings() const { return settings_; }

 private:
  BackendClient(BackendSettings settings, net::Fetcher fetcher)
      : settings_(std::move(settings)), fetcher_(std::move(fetcher)) {}
  Result<nlohmann::json> Call(const std::string& method, const std::string& path,
                              const nlohmann::json& body, int64_t timeout_ms) const;

  BackendSettings settings_;
  net::Fetcher fetcher_;
};

}  // namespace hitloop::mlbackend
