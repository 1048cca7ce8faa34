#pragma once
// The admin action log from the server's side (store/action_log.h): admin handlers call
// LogAdminAction with the Store their change is written through, inside the change's transaction
// (the writer job that makes it, or Store::InTransaction), so the entry commits with the change
// or not at all. The actor is the signed-in user; `project` scopes the entry to the route's
// project when there is one. Item lists are kept to their first kMaxLoggedIds ids (and a count).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/routes.h"
#include "store/action_log.h"

namespace hitloop::server {

inline constexpr size_t kMaxLoggedIds = 1000;

inline nlohmann::json LoggedIds(const std::vector<std::string>& ids) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < ids.size() && i < kMaxLoggedIds; ++i) out.push_back(ids[i]);
  return out;
}

inline Status LogAdminAction(Store& w, const Ctx& c, const std::string& action, const std::string& target,
                             nlohmann::json detail = nlohmann::json::object()) {
  AdminAction a;
  a.at = c.now;
  a.actor = c.user.has_value() ? c.user->name : "anonymous";
  a.action = action;
  a.project = c.project ? c.project->name : "";
  a.target = target;
  a.detail = detail.dump();
  return AppendAdminAction(w, a);
}

}  // namespace hitloop::server
