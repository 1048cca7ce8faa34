// Static pages (embedded web/), health, and browser sign-in/out.
#include <map>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/log.h"
#include "server/handlers.h"
#include "server/server_impl.h"
#include "server/web_assets.h"
#include "store/operations.h"

namespace hitloop::server {
namespace {

const char* MimeFor(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

// The pages name their assets with ?v=<content hash>, so an asset URL stands for one version
// of the file: browsers may keep it (a year, immutable) and the pages of a new binary ask for
// new URLs. The pages themselves are never cached. Built once from the embedded files.
std::string VersionedPage(const std::string& path) {
  auto page = FindWebAsset(path);
  if (!page) return "";
  std::string html(*page);
  size_t pos = 0;
  while ((pos = html.find("\"/assets/", pos)) != std::string::npos) {
    const size_t begin = pos + 1;
    const size_t end = html.find('"', begin);
    if (end == std::string::npos) break;
    auto asset = FindWebAsset(html.substr(begin + 1, end - begin - 1));
    std::string version = asset ? "?v=" + ContentHash(*asset) : "";
    html.insert(end, version);
    pos = end + version.size();
  }
  return html;
}

Status ServePage(Ctx& c, const std::string& path) {
  static const std::map<std::string, std::string> pages = [] {
    std::map<std::string, std::string> out;
    for (const char* p : {"index.html", "admin.html", "review.html"}) out[p] = VersionedPage(p);
    return out;
  }();
  auto it = pages.find(path);
  if (it == pages.end() || it->second.empty()) {
    return NotFound("not found");
  }
  c.res.status = 200;
  c.res.set_content(it->second, MimeFor(path));
  return Status::Ok();
}

Status ServeAsset(Ctx& c, const std::string& path) {
  auto data = FindWebAsset(path);
  if (!data) {
    return NotFound("not found");
  }
  c.res.status = 200;
  c.res.set_content(std::string(*data), MimeFor(path));
  // Only the URL of this very version may be kept; any other ?v= (or none) is not.
  if (c.req.has_param("v") && c.req.get_param_value("v") == ContentHash(*data)) {
    c.res.headers.erase("Cache-Control");
    c.res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  }
  return Status::Ok();
}

std::string SessionCookie(const std::string& value, int64_t max_age_s) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age_s);
}

}  // namespace

Status HandleIndexPage(Ctx& c) { return ServePage(c, "index.html"); }
Status HandleAdminPage(Ctx& c) { return ServePage(c, "admin.html"); }
Status HandleReviewPage(Ctx& c) { return ServePage(c, "review.html"); }
Status HandleAsset(Ctx& c) {
  // Only files directly under web/assets/ are reachable; FindWebAsset is an exact-match table.
  return ServeAsset(c, "assets/" + c.params["file"]);
}
Status HandleHealth(Ctx& c) {
  // Liveness that means it: once the writer has stopped (a failed commit, e.g. the disk filled
  // up) every claim and submit would fail until a restart, so health says so. The reason goes
  // to the log, not to the (anonymous) caller.
  const Status writer = c.writer != nullptr ? c.writer->health() : Status::Ok();
  if (!writer.ok()) {
    spdlog::error("server: /healthz: the writer has stopped: {}", writer.ToString());
    SendJson(c, 503, {{"ok", false},
                      {"writer", "stopped"},
                      {"message", "the database writer stopped after a failed commit (disk full?); "
                                  "free space and restart the server"}});
    return Status::Ok();
  }
  SendJson(c, 200, {{"ok", true}, {"writer", "running"}});
  return Status::Ok();
}

Status HandleReady(Ctx& c) {
  // Readiness for a load balancer: this server can reach its database now. The caller is
  // anonymous: the store's message (it may name the database's host, user or path) goes to
  // the log, the body says only what kind of failure it was.
  const Status st = PingStore(c.store, kReadyTimeoutMs);
  if (!st.ok()) {
    spdlog::warn("server: /readyz: database not ready: {}", st.ToString());
    SendJson(c, 503, {{"ready", false},
                      {"reason", st.message().find("no answer within") != std::string::npos
                                     ? "the database did not answer within " +
                                           std::to_string(kReadyTimeoutMs) + " ms"
                                     : "the database did not answer"}});
    return Status::Ok();
  }
  const Status writer = c.writer != nullptr ? c.writer->health() : Status::Ok();
  if (!writer.ok()) {
    spdlog::error("server: /readyz: the writer has stopped: {}", writer.ToString());
    SendJson(c, 503, {{"ready", false}, {"reason", "the database writer stopped; restart the server"}});
    return Status::Ok();
  }
  SendJson(c, 200, {{"ready", true}});
  return Status::Ok();
}

Status HandleSignIn(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  if (!body->contains("token") || !(*body)["token"].is_string()) {
    return InvalidArgument("token: missing");
  }
  AuthThrottle& throttle = c.server.auth_throttle();
  if (int64_t wait_ms = throttle.BlockedFor(c.req.remote_addr, c.now); wait_ms > 0) {
    SendTooManyAttempts(c, wait_ms);
    return Status::Ok();
  }
  auto u = c.store.FindUserByTokenHash(HashSecret((*body)["token"].get<std::string>()));
  if (!u.ok()) return u.status();
  if (!u->has_value()) {
    throttle.Fail(c.req.remote_addr, c.now);
    return Unauthenticated("invalid token");
  }
  std::string sid = RandomToken(32);
  Status st = c.store.CreateSession(HashSecret(sid), (*u)->id, c.now, c.now + c.options.session_ttl_ms);
  if (!st.ok()) return st;
  c.res.set_header("Set-Cookie", SessionCookie(sid, c.options.session_ttl_ms / 1000));
  SendJson(c, 200, {{"user", UserJson(**u)}});
  return Status::Ok();
}

Status HandleSignOut(Ctx& c) {
  std::string all = c.req.get_header_value("Cookie");
  std::string key = std::string(kSessionCookie) + "=";
  size_t pos = all.find(key);
  if (pos != std::string::npos) {
    size_t end = all.find(';', pos);
    std::string sid = all.substr(pos + key.size(), end == std::string::npos ? std::string::npos : end - pos - key.size());
    Status st = c.store.DeleteSession(HashSecret(sid));
    if (!st.ok()) return st;
  }
  c.res.set_header("Set-Cookie", SessionCookie("", 0));
  SendJson(c, 200, {{"ok", true}});
  return Status::Ok();
}

Status HandleMe(Ctx& c) {
  SendJson(c, 200, {{"user", UserJson(*c.user)}});
  return Status::Ok();
}

}  // namespace hitloop::server
