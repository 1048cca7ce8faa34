// Static pages (embedded web/), health, and browser sign-in/out.
#include <string_view>

#include "core/ids.h"
#include "server/handlers.h"
#include "server/server_impl.h"
#include "server/web_assets.h"

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

void ServeAsset(Ctx& c, const std::string& path) {
  auto data = FindWebAsset(path);
  if (!data) {
    SendError(c, NotFound("not found"));
    return;
  }
  c.res.status = 200;
  c.res.set_content(std::string(*data), MimeFor(path));
}

std::string SessionCookie(const std::string& value, int64_t max_age_s) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age_s);
}

}  // namespace

void HandleIndexPage(Ctx& c) { ServeAsset(c, "index.html"); }
void HandleAdminPage(Ctx& c) { ServeAsset(c, "admin.html"); }
void HandleAsset(Ctx& c) {
  // Only files directly under web/assets/ are reachable; FindWebAsset is an exact-match table.
  ServeAsset(c, "assets/" + c.params["file"]);
}
void HandleHealth(Ctx& c) { SendJson(c, 200, {{"ok", true}}); }

void HandleSignIn(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) { SendError(c, body.status()); return; }
  if (!body->contains("token") || !(*body)["token"].is_string()) {
    SendError(c, InvalidArgument("token: missing"));
    return;
  }
  auto u = c.store.FindUserByTokenHash(HashSecret((*body)["token"].get<std::string>()));
  if (!u.ok()) { SendError(c, u.status()); return; }
  if (!u->has_value()) { SendError(c, Unauthenticated("invalid token")); return; }
  std::string sid = RandomToken(32);
  Status st = c.store.CreateSession(HashSecret(sid), (*u)->id, c.now, c.now + c.options.session_ttl_ms);
  if (!st.ok()) { SendError(c, st); return; }
  c.res.set_header("Set-Cookie", SessionCookie(sid, c.options.session_ttl_ms / 1000));
  SendJson(c, 200, {{"user", UserJson(**u)}});
}

void HandleSignOut(Ctx& c) {
  std::string all = c.req.get_header_value("Cookie");
  std::string key = std::string(kSessionCookie) + "=";
  size_t pos = all.find(key);
  if (pos != std::string::npos) {
    size_t end = all.find(';', pos);
    std::string sid = all.substr(pos + key.size(), end == std::string::npos ? std::string::npos : end - pos - key.size());
    Status st = c.store.DeleteSession(HashSecret(sid));
    if (!st.ok()) { SendError(c, st); return; }
  }
  c.res.set_header("Set-Cookie", SessionCookie("", 0));
  SendJson(c, 200, {{"ok", true}});
}

void HandleMe(Ctx& c) { SendJson(c, 200, {{"user", UserJson(*c.user)}}); }

}  // namespace hitloop::server
