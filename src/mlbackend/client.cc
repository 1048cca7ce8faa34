#include "mlbackend/client.h"

#include <algorithm>
#include <cctype>

namespace hitloop::mlbackend {
namespace {

using nlohmann::json;

bool Retryable(const Status& st) { return st.code() == StatusCode::kIo; }
bool RetryableStatus(int status) { return status == 502 || status == 503 || status == 504; }

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() < 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<BackendClient> BackendClient::Create(BackendSettings settings,
                                            std::shared_ptr<net::Resolver> resolver) {
  ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(settings.url));
  (void)u;
  ASSIGN_OR_RETURN(net::AllowList allow, net::AllowList::Parse(settings.allow_outbound));
  return BackendClient(std::move(settings), net::Fetcher(std::move(allow), std::move(resolver)));
}

Result<json> BackendClient::Call(const std::string& method, const std::string& path,
                                 const json& body, int64_t timeout_ms) const {
  net::FetchRequest req;
  req.method = method;
  std::string base = settings_.url;
  if (base.empty() || base.back() != '/') base += '/';
  req.url = base + path;  // Label Studio joins the same way (urljoin on a base ending in '/')
  if (method == "POST") req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  req.basic_user = settings_.auth_user;
  req.basic_pass = settings_.auth_pass;
  net::FetchLimits limits;
  limits.connect_timeout_ms = settings_.connect_timeout_ms;
  limits.read_timeout_ms = timeout_ms;
  limits.total_timeout_ms = timeout_ms + settings_.connect_timeout_ms;
  Result<net::FetchResponse> r = IoError("not sent");
  for (int attempt = 0; attempt <= settings_.retries; ++attempt) {
    r = fetcher_.Fetch(req, limits);
    if (r.ok() ? !RetryableStatus(r->status) : !Retryable(r.status())) break;
  }
  if (!r.ok()) return r.status();
  const std::string where = "ml backend '" + settings_.name + "' " + method + " /" + path;
  if (r->status < 200 || r->status >= 300) {
    return FailedPrecondition(where + ": HTTP " + std::to_string(r->status) + ": " +
                              r->body.substr(0, 200));
  }
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return InvalidArgument(where + ": the answer is not JSON");
  return j;
}

Result<json> BackendClient::Health() const {
  ASSIGN_OR_RETURN(json j, Call("GET", "health", json(), settings_.health_timeout_ms));
  // Not j.value("status", ""): it throws when "status" is there but not a string.
  const auto status = j.is_object() ? j.find("status") : j.end();
  if (!j.is_object() || status == j.end() || !status->is_string() ||
      status->get<std::string>() != "UP") {
    return FailedPrecondition("ml backend '" + settings_.name + "' is not UP: " + j.dump());
  }
  return j;
}

Result<std::string> BackendClient::Setup(const std::string& project_uid,
                                         const std::string& label_config) const {
  json body = {{"project", project_uid}, {"schema", label_config}, {"hostname", ""},
               {"access_token", ""}, {"extra_params", nullptr}};
  ASSIGN_OR_RETURN(json j, Call("POST", "setup", body, settings_.setup_timeout_ms));
  if (j.is_object() && j.contains("model_version") && j["model_version"].is_string()) {
    return j["model_version"].get<std::string>();
  }
  return std::string();
}

Result<std::vector<TaskPrediction>> BackendClient::Predict(std::span<const BackendTask> tasks,
                                                           std::span<const std::string> labels,
                                                           const std::string& label_config,
                                                           const std::string& data_key,
                                                           const std::string& project_uid) const {
  std::vector<TaskPrediction> out;
  out.reserve(tasks.size());
  const size_t batch = static_cast<size_t>(std::max(1, settings_.batch));
  for (size_t start = 0; start < tasks.size(); start += batch) {
    const size_t end = std::min(tasks.size(), start + batch);
    json jt = json::array();
    for (size_t i = start; i < end; ++i) {
      json id = AllDigits(tasks[i].id) ? json(std::stoll(tasks[i].id)) : json(tasks[i].id);
      jt.push_back({{"id", id}, {"data", {{data_key, tasks[i].text}}}});
    }
    json body = {{"tasks", std::move(jt)},
                 {"project", project_uid},
                 {"label_config", label_config},
                 {"params", {{"login", nullptr}, {"password", nullptr}, {"context", nullptr}}}};
    ASSIGN_OR_RETURN(json j, Call("POST", "predict", body, settings_.predict_timeout_ms));
    auto parsed = ParsePredictResponse(j, labels, end - start);
    if (!parsed.ok()) {
      return InvalidArgument("ml backend '" + settings_.name + "': " + parsed.status().message());
    }
    for (auto& p : *parsed) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace hitloop::mlbackend
