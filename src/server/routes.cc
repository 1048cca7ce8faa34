// The route table and the helpers every handler shares. Handlers live beside it:
// handlers_web.cc (static files, sign-in), handlers_tasks.cc (annotator API),
// handlers_admin.cc (projects, users, queue, metrics).
#include "server/routes.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include <httplib.h>

#include "core/log.h"
#include "server/handlers.h"
#include "server/server.h"

namespace hitloop::server {

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      // ---- public ----
      {"GET", "/", MinRole::kNone, false, HandleIndexPage, "annotator page"},
      {"GET", "/admin", MinRole::kNone, false, HandleAdminPage, "admin dashboard page"},
      {"GET", "/review", MinRole::kNone, false, HandleReviewPage, "review page (reviewers)"},
      {"GET", "/assets/{file}", MinRole::kNone, false, HandleAsset, "embedded static file"},
      {"GET", "/healthz", MinRole::kNone, false, HandleHealth, "liveness"},
      {"GET", "/readyz", MinRole::kNone, false, HandleReady, "readiness: the database answers"},
      {"POST", "/api/v1/session", MinRole::kNone, false, HandleSignIn, "token -> session cookie"},
      // ---- any signed-in user ----
      {"DELETE", "/api/v1/session", MinRole::kAnnotator, false, HandleSignOut, "end the session"},
      {"GET", "/api/v1/me", MinRole::kAnnotator, false, HandleMe, "who am I, my projects"},
      {"GET", "/api/v1/projects", MinRole::kAnnotator, false, HandleListProjects, "visible projects"},
      {"GET", "/api/v1/projects/{project}", MinRole::kAnnotator, false, HandleGetProject,
       "labels, type, work left in my pools"},
      {"POST", "/api/v1/projects/{project}/tasks/next", MinRole::kAnnotator, false, HandleNextTask,
       "claim the next task (lease)"},
      {"POST", "/api/v1/leases/{lease}/submit", MinRole::kAnnotator, false, HandleSubmit,
       "answer a leased task"},
      {"POST", "/api/v1/leases/{lease}/skip", MinRole::kAnnotator, false, HandleSkip,
       "skip a leased task (not offered to me again)"},
      {"POST", "/api/v1/leases/{lease}/release", MinRole::kAnnotator, false, HandleRelease,
       "give a leased task back"},
      {"POST", "/api/v1/leases/{lease}/amend", MinRole::kAnnotator, false, HandleAmend,
       "correct my own submitted answer (undo)"},
      {"GET", "/api/v1/leases/{lease}", MinRole::kAnnotator, false, HandleGetLease,
       "a task I answered, with my answer (reopen from the history)"},
      {"GET", "/api/v1/projects/{project}/my/answers", MinRole::kAnnotator, false, HandleMyAnswers,
       "my recent answers in the project, newest first (?limit=1-100)"},
      // ---- reviewers ----
      {"GET", "/api/v1/projects/{project}/metrics", MinRole::kReviewer, false, HandleProjectMetrics,
       "queue sizes, label counts, annotator throughput"},
      {"GET", "/api/v1/projects/{project}/quality", MinRole::kReviewer, false, HandleQuality,
       "agreement with 95% intervals, resolved labels, per-annotator quality (?aggregate=mv|ds|auto)"},
      {"GET", "/api/v1/projects/{project}/report", MinRole::kReviewer, false, HandleReport,
       "corrections (model said X, people said Y) and cycle history"},
      {"GET", "/api/v1/projects/{project}/items", MinRole::kReviewer, false, HandleListItems,
       "data browser: a page of items (filters, search, sort, ?after= cursor)"},
      {"GET", "/api/v1/projects/{project}/items/{item}", MinRole::kReviewer, false, HandleGetItem,
       "data browser: an item with its history (predictions, answers, queue, leases, detectors)"},
      {"GET", "/api/v1/projects/{project}/reviews", MinRole::kReviewer, false, HandleListReviews,
       "people's answers to review (?filter=all|unreviewed&annotator=&sample=N&seed=&cursor=&limit=)"},
      {"POST", "/api/v1/projects/{project}/answers/{answer}/review", MinRole::kReviewer, false, HandlePostReview,
       "approve or reject an answer with a comment; a rejected one goes back to its annotator"},
      // ---- Label Studio ML backend (mlbackend/protocol.h): Basic auth, password = API token ----
      {"GET", "/ml/{project}/health", MinRole::kReviewer, false, HandleMlHealth,
       "Label Studio ML backend: status and current model version"},
      {"POST", "/ml/{project}/setup", MinRole::kReviewer, false, HandleMlSetup,
       "Label Studio ML backend: connect; answers the model version"},
      {"POST", "/ml/{project}/predict", MinRole::kReviewer, false, HandleMlPredict,
       "Label Studio ML backend: pre-labels for tasks from the project's current model"},
      {"POST", "/ml/{project}/webhook", MinRole::kReviewer, false, HandleMlWebhook,
       "Label Studio ML backend: events accepted (training happens in cycles)"},
      // ---- admins ----
      {"POST", "/api/v1/projects/{project}/cycle", MinRole::kAdmin, false, HandleRunCycle,
       "run one cycle of the loop (train, predict, certify, route, audit)"},
      {"POST", "/api/v1/projects/{project}/import", MinRole::kAdmin, true, HandleImport,
       "streaming upload of JSONL/CSV/Label Studio (?format=)"},
      {"GET", "/api/v1/projects/{project}/export", MinRole::kAdmin, false, HandleExport,
       "download the project with label provenance (?format=)"},
      {"POST", "/api/v1/projects", MinRole::kAdmin, false, HandleCreateProject, "create a project"},
      {"POST", "/api/v1/projects/{project}/members", MinRole::kAdmin, false, HandleAddMember,
       "give a user access to a project"},
      {"POST", "/api/v1/projects/{project}/queue", MinRole::kAdmin, false, HandleEnqueue,
       "queue items (by id) for people"},
      {"POST", "/api/v1/projects/{project}/quality/clear-flag", MinRole::kAdmin, false, HandleClearGoldFlag,
       "clear an annotator's gold flag: their gold answers so far stop counting for routing"},
      {"GET", "/api/v1/users", MinRole::kAdmin, false, HandleListUsers, "list users"},
      {"POST", "/api/v1/users", MinRole::kAdmin, false, HandleCreateUser, "add a user (token shown once)"},
      {"POST", "/api/v1/users/{user}/disable", MinRole::kAdmin, false, HandleDisableUser,
       "disable a user and end their sessions"},
      {"GET", "/api/v1/metrics", MinRole::kAdmin, false, HandleServerMetrics, "per-route request metrics"},
      {"GET", "/api/v1/admin/log", MinRole::kAdmin, false, HandleAdminLog,
       "the admin action log, oldest first (?project=&actor=&before=ID&limit=N, newest N, default 100)"},
      {"POST", "/api/v1/projects/{project}/items/quarantine", MinRole::kAdmin, false, HandleQuarantineItems,
       "take items (by id) out of queues and cycles; still exported"},
      {"POST", "/api/v1/projects/{project}/items/delete", MinRole::kAdmin, false, HandleDeleteItems,
       "erase items (by id): gone from queues, cycles and exports"},
      {"POST", "/api/v1/projects/{project}/items/gold", MinRole::kAdmin, false, HandleMarkGold,
       "move labelled items (by id) to the gold split, or back with \"gold\": false"},
      {"POST", "/api/v1/projects/{project}/items/label", MinRole::kAdmin, false, HandleRelabel,
       "relabel items (by id): a person's label appended to their history"},
      {"POST", "/api/v1/projects/{project}/items/restore", MinRole::kAdmin, false, HandleRestoreItems,
       "put quarantined items (by id) back into the project"},
  };
  return kRoutes;
}

