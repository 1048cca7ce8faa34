// The request pipeline between routing and the handler: who is asking (bearer token or session
// cookie, with throttling of bad tokens), whether their role may use the route (and the CSRF
// header for cookie requests), which project or lease the request is about and whether they may
// see it, and the body (size limit, deadline, JSON content type). Every step that stops a request
// has sent its error response and returns false.
#include <string>
#include <string_view>

#include "server/handlers.h"
#include "server/routes.h"
#include "server/server.h"
#include "server/server_impl.h"

namespace hitloop::server {

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  std::string all = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = all.find(';', pos);
    if (end == std::string::npos) end = all.size();
    std::string part = all.substr(pos, end - pos);
    size_t b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

bool IsUnsafeMethod(const std::string& m) { return m != "GET" && m != "HEAD"; }

// Users, projects and memberships come from the scope cache when it has them; whatever has to be
// read is read in `snapshot` (one read transaction, not one per statement), which the caller
// ends before the body is read from the network and before the handler runs.
bool ServerImpl::Authenticate(Ctx& c, const Route& route, ReadSnapshot& snapshot, uint64_t generation,
                              bool* via_cookie) {
  // Public routes (pages, assets, health, sign-in) never look at the caller: no lookups for them.
  const bool is_public = route.min_role == MinRole::kNone;
  const std::string auth = is_public ? "" : c.req.get_header_value("Authorization");
  if (!auth.empty()) {
    if (int64_t wait_ms = auth_throttle_.BlockedFor(c.req.remote_addr, c.now); wait_ms > 0) {
      SendTooManyAttempts(c, wait_ms);
      return false;
    }
    // Label Studio's ML-backend connection can only send Basic auth: on /ml/ routes the
    // password is the API token.
    const std::string token =
        auth.rfind("Bearer ", 0) == 0 ? auth.substr(7)
        : std::string_view(route.pattern).rfind("/ml/", 0) == 0 ? BasicAuthPassword(auth)
                                                                 : std::string();
    if (token.empty()) {
      auth_throttle_.Fail(c.req.remote_addr, c.now);
      c.res.set_header("WWW-Authenticate", "Bearer");
      SendError(c, Unauthenticated("malformed Authorization header"));
      return false;
    }
    const std::string token_hash = HashSecret(token);
    c.user = scope_.UserByTokenHash(token_hash);
    if (!c.user) {
      snapshot.Open();
      auto u = c.store.FindUserByTokenHash(token_hash);
      if (!u.ok()) { SendError(c, u.status()); return false; }
      if (!u->has_value()) {
        auth_throttle_.Fail(c.req.remote_addr, c.now);
        c.res.set_header("WWW-Authenticate", "Bearer");
        SendError(c, Unauthenticated("invalid token"));
        return false;
      }
      c.user = std::move(**u);
      scope_.PutUser(generation, token_hash, *c.user);
    }
  } else if (!is_public) {
    std::string sid = CookieValue(c.req, kSessionCookie);
    if (!sid.empty()) {
      snapshot.Open();
      auto u = c.store.FindSession(HashSecret(sid), c.now);
      if (!u.ok()) { SendError(c, u.status()); return false; }
      if (u->has_value()) {
        c.user = std::move(**u);
        *via_cookie = true;
      }
    }
  }

  return true;
}

bool ServerImpl::AuthorizeRole(Ctx& c, const Route& route, bool via_cookie) {
  if (route.min_role != MinRole::kNone) {
    if (!c.user) {
      c.res.set_header("WWW-Authenticate", "Bearer");
      SendError(c, Unauthenticated("sign in required"));
      return false;
    }
    // A cookie is sent by the browser on its own; an unsafe request riding on it must also carry
    // a header no cross-site form can set (SameSite=Strict is the first line, this the second).
    if (via_cookie && IsUnsafeMethod(c.req.method) && c.req.get_header_value("X-Requested-With") != "hitloop") {
      SendErrorBody(c.res, 403, "csrf", "missing X-Requested-With: hitloop");
      return false;
    }
    int have = static_cast<int>(c.user->role) + 1;  // Role is annotator < reviewer < admin
    if (have < static_cast<int>(route.min_role)) {
      SendError(c, NotFound("not found"));
      return false;
    }
  }
  return true;
}

bool ServerImpl::ResolveScope(Ctx& c, ReadSnapshot& snapshot, uint64_t generation) {
  auto visible = [&](int64_t project_id) -> Result<bool> {
    if (c.user->role == Role::kAdmin) return true;
    if (scope_.IsMember(project_id, c.user->id)) return true;
    snapshot.Open();
    ASSIGN_OR_RETURN(bool member, c.store.IsMember(project_id, c.user->id));
    if (member) scope_.PutMember(generation, project_id, c.user->id);
    return member;
  };
  auto project_by_id = [&](int64_t id) -> Result<Project> {
    if (auto p = scope_.ProjectById(id)) return std::move(*p);
    snapshot.Open();
    ASSIGN_OR_RETURN(Project p, c.store.GetProjectById(id));
    scope_.PutProject(generation, p);
    return p;
  };
  if (auto it = c.params.find("project"); it != c.params.end()) {
    std::optional<Project> p = scope_.ProjectByName(it->second);
    if (!p) {
      snapshot.Open();
      auto read = c.store.GetProject(it->second);
      if (!read.ok()) { SendError(c, read.status().code() == StatusCode::kNotFound ? NotFound("project not found") : read.status()); return false; }
      p = std::move(*read);
      scope_.PutProject(generation, *p);
    }
    auto ok = visible(p->id);
    if (!ok.ok()) { SendError(c, ok.status()); return false; }
    if (!*ok) { SendError(c, NotFound("project not found")); return false; }
    c.project = std::move(*p);
  }
  if (auto it = c.params.find("lease"); it != c.params.end()) {
    snapshot.Open();
    auto l = c.store.GetLease(it->second);
    if (!l.ok()) { SendError(c, l.status().code() == StatusCode::kNotFound ? NotFound("lease not found") : l.status()); return false; }
    auto ok = visible(l->project_id);
    if (!ok.ok()) { SendError(c, ok.status()); return false; }
    if (!*ok) { SendError(c, NotFound("lease not found")); return false; }
    auto p = project_by_id(l->project_id);
    if (!p.ok()) { SendError(c, p.status()); return false; }
    c.project = std::move(*p);
    c.lease = std::move(*l);
  }

  return true;
}

bool ServerImpl::ReadBody(Ctx& c, const Route& route, const httplib::ContentReader* reader) {
  if (!route.streaming && reader != nullptr) {
    bool too_big = false;
    const bool complete = (*reader)([&](const char* data, size_t n) {
      if (c.body.size() + n > options_.max_json_body) {
        too_big = true;
        return false;
      }
      c.body.append(data, n);
      return true;
    });
    if (too_big) {
      SendError(c, ResourceExhausted("request body too large"));
      return false;
    }
    if (!complete) {
      c.res.set_header("Connection", "close");
      SendErrorBody(c.res, 408, "timeout", "request body not received in time");
      return false;
    }
  } else if (!route.streaming) {
    c.body = c.req.body;
  }
  if (!route.streaming && !c.body.empty() &&
      c.req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    SendErrorBody(c.res, 415, "unsupported_media_type", "Content-Type must be application/json");
    return false;
  }

  return true;
}

}  // namespace hitloop::server
