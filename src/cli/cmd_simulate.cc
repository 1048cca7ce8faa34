// hitloop simulate {al,loop}: simulations that run the product's own model/strategy/loop code
// with an oracle answering from gold labels. Each mode lives in its own file and registers
// itself here. Declared weak (like cli/main.cc's registrars) so a mode whose file is not in the
// tree yet is simply absent.
#include "cli/command.h"

namespace hitloop::cli {

// cli/cmd_simulate_al.cc — Protocol 1, label efficiency of active learning (issue 3).
void RegisterSimulateAl(CLI::App& simulate, GlobalOptions& globals, int* exit_code)
    __attribute__((weak));
// cli/cmd_simulate_loop.cc — Protocol 2, the whole loop (issue 4).
void RegisterSimulateLoop(CLI::App& simulate, GlobalOptions& globals, int* exit_code)
    __attribute__((weak));
// cli/cmd_simulate_preferences.cc — Protocol 4, preferences and the reward model.
void RegisterSimulatePreferences(CLI::App& simulate, GlobalOptions& globals, int* exit_code)
    __attribute__((weak));

void RegisterSimulate(CLI::App& app, GlobalOptions& globals, int* exit_code) {
  auto* simulate = app.add_subcommand("simulate", "Benchmark simulations with a gold-label oracle");
  simulate->require_subcommand(1);
  if (RegisterSimulateAl != nullptr) RegisterSimulateAl(*simulate, globals, exit_code);
  if (RegisterSimulateLoop != nullptr) RegisterSimulateLoop(*simulate, globals, exit_code);
  if (RegisterSimulatePreferences != nullptr) RegisterSimulatePreferences(*simulate, globals, exit_code);
}

}  // namespace hitloop::cli
