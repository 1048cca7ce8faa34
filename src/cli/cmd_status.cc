// hitloop status NAME [--json]: counts by state and by label source.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "store/open.h"
#include "loop/certify.h"
#include "loop/config.h"
#include "loop/cycle_record.h"
#include "store/store.h"

namespace hitloop::cli {

void RegisterStatus(CLI::App& app, GlobalOptions& g, int* exit_code) {
  static std::string name;
  static bool as_json = false;
  auto* cmd = app.add_subcommand("status", "Counts by state and by label source");
  cmd->add_option("NAME", name, "Project name")->required();
  cmd->add_flag("--json", as_json, "Machine-readable output");
  cmd->callback([&g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
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
                        {"active_leases", st->active_leases},
                        {"quarantined", st->quarantined},
                        {"deleted", st->deleted}};
    // The loop's guarantee and what it still costs, from the config and the newest cycle record.
    auto cfg = loop::ParseLoopConfig(p->config_json);
    if (!cfg.ok()) { *exit_code = Fail(cfg.status()); return; }
    auto cycles = (*store)->ListCycles(p->id);
    if (!cycles.ok()) { *exit_code = Fail(cycles.status()); return; }
    const loop::LoopStatus ls = loop::ComputeLoopStatus(*cfg, *cycles);
    const int64_t need = ls.min_audits_needed;
    nlohmann::json lj = {{"cycles", ls.cycles},
                         {"target_precision", ls.target_precision},
                         {"confidence", ls.confidence},
                         {"threshold_mode", ls.threshold_mode},
                         {"min_audits_needed", need},
                         {"last_cycle", nullptr}};
    if (ls.last) {
      const loop::CycleRecord& r = *ls.last;
      nlohmann::json rules = nlohmann::json::array();
      for (const auto& x : r.rules) {
        rules.push_back({{"name", x.name},
                         {"certified", x.certified},
                         {"rejected", x.rejected},
                         {"too_small", x.too_small},
                         {"state", loop::RuleStateName(x)},
                         {"audits", x.audits}});
      }
      lj["last_cycle"] = {{"cycle", r.cycle},
                          {"audits_total", r.audits_total},
                          {"certified", ls.certified},
                          {"certified_classes", ls.certified_classes},
                          {"audit_precision_lower_bound", r.audit_precision.lower_bound},
                          {"auto_accepted", r.auto_accepted},
                          {"rules", rules}};
      lj["audits_still_needed"] = ls.audits_still_needed;
    }
    j["loop"] = lj;
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
    if (st->quarantined || st->deleted) {
      std::printf("  out of the project: %lld quarantined, %lld deleted (hitloop item)\n",
                  static_cast<long long>(st->quarantined), static_cast<long long>(st->deleted));
    }
    std::printf("  loop: precision >= %.3f with confidence %.3f (%s thresholds) needs at least %lld clean "
                "audit labels\n",
                cfg->target_precision, cfg->confidence, cfg->per_class ? "per-class" : "global",
                static_cast<long long>(need));
    if (lj["last_cycle"].is_null()) {
      std::printf("    no cycle yet (run `hitloop cycle %s`)\n", p->name.c_str());
    } else {
      const auto& lc = lj["last_cycle"];
      std::printf("    after cycle %lld: %lld audit labels, %s; %lld auto-accepted\n",
                  lc["cycle"].get<long long>(), lc["audits_total"].get<long long>(),
                  lc["certified"].get<bool>()
                      ? ("certified, precision lower bound " +
                         std::to_string(lc["audit_precision_lower_bound"].get<double>()).substr(0, 6))
                            .c_str()
                      : ("not certified yet: at least " + std::to_string(lj["audits_still_needed"].get<long long>()) +
                         " more clean audits")
                            .c_str(),
                  lc["auto_accepted"].get<long long>());
      for (const auto& x : lc["rules"]) {
        std::printf("    rule %-16s %s (%lld audits)\n", x["name"].get<std::string>().c_str(),
                    x["state"].get<std::string>().c_str(),
                    x["audits"].get<long long>());
      }
    }
  });
}

}  // namespace hitloop::cli
