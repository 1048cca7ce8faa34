// hitloop simulate preferences synthetic [--items 50] [--flip 0.2] [--seeds 20] [--batch 10]
// hitloop simulate preferences pairs NAME [--seeds 5] [--start 100] [--batch 100]
// the active-vs-random preference protocol (docs/PREFERENCES.md): active vs random comparisons (preference/simulate.h).
#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/stats.h"
#include "preference/project_data.h"
#include "preference/simulate.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

std::vector<uint64_t> Seeds(int count, uint64_t first) {
  std::vector<uint64_t> s;
  for (int i = 0; i < count; ++i) s.push_back(first + static_cast<uint64_t>(i));
  return s;
}

}  // namespace

void RegisterSimulatePreferences(CLI::App& simulate, GlobalOptions& g, int* exit_code) {
  auto* pref = simulate.add_subcommand("preferences", "Protocol 4: active vs random comparisons");
  pref->require_subcommand(1);

  struct SynOpts {
    preference::SyntheticOptions o;
    int seeds = 20;
    uint64_t first_seed = 1;
    bool as_json = false;
  };
  static SynOpts s;
  auto* syn = pref->add_subcommand(
      "synthetic", "Bradley-Terry truth with flipped answers: comparisons until Spearman rho reaches the target");
  syn->add_option("--items", s.o.items, "Items")->capture_default_str()->check(CLI::Range(3, 2000));
  syn->add_option("--flip", s.o.flip, "Share of answers flipped")->capture_default_str()->check(CLI::Range(0.0, 0.49));
  syn->add_option("--batch", s.o.batch, "Comparisons per refit")->capture_default_str()->check(CLI::Range(1, 10000));
  syn->add_option("--target-rho", s.o.target_rho, "Spearman rho to reach")->capture_default_str();
  syn->add_option("--max-comparisons", s.o.max_comparisons, "Give up after")->capture_default_str();
  syn->add_option("--seeds", s.seeds, "Repeats")->capture_default_str()->check(CLI::Range(1, 1000));
  syn->add_option("--first-seed", s.first_seed, "Seed of the first repeat")->capture_default_str();
  syn->add_flag("--json", s.as_json, "One JSON object");
  syn->callback([exit_code] {
    std::vector<double> need[2];
    int not_reached[2] = {0, 0};
    nlohmann::json runs = nlohmann::json::array();
    for (uint64_t seed : Seeds(s.seeds, s.first_seed)) {
      nlohmann::json row = {{"seed", seed}};
      for (int active = 0; active < 2; ++active) {
        auto run = preference::RunSyntheticBradleyTerry(active == 1, seed, s.o);
        const double v = run.comparisons_to_target < 0 ? static_cast<double>(s.o.max_comparisons)
                                                       : static_cast<double>(run.comparisons_to_target);
        need[active].push_back(v);
        not_reached[active] += run.comparisons_to_target < 0;
        row[active ? "active" : "random"] = run.comparisons_to_target;
      }
      runs.push_back(row);
      if (!s.as_json) {
        std::printf("seed %llu: random %lld, active %lld comparisons to rho >= %.2f\n",
                    static_cast<unsigned long long>(seed), static_cast<long long>(row["random"].get<int64_t>()),
                    static_cast<long long>(row["active"].get<int64_t>()), s.o.target_rho);
      }
    }
    const double mr = Median(need[0]), ma = Median(need[1]);
    nlohmann::json j = {{"items", s.o.items}, {"flip", s.o.flip}, {"batch", s.o.batch}, {"target_rho", s.o.target_rho},
                        {"seeds", s.seeds}, {"median_random", mr}, {"median_active", ma},
                        {"fewer_comparisons", mr > 0 ? 1.0 - ma / mr : 0.0},
                        {"not_reached_random", not_reached[0]}, {"not_reached_active", not_reached[1]}, {"runs", runs}};
    if (s.as_json) {
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("median comparisons to rho >= %.2f over %d seeds: random %.0f, active %.0f (%.1f%% fewer)%s\n",
                  s.o.target_rho, s.seeds, mr, ma, 100.0 * j["fewer_comparisons"].get<double>(),
                  not_reached[0] + not_reached[1] > 0 ? " (runs that never reached it count as --max-comparisons)" : "");
    }
    *exit_code = 0;
  });

  struct PairOpts {
    std::string project, criterion;
    preference::PairsOptions o;
    int seeds = 5;
    uint64_t first_seed = 1;
    bool as_json = false;
  };
  static PairOpts p;
  auto* pairs = pref->add_subcommand(
      "pairs", "Reward-model held-out accuracy per number of comparisons, active vs random, on a project's answers");
  pairs->add_option("NAME", p.project, "Project name")->required();
  pairs->add_option("--criterion", p.criterion, "Criterion (default: overall)");
  pairs->add_option("--start", p.o.start, "Random comparisons to start from")->capture_default_str();
  pairs->add_option("--batch", p.o.batch, "Comparisons added per round")->capture_default_str();
  pairs->add_option("--seeds", p.seeds, "Repeats (each its own held-out split)")->capture_default_str()->check(CLI::Range(1, 100));
  pairs->add_option("--first-seed", p.first_seed, "Seed of the first repeat")->capture_default_str();
  pairs->add_flag("--json", p.as_json, "One JSON object");
  pairs->callback([&g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kCreateIfMissing);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto proj = (*store)->GetProject(p.project);
    if (!proj.ok()) { *exit_code = Fail(proj.status()); return; }
    auto data = preference::LoadProjectPreferences(**store, *proj, p.criterion);
    if (!data.ok()) { *exit_code = Fail(data.status()); return; }
    // Mean curve per strategy over seeds (every seed has the same comparison counts).
    std::vector<int64_t> counts;
    std::vector<double> mean[2];
    for (uint64_t seed : Seeds(p.seeds, p.first_seed)) {
      for (int active = 0; active < 2; ++active) {
        auto curve = preference::RunImportedPairs(*data, active == 1, seed, p.o);
        if (!curve.ok()) { *exit_code = Fail(curve.status()); return; }
        if (mean[active].empty()) mean[active].assign(curve->size(), 0.0);
        if (counts.empty()) for (const auto& pt : *curve) counts.push_back(pt.comparisons);
        for (size_t k = 0; k < curve->size() && k < mean[active].size(); ++k) {
          mean[active][k] += curve->at(k).value / p.seeds;
        }
      }
    }
    const double full = mean[0].back();  // every pool comparison: the same model for both orders
    auto reach = [&](const std::vector<double>& m) -> int64_t {
      for (size_t k = 0; k < m.size(); ++k) {
        if (m[k] >= full - 0.01) return counts[k];
      }
      return counts.back();
    };
    const int64_t rr = reach(mean[0]), ra = reach(mean[1]);
    nlohmann::json curve = nlohmann::json::array();
    for (size_t k = 0; k < counts.size(); ++k) {
      curve.push_back({{"comparisons", counts[k]}, {"random", mean[0][k]}, {"active", mean[1][k]}});
    }
    nlohmann::json j = {{"project", proj->name}, {"seeds", p.seeds}, {"full_pool_accuracy", full},
                        {"random_to_full_minus_1pt", rr}, {"active_to_full_minus_1pt", ra},
                        {"fewer_comparisons", rr > 0 ? 1.0 - static_cast<double>(ra) / static_cast<double>(rr) : 0.0},
                        {"curve", curve}};
    if (p.as_json) {
      std::printf("%s\n", j.dump().c_str());
      return;
    }
    std::printf("comparisons  random  active   (held-out pair accuracy, mean of %d seeds)\n", p.seeds);
    for (size_t k = 0; k < counts.size(); ++k) {
      std::printf("%11lld  %.4f  %.4f\n", static_cast<long long>(counts[k]), mean[0][k], mean[1][k]);
    }
    std::printf("full-pool accuracy %.4f; to reach it minus 1 point: random %lld, active %lld comparisons (%.1f%% fewer)\n",
                full, static_cast<long long>(rr), static_cast<long long>(ra), 100.0 * j["fewer_comparisons"].get<double>());
  });
}

}  // namespace hitloop::cli