std::string RawTargetPath(const std::string& target) { return target.substr(0, target.find('?')); }

bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* params, bool decode) {
  size_t pi = 0, si = 0;
  std::vector<std::string*> captured;
  while (pi < pattern.size() && si < path.size()) {
    if (pattern[pi] == '{') {
      size_t close = pattern.find('}', pi);
      std::string name = pattern.substr(pi + 1, close - pi - 1);
      size_t end = path.find('/', si);
      if (end == std::string::npos) end = path.size();
      if (end == si) return false;  // empty segment
      std::string& value = (*params)[name];
      value = path.substr(si, end - si);
      captured.push_back(&value);
      pi = close + 1;
      si = end;
      continue;
    }
    if (pattern[pi] != path[si]) return false;
    ++pi;
    ++si;
  }
  if (pi != pattern.size() || si != path.size()) return false;
  // Decoded only once the whole pattern matched (most patterns tried for a request do not).
  if (decode) {
    for (std::string* value : captured) *value = httplib::detail::decode_url(*value, false);
  }
  return true;
}

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict: return 409;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kFailedPrecondition: return 503;
    default: return 500;
  }
}

std::string JsonText(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendJson(Ctx& c, int status, const nlohmann::json& j) {
  c.res.status = status;
  c.res.set_content(JsonText(j), "application/json");
}

nlohmann::json ErrorBody(std::string_view code, std::string_view message) {
  return {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
}

std::string ErrorBodyText(std::string_view code, std::string_view message) {
  return JsonText(ErrorBody(code, message));
}

void SendErrorBody(httplib::Response& res, int http_status, std::string_view code,
                   std::string_view message) {
  res.status = http_status;
  res.set_content(ErrorBodyText(code, message), "application/json");
}

namespace {

// A Status's code as error bodies name it: kNotFound -> "not_found".
std::string ErrorCodeName(const Status& st) {
  std::string name = StatusCodeName(st.code());
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name;
}

// Internal details (file paths, SQL errors) go to the log, not to the client.
std::string PublicMessage(const Status& st) {
  const int code = HttpStatusFor(st);
  if (code >= 500) return code == 503 ? "service unavailable" : "internal error";
  return st.message();
}

}  // namespace

nlohmann::json ErrorJson(const Status& st) {
  return ErrorBody(ErrorCodeName(st), PublicMessage(st));
}

void SendError(Ctx& c, const Status& st) {
  int code = HttpStatusFor(st);
  if (code >= 500) {
    spdlog::error("server: {} {}: {}", c.req.method, c.req.path, st.ToString());
    SendErrorBody(c.res, code, ErrorCodeName(st), PublicMessage(st));
    return;
  }
  // Messages of 4xx answers are shown to the caller; the database's path is not theirs to see.
  std::string message = st.message();
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(c.options.db_path, ec).string();
  for (const std::string& path : {c.options.db_path, absolute}) {
    if (path.empty()) continue;
    for (size_t at = message.find(path); at != std::string::npos; at = message.find(path, at + 8)) {
      message.replace(at, path.size(), "database");
    }
  }
  SendErrorBody(c.res, code, ErrorCodeName(st), message);
}

void SendTooManyAttempts(Ctx& c, int64_t retry_after_ms) {
  c.res.set_header("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
  SendErrorBody(c.res, 429, "too_many_attempts",
                "too many failed sign-ins from this address; try again later");
}

Result<nlohmann::json> ParseBody(const Ctx& c) {
  if (c.body.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(c.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("body: expected a JSON object");
  return j;
}

nlohmann::json UserJson(const User& u) {
  return {{"name", u.name}, {"role", RoleName(u.role)}, {"pools", u.pools}, {"disabled", u.disabled}};
}

}  // namespace hitloop::server
