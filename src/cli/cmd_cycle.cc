// hitloop cycle NAME: one cycle of the loop (train -> predict -> certify -> route -> audit).
// hitloop loop-config NAME [--set-json FILE]: shows or sets the loop's settings and routing
// rules (the "loop" key of the project config, loop/config.h).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/admin_log.h"
#include "cli/command.h"
#include "store/open.h"
#include "store/operations.h"
#include "core/clock.h"
#include "core/file.h"
#include "loop/config.h"
#include "loop/cycle.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

struct CycleArgs {
  std::string name, seed_class, seed_query, models_dir;
  bool as_json = false;
  uint64_t seed = 0;
  int threads = 2;
  bool wait = false;
};

void PrintRecord(const loop::CycleRecord& r) {
  std::printf("cycle %lld of the loop (%s)\n", static_cast<long long>(r.cycle),
              r.cold_start ? "cold start: too few labels to train, a random seed batch goes to people"
                           : ("model " + r.model_version).c_str());
  std::printf("  target: precision >= %.3f with confidence %.3f -> at least %lld clean audit labels "
              "before anything is auto-accepted\n",
              r.target_precision, r.confidence, static_cast<long long>(r.min_audits_needed));
  std::printf("  training labels (people): %lld of %lld pool items\n",
              static_cast<long long>(r.training_size), static_cast<long long>(r.pool_size));
  auto metrics = [](const char* what, const std::optional<loop::GoldMetrics>& m, const std::string& note) {
    if (m) {
      std::printf("  gold %-6s accuracy %.4f  macro-F1 %.4f  ECE %.4f  (n=%lld)\n", what, m->accuracy,
                  m->macro_f1, m->ece, static_cast<long long>(m->n));
    } else {
      std::printf("  gold %-6s n/a%s%s\n", what, note.empty() ? "" : ": ", note.c_str());
    }
  };
  if (!r.cold_start) {
    // Model choice ("model": "auto" compares candidates by cross-validation) and representations.
    const auto mc = nlohmann::json::parse(r.model_choice_json.empty() ? "null" : r.model_choice_json);
    if (mc.is_object() && mc.value("mode", "") == "auto") {
      std::printf("  model: %s, chosen by %s over %lld labelled items:\n", r.model_name.c_str(),
                  mc.value("rule", "").c_str(), static_cast<long long>(mc.value("items", 0)));
      for (const auto& c : mc["candidates"]) {
        std::printf("    %-22s cv accuracy %.4f  certifiable coverage %.3f%s\n",
                    c.value("model", "").c_str(), c.value("cv_accuracy", 0.0),
                    c.value("certifiable_coverage", 0.0),
                    c.value("ok", false) ? "" : ("  (failed: " + c.value("error", "") + ")").c_str());
      }
    } else {
      std::printf("  model: %s (fixed by the config)\n", r.model_name.c_str());
    }
  }
  metrics("before", r.before, r.before_note);
  metrics("after", r.after, r.cold_start ? "no model" : "");
  std::printf("  audits: %lld answered; accepted-region precision %.4f, lower bound %.4f (%lld audits, "
              "%lld errors)\n",
              static_cast<long long>(r.audits_total), r.audit_precision.estimate,
              r.audit_precision.lower_bound, static_cast<long long>(r.audit_precision.audits),
              static_cast<long long>(r.audit_precision.errors));
  std::printf("  thresholds (%s):\n", r.threshold_mode.c_str());
  for (const auto& c : r.classes) {
    if (c.certified) {
      std::printf("    %-20s certified at %.3f (%lld audits, %lld errors, error <= %.4f)%s\n",
                  c.label.c_str(), c.threshold, static_cast<long long>(c.audits),
                  static_cast<long long>(c.errors), c.error_upper, c.cold ? " [cold]" : "");
    } else {
      std::printf("    %-20s not certified (%lld audits, %lld errors, error bound %.4f)%s\n",
                  c.label.c_str(), static_cast<long long>(c.audits), static_cast<long long>(c.errors),
                  c.error_upper, c.cold ? " [cold: too few labels, never auto-accepted]" : "");
    }
  }
  std::printf("  auto-accepted %lld (new %lld), requeued %lld, novel->people %lld, cold->people %lld\n",
              static_cast<long long>(r.auto_accepted), static_cast<long long>(r.newly_accepted),
              static_cast<long long>(r.requeued), static_cast<long long>(r.novel),
              static_cast<long long>(r.cold_blocked));
  std::printf("  queued for people: %lld review (of %lld candidates), %lld audits\n",
              static_cast<long long>(r.queued_review), static_cast<long long>(r.review_candidates),
              static_cast<long long>(r.audits_queued));
  for (const auto& [pool, n] : r.queued_by_pool) {
    std::printf("    pool %-16s %lld review\n", pool.c_str(), static_cast<long long>(n));
  }
  if (r.detected > 0) {
    std::printf("  detectors ran on %lld new items%s%s\n", static_cast<long long>(r.detected),
                r.language_backend.empty() ? "" : "; ", r.language_backend.c_str());
  }
  if (r.duplicate_groups > 0) {
    std::printf("  duplicates: %lld groups (%lld items), %lld held back while their group's first item "
                "is with people, %lld groups with conflicting labels\n",
                static_cast<long long>(r.duplicate_groups), static_cast<long long>(r.duplicate_items),
                static_cast<long long>(r.held_duplicates), static_cast<long long>(r.conflicting_groups));
  }
  for (const auto& x : r.rules) {
    const std::string name = loop::RuleStateName(x);
    const std::string state = name == "rejected"    ? "rejected (labels go to people)"
                              : name == "too_small" ? "too small to certify (its items go the model's way)"
                              : name == "pending"   ? "pending audits (labels held)"
                                                    : name;
    std::printf("  rule %-16s %s: %lld labels, %lld audits, %lld errors, error <= %.4f; "
                "auto-accepted %lld\n",
                x.name.c_str(), state.c_str(), static_cast<long long>(x.candidates),
                static_cast<long long>(x.audits), static_cast<long long>(x.errors), x.error_upper,
                static_cast<long long>(x.accepted));
  }
  std::printf("  took %.2f s", r.seconds);
  for (size_t i = 0; i < r.step_seconds.size(); ++i) {
    std::printf("%s%s %.2f", i == 0 ? " (" : ", ", r.step_seconds[i].first.c_str(), r.step_seconds[i].second);
  }
  std::printf("%s\n", r.step_seconds.empty() ? "" : ")");
}

}  // namespace

