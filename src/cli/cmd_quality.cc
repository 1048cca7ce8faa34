// hitloop quality NAME [--json] [--aggregate mv|ds|auto] [--set-aggregate mv|ds|auto]
//                      [--replicates N] [--min-shared N] [--clear-flag USER]
// Agreement with bootstrap intervals, how labels are resolved, and per-annotator quality
// (quality/project_quality.h): the same numbers as the report and the dashboard. Pairwise and
// ranking projects get preference/report.h's report instead. Then gold
// questions, qualification and flags as routing sees them (loop/gold.h; JSON key "gold_routing").
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/admin_log.h"
#include "cli/command.h"
#include "core/parallel.h"
#include "loop/gold.h"
#include "preference/report.h"
#include "quality/project_quality.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

int PreferenceQuality(Store& store, const Project& p, bool as_json, const std::string& aggregate,
                      const std::string& set_aggregate) {
  if (!aggregate.empty() || !set_aggregate.empty()) {
    return Fail(InvalidArgument("--aggregate/--set-aggregate resolve labels; '" + p.name + "' is " +
                                TaskTypeName(p.type) + " (comparisons are resolved by Bradley-Terry: "
                                "export --aggregate bt)"));
  }
  preference::PreferenceReportOptions o;
  o.threads = DefaultThreads();
  auto r = preference::BuildPreferenceReport(store, p, o);
  if (!r.ok()) return Fail(r.status());
  if (as_json) {
    std::printf("%s\n", preference::PreferenceReportToJson(*r).c_str());
  } else {
    std::fputs(preference::PreferenceReportToText(*r).c_str(), stdout);
  }
  return 0;
}

}  // namespace

void RegisterQuality(CLI::App& app, GlobalOptions& g, int* exit_code) {
  struct Args {
    std::string name, aggregate, set_aggregate, clear_flag;
    bool as_json = false, timing = false;
    int replicates = 1000;
    int64_t min_shared = 10;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "quality", "Agreement between annotators (with 95% intervals), resolved labels, annotator quality");
  cmd->add_option("NAME", a->name, "Project name")->required();
  cmd->add_flag("--json", a->as_json, "Print JSON instead of text");
  cmd->add_option("--aggregate", a->aggregate,
                  "Resolve labels by mv | ds | auto for this run (default: the project's setting)");
  cmd->add_option("--set-aggregate", a->set_aggregate,
                  "Store mv | ds | auto as the project's method (training labels, exports, report)");
  cmd->add_flag("--timing", a->timing, "Print the time of each phase to stderr");
  cmd->add_option("--clear-flag", a->clear_flag,
                  "Clear USER's gold flag: their gold answers so far stop counting for routing "
                  "(qualification starts again)");
  cmd->add_option("--replicates", a->replicates, "Bootstrap replicates (0 = no intervals)")
      ->capture_default_str();
  cmd->add_option("--min-shared", a->min_shared,
                  "Pairs of annotators need this many shared items for Cohen's kappa")
      ->capture_default_str();
  cmd->callback([a, &g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kCreateIfMissing);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(a->name);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    if (IsPreferenceType(p->type)) {  // comparisons: agreement, position bias, reward model, disputes
      *exit_code = PreferenceQuality(**store, *p, a->as_json, a->aggregate, a->set_aggregate);
      return;
    }
    if (!a->set_aggregate.empty()) {
      auto m = quality::ParseAggregateMethod(a->set_aggregate);
      if (!m.ok()) { *exit_code = Fail(m.status()); return; }
      auto cfg = quality::SetAggregateMethod(p->config_json, *m);
      if (!cfg.ok()) { *exit_code = Fail(cfg.status()); return; }
      Status st = (*store)->InTransaction([&]() -> Status {
        RETURN_IF_ERROR((*store)->SetProjectConfig(p->id, *cfg));
        return LogCliAction(**store, "project.config", p->name, "aggregate",
                            {{"aggregate", quality::AggregateMethodName(*m)}});
      });
      if (!st.ok()) { *exit_code = Fail(st); return; }
      p->config_json = *cfg;
      if (!a->as_json) std::printf("'%s' now resolves labels by %s\n", p->name.c_str(), quality::AggregateMethodName(*m));
    }
    if (!a->clear_flag.empty()) {
      Result<int64_t> n = int64_t{0};
      Status cleared = (*store)->InTransaction([&]() -> Status {
        n = loop::ClearGoldFlag(**store, p->id, a->clear_flag);
        if (!n.ok()) return n.status();
        return LogCliAction(**store, "gold.clear-flag", p->name, a->clear_flag, {{"answers_cleared", *n}});
      });
      if (!cleared.ok()) n = cleared;
      if (!n.ok()) { *exit_code = Fail(n.status()); return; }
      if (!a->as_json) {
        std::printf("cleared %s's gold flag in '%s' (%lld gold answers no longer count for routing)\n",
                    a->clear_flag.c_str(), p->name.c_str(), static_cast<long long>(*n));
      }
    }
    quality::QualityOptions opts;
    opts.agreement.bootstrap.replicates = a->replicates;
    opts.agreement.min_shared_items = a->min_shared;
    if (!a->aggregate.empty()) {
      auto m = quality::ParseAggregateMethod(a->aggregate);
      if (!m.ok()) { *exit_code = Fail(m.status()); return; }
      opts.method = *m;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto answers = quality::LoadProjectAnswers(**store, *p);
    if (!answers.ok()) { *exit_code = Fail(answers.status()); return; }
    const auto t1 = std::chrono::steady_clock::now();
    auto q = quality::BuildQualityReport(*p, *answers, opts);
    if (!q.ok()) { *exit_code = Fail(q.status()); return; }
    if (a->timing) {
      std::fprintf(stderr, "load %.0f ms (%lld answers), resolve %.0f ms, agreement %.0f ms\n",
                   std::chrono::duration<double, std::milli>(t1 - t0).count(),
                   static_cast<long long>(answers->table.num_ratings()), q->resolve_ms, q->agreement_ms);
    }
    auto routing = loop::LoadProjectRouting(**store, *p);
    if (!routing.ok()) { *exit_code = Fail(routing.status()); return; }
    std::string out;
    if (a->as_json) {
      out = quality::QualityToJson(*q, {{"gold_routing", loop::ProjectRoutingToJson(*routing)}}) + "\n";
    } else {
      out = quality::QualityToText(*q) + loop::ProjectRoutingToText(*routing);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    *exit_code = 0;
  });
}

}  // namespace hitloop::cli
