// hitloop status NAME [--json]: counts by state and by label source.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "store/store.h"

namespace hitloop::cli {

void RegisterStatus(CLI::App& app, GlobalOptions& g, int* exit_code) {
  static std::string name;
  static bool as_json = false;
  auto* cmd = app.add_subcommand("status", "Counts by state and by label source");
  cmd->add_option("NAME", name, "Project name")->required();
  cmd->add_flag("--json", as_json, "Machine-readable output");
  cmd->callback([&g, exit_code] {
    auto store = OpenSqliteStore(g.db_path);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(name);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    auto st = (*store)->GetStatus(p->id);
    if (!st.ok()) { *exit_code = Fail(st.status()); return; }
    nlohmann::json by_state = {{"unlabeled", 0}, {"queued", 0}, {"auto", 0}, {"labeled", 0}};
    for (const auto& [k, v] : st->by_state) by_state[k] = v;
    nlohmann::json by_source = {{"human", 0}, {"model", 0}, {"rule", 0}, {"audit", 0}};
    for (const auto& [k, v] : st->by_label_source) by_source[k] = v;
    nlohmann::json j = {{"project", p->name},
                        {"task_type", TaskTypeName(p->type)},
                        {"labels", p->labels},
                        {"items", st->items},
                        {"by_state", by_state},
                        {"by_label_source", by_source},
                        {"by_split", st->by_split},
                        {"by_label", st->by_label},
                        {"predictions", st->predictions},
                        {"annotations", st->annotations},
                        {"queued", st->queued},
                        {"active_leases", st->active_leases}};
    if (as_json) {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("project %s (%s) — %lld items\n", p->name.c_str(), TaskTypeName(p->type),
                static_cast<long long>(st->items));
    std::printf("  labels: ");
    for (size_t i = 0; i < p->labels.size(); ++i) std::printf("%s%s", i ? ", " : "", p->labels[i].c_str());
    std::printf("\n  by state:\n");
    for (auto& [k, v] : by_state.items()) std::printf("    %-10s %lld\n", k.c_str(), v.get<long long>());
    std::printf("  by label source:\n");
    for (auto& [k, v] : by_source.items()) std::printf("    %-10s %lld\n", k.c_str(), v.get<long long>());
    std::printf("  by split:\n");
    for (const auto& [k, v] : st->by_split) std::printf("    %-10s %lld\n", k.c_str(), static_cast<long long>(v));
    std::printf("  by label:\n");
    for (const auto& [k, v] : st->by_label) std::printf("    %-20s %lld\n", k.c_str(), static_cast<long long>(v));
    std::printf("  predictions %lld, annotations %lld, queued %lld, active leases %lld\n",
                static_cast<long long>(st->predictions), static_cast<long long>(st->annotations),
                static_cast<long long>(st->queued), static_cast<long long>(st->active_leases));
  });
}

}  // namespace hitloop::cli
