// hitloop simulate {al,loop,preferences}: simulations that run the product's own model/strategy/loop code
// with an oracle answering from gold labels. Each mode lives in its own file and registers
// itself here.
#include "cli/command.h"

namespace hitloop::cli {

// cli/cmd_simulate_al.cc — label efficiency of active learning.
void RegisterSimulateAl(CLI::App& simulate, GlobalOptions& globals, int* exit_code);
// cli/cmd_simulate_loop.cc — the whole loop.
void RegisterSimulateLoop(CLI::App& simulate, GlobalOptions& globals, int* exit_code);
// cli/cmd_simulate_preferences.cc — preferences and the reward model.
void RegisterSimulatePreferences(CLI::App& simulate, GlobalOptions& globals, int* exit_code);

void RegisterSimulate(CLI::App& app, GlobalOptions& globals, int* exit_code) {
  auto* simulate = app.add_subcommand("simulate", "Benchmark simulations with a gold-label oracle");
  simulate->require_subcommand(1);
  RegisterSimulateAl(*simulate, globals, exit_code);
  RegisterSimulateLoop(*simulate, globals, exit_code);
  RegisterSimulatePreferences(*simulate, globals, exit_code);
}

}  // namespace hitloop::cli
