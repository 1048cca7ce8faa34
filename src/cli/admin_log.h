#pragma once
// The admin action log from the command line's side (store/action_log.h): a command that changes
// users, membership, project settings, labels or item holds writes its entry inside the change's
// transaction. The actor is "cli:LOGIN" (the operating-system user running hitloop, from $USER
// or the password database; "cli:?" when neither names one).
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "store/action_log.h"

namespace hitloop::cli {

inline std::string CliActor() {
  const char* user = std::getenv("USER");
  if (user != nullptr && *user != '\0') return std::string("cli:") + user;
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_name != nullptr) {
    return std::string("cli:") + pw->pw_name;
  }
  return "cli:?";
}

inline Status LogCliAction(Store& s, const std::string& action, const std::string& project,
                           const std::string& target, nlohmann::json detail = nlohmann::json::object()) {
  AdminAction a;
  a.at = SystemClock::Default()->NowMillis();
  a.actor = CliActor();
  a.action = action;
  a.project = project;
  a.target = target;
  a.detail = detail.dump();
  return AppendAdminAction(s, a);
}

}  // namespace hitloop::cli
