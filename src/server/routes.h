#pragma once
// The route table: the one list of everything `hitloop serve` answers. The dispatcher
// (server.cc) matches a request against it and enforces each route's access rule before the
// handler runs; tests/unit/server/authz_matrix_test.cc requires a matrix row for every entry.
//
// Access rules:
//   min_role kNone       - public (static files, sign-in)
//   min_role k*          - signed-in user of at least that role; lower roles get 404
//   {project} in pattern - the project must exist and be visible (admin, or a member): else 404
//   {lease} in pattern   - the lease must exist and its project be visible: else 404; a visible
//                          lease held by someone else is the handler's 409 (API contract)
//
// Errors: a handler returns a non-OK Status and the dispatcher sends it with SendError (the HTTP
// code from HttpStatusFor). Status::Ok() means the handler has written its response to c.res: a
// success, or a body of its own such as /readyz's 503 or an error whose code no Status names
// (503 "busy", written with SendErrorBody). Every {"error": ...} body the server sends, from a
// handler, the request pipeline or before a Ctx exists, is written by SendErrorBody.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "schema/types.h"
#include "store/group_commit.h"
#include "store/store.h"

namespace hitloop::server {

enum class MinRole { kNone, kAnnotator, kReviewer, kAdmin };

struct ServerOptions;
class ServerImpl;

// What a handler sees. References are valid for the request only.
struct Ctx {
  const httplib::Request& req;
  httplib::Response& res;
  ServerImpl& server;
  Store& store;
  const ServerOptions& options;
  int64_t now = 0;
  std::optional<User> user;                   // set unless the route is public
  std::optional<Project> project;             // set for {project} routes
  std::optional<Lease> lease;                 // set for {lease} routes
  std::map<std::string, std::string> params;  // {name} -> decoded path segment
  std::string body;                           // JSON routes: the whole (size-limited) body
  const httplib::ContentReader* reader = nullptr;  // streaming routes: the unread body
  GroupCommitter* writer = nullptr;           // runs claim/submit/skip/release/amend/enqueue
                                              // writes in group-committed batches
  std::mutex* cycle_mu = nullptr;             // one cycle at a time
};

// Non-OK: the dispatcher sends the error; OK: the handler has sent its response (see the top).
using Handler = Status (*)(Ctx&);

struct Route {
  const char* method;   // GET | POST | DELETE
  const char* pattern;  // "/api/v1/projects/{project}/tasks/next"
  MinRole min_role;
  bool streaming;       // body is streamed to the handler (uploads) instead of read whole
  Handler handler;
  const char* summary;
};

const std::vector<Route>& Routes();

// Matches `path` against `pattern`; fills `params` ({name} segments). With `decode`, `path` is
// the request's raw target (still percent-encoded) and each segment is decoded after matching, so
// an encoded '/' (%2F) stays inside its segment: an item id "spam-1/0001" is one {item}.
bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* params, bool decode = false);
// The path of a raw request target ("/a/b%2Fc?x=1" -> "/a/b%2Fc").
std::string RawTargetPath(const std::string& target);

// ---- helpers shared by the handlers ----
// Maps a Status to its HTTP code (the one place that does): InvalidArgument 400,
// Unauthenticated 401, NotFound/PermissionDenied 404, AlreadyExists/Conflict 409,
// ResourceExhausted 413, FailedPrecondition 503, everything else 500.
int HttpStatusFor(const Status& st);
void SendJson(Ctx& c, int status, const nlohmann::json& j);
// The error response for `st` (HttpStatusFor's code): 5xx are logged and their bodies say only
// "internal error" / "service unavailable"; 4xx messages have the database's path replaced.
void SendError(Ctx& c, const Status& st);
// The one writer of error bodies: {"error":{"code":CODE,"message":MESSAGE}} (JsonText: no
// spaces, keys in alphabetical order) as application/json with `http_status`. For the codes no
// Status maps to (busy, csrf, timeout, too_large, method_not_allowed, ...) and for responses
// written before a Ctx exists.
void SendErrorBody(httplib::Response& res, int http_status, std::string_view code,
                   std::string_view message);
// The body SendErrorBody writes, as JSON and as text.
nlohmann::json ErrorBody(std::string_view code, std::string_view message);
std::string ErrorBodyText(std::string_view code, std::string_view message);
// 429 with Retry-After: too many failed sign-ins or bad tokens from the caller's address.
void SendTooManyAttempts(Ctx& c, int64_t retry_after_ms);
// The body SendError sends for a 4xx status: {"error": {"code", "message"}} (5xx bodies are
// generic; see SendError). Lets a handler build a response before it sends it.
nlohmann::json ErrorJson(const Status& st);
// A JSON value as the response text SendJson sends.
std::string JsonText(const nlohmann::json& j);
// Parses c.body as a JSON object; InvalidArgument otherwise.
Result<nlohmann::json> ParseBody(const Ctx& c);
nlohmann::json UserJson(const User& u);

}  // namespace hitloop::server
