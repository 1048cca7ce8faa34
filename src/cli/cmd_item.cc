// hitloop item quarantine|delete|restore NAME ID...   (ID = the item's id in the imported file)
// An admin's way to take items out of a project: a quarantined item leaves the queues and the
// cycles but is still exported; a deleted one loses its content and leaves the exports too
// (store/store.h, SetItemHold). All the ids or none: an unknown id changes nothing.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/admin_log.h"
#include "cli/command.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {

void RegisterItem(CLI::App& app, GlobalOptions& g, int* exit_code) {
  auto* item = app.add_subcommand("item", "Quarantine, delete or restore items of a project");
  item->require_subcommand(1);
  struct Opts {
    std::string project;
    std::vector<std::string> ids;
  };
  static Opts o;
  struct Verb {
    const char* name;
    const char* help;
    Store::ItemHold hold;
    const char* done;
  };
  static const Verb kVerbs[] = {
      {"quarantine", "Take items out of queues and cycles (still exported)",
       Store::ItemHold::kQuarantined, "quarantined"},
      {"delete", "Erase items' content; gone from queues, cycles and exports (final)",
       Store::ItemHold::kDeleted, "deleted"},
      {"restore", "Put quarantined items back into the project", Store::ItemHold::kNone, "restored"},
  };
  for (const Verb& v : kVerbs) {
    auto* cmd = item->add_subcommand(v.name, v.help);
    cmd->add_option("NAME", o.project, "Project name")->required();
    cmd->add_option("ID", o.ids, "Item ids (as imported)")->required();
    cmd->callback([&g, exit_code, &v] {
      auto store = OpenStore(g.db_path, OpenMode::kMustExist);
      if (!store.ok()) { *exit_code = Fail(store.status()); return; }
      auto p = (*store)->GetProject(o.project);
      if (!p.ok()) { *exit_code = Fail(p.status()); return; }
      Status st = (*store)->InTransaction([&]() -> Status {
        for (const auto& id : o.ids) RETURN_IF_ERROR((*store)->SetItemHold(p->id, id, v.hold));
        return LogCliAction(**store, std::string("items.") + v.name, p->name,
                            std::to_string(o.ids.size()) + " items", {{"items", o.ids}, {"count", o.ids.size()}});
      });
      if (!st.ok()) { *exit_code = Fail(st); return; }
      std::printf("%s %zu item%s in '%s'\n", v.done, o.ids.size(), o.ids.size() == 1 ? "" : "s",
                  o.project.c_str());
    });
  }
}

}  // namespace hitloop::cli