void RegisterCycle(CLI::App& app, GlobalOptions& g, int* exit_code) {
  auto a = std::make_shared<CycleArgs>();
  auto* cmd = app.add_subcommand("cycle", "Run one cycle: train, predict, certify thresholds, route, audit");
  cmd->add_option("NAME", a->name, "Project name")->required();
  cmd->add_option("--seed-class", a->seed_class,
                  "A class added mid-project: it gets its own certificate before any auto-accept");
  cmd->add_option("--seed-query", a->seed_query, "Words: matching items go first in the review queue");
  cmd->add_option("--models-dir", a->models_dir, "Where model files go (default: <db>.models/NAME)");
  cmd->add_option("--seed", a->seed, "Seed for the audit draw (default: from project and cycle)");
  cmd->add_option("--threads", a->threads, "Model threads")->capture_default_str();
  cmd->add_flag("--json", a->as_json, "Print the cycle record as JSON");
  cmd->add_flag("--wait", a->wait,
                "PostgreSQL: wait for a cycle of this project running in another process to "
                "finish (default: fail at once)");
  cmd->callback([a, &g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(a->name);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    // One cycle per project at a time across processes (PostgreSQL; store/operations.h).
    auto cycle_lock = LockCycle(**store, p->id, p->name, a->wait);
    if (!cycle_lock.ok()) {
      const Status& st = cycle_lock.status();
      *exit_code = Fail(st.code() == StatusCode::kFailedPrecondition
                            ? FailedPrecondition(st.message() + "; retry or pass --wait")
                            : st);
      return;
    }
    p = (*store)->GetProject(a->name);  // as the previous cycle (if we waited) left it
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    if (!a->seed_query.empty() && a->seed_class.empty()) {
      *exit_code = Fail(InvalidArgument("--seed-query needs --seed-class"));
      return;
    }
    loop::CycleOptions o;
    o.models_dir = a->models_dir.empty() ? loop::DefaultModelsDir(g.db_path, a->name) : a->models_dir;
    o.seed_class = a->seed_class;
    o.seed_query = a->seed_query;
    o.now = SystemClock::Default()->NowMillis();
    o.seed = a->seed;
    o.model_options.threads = a->threads;
    o.in_commit = [&](Store& s, const loop::CycleRecord& rec) {
      return LogCliAction(s, "cycle", p->name, std::to_string(rec.cycle),
                          nlohmann::json::parse(loop::CycleLogDetailJson(rec)));
    };
    auto r = loop::RunCycle(**store, *p, o);
    if (!r.ok()) { *exit_code = Fail(r.status()); return; }
    if (a->as_json) {
      std::printf("%s\n", nlohmann::json::parse(loop::CycleRecordToJson(*r)).dump(2).c_str());
    } else {
      PrintRecord(*r);
    }
    *exit_code = 0;
  });

  auto cfg_name = std::make_shared<std::string>();
  auto cfg_file = std::make_shared<std::string>();
  auto* lc = app.add_subcommand("loop-config",
                                "Show or set the loop settings and routing rules of a project");
  lc->add_option("NAME", *cfg_name, "Project name")->required();
  lc->add_option("--set-json", *cfg_file, "JSON file with the loop settings (see docs/LOOP.md)");
  lc->callback([cfg_name, cfg_file, &g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(*cfg_name);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    std::string config = p->config_json;
    if (!cfg_file->empty()) {
      auto text = ReadFile(*cfg_file);
      if (!text.ok()) { *exit_code = Fail(text.status()); return; }
      auto merged = loop::MergeLoopConfig(p->config_json, *text);
      if (!merged.ok()) {
        *exit_code = Fail(Status(merged.status().code(), *cfg_file + ": " + merged.status().message()));
        return;
      }
      const Status st = (*store)->InTransaction([&]() -> Status {
        RETURN_IF_ERROR((*store)->SetProjectConfig(p->id, *merged));
        auto given = nlohmann::json::parse(*text, nullptr, false);
        return LogCliAction(**store, "project.loop-config", p->name, *cfg_file,
                            {{"given", given.is_discarded() ? nlohmann::json(nullptr) : given}});
      });
      if (!st.ok()) { *exit_code = Fail(st); return; }
      config = *merged;
    }
    auto c = loop::ParseLoopConfig(config);
    if (!c.ok()) { *exit_code = Fail(c.status()); return; }
    std::printf("%s\n", nlohmann::json::parse(loop::LoopConfigToJson(*c)).dump(2).c_str());
    std::printf("# at least %lld clean audit labels are needed before anything is auto-accepted\n",
                static_cast<long long>(c->min_audits_needed()));
    *exit_code = 0;
  });
}

}  // namespace hitloop::cli
