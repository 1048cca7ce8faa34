// hitloop log [NAME] [--actor WHO] [--limit N] [--before ID] [--json]
// The admin action log (store/action_log.h): who changed users, membership, project settings,
// labels, item holds and gold flags, and when; oldest first, the newest N (default 100). NAME
// limits it to one project's entries; server-wide ones (users) have no project.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/clock.h"
#include "store/action_log.h"
#include "store/open.h"

namespace hitloop::cli {

void RegisterLog(CLI::App& app, GlobalOptions& g, int* exit_code) {
  static AdminActionQuery q;
  static bool as_json = false;
  auto* cmd = app.add_subcommand("log", "The admin action log: who changed users, settings, labels and items");
  cmd->add_option("NAME", q.project, "Only this project's entries");
  cmd->add_option("--actor", q.actor, "Only this actor's entries (a user name, or cli:LOGIN)");
  cmd->add_option("--limit", q.limit, "The newest N entries")->capture_default_str();
  cmd->add_option("--before", q.before_id, "Only entries older than this id (paging back)");
  cmd->add_flag("--json", as_json, "One JSON object per line");
  cmd->callback([&g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    if (!q.project.empty()) {
      auto p = (*store)->GetProject(q.project);
      if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    }
    auto actions = ListAdminActions(**store, q);
    if (!actions.ok()) { *exit_code = Fail(actions.status()); return; }
    for (const AdminAction& a : *actions) {
      if (as_json) {
        nlohmann::json j = {{"id", a.id}, {"at_ms", a.at}, {"actor", a.actor}, {"action", a.action},
                            {"project", a.project}, {"target", a.target},
                            {"detail", nlohmann::json::parse(a.detail, nullptr, false)}};
        std::printf("%s\n", j.dump().c_str());
      } else {
        std::printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", static_cast<long long>(a.id), FormatIso8601(a.at).c_str(),
                    a.actor.c_str(), a.action.c_str(), a.project.empty() ? "-" : a.project.c_str(),
                    a.target.empty() ? "-" : a.target.c_str(), a.detail.c_str());
      }
    }
    *exit_code = 0;
  });
}

}  // namespace hitloop::cli
