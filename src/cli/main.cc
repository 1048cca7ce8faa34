// hitloop: the command-line entry point. The list below is the only list of subcommands.
//
// Registrars are declared weak and the cli/ objects are linked straight into the executable
// (CMakeLists.txt), so a command whose file is not in the tree yet is simply absent instead of
// breaking the link; a present one always links.
#include <cstdio>

#include "cli/command.h"
#include "core/log.h"

#define HITLOOP_COMMAND(fn) void fn(CLI::App&, GlobalOptions&, int*) __attribute__((weak))

namespace hitloop::cli {
HITLOOP_COMMAND(RegisterProject);
HITLOOP_COMMAND(RegisterImport);
HITLOOP_COMMAND(RegisterExport);
HITLOOP_COMMAND(RegisterStatus);
HITLOOP_COMMAND(RegisterCycle);
HITLOOP_COMMAND(RegisterReport);
HITLOOP_COMMAND(RegisterSimulate);
HITLOOP_COMMAND(RegisterDetect);
HITLOOP_COMMAND(RegisterServe);
HITLOOP_COMMAND(RegisterUser);
HITLOOP_COMMAND(RegisterReward);
}  // namespace hitloop::cli

int main(int argc, char** argv) {
  using namespace hitloop::cli;
  CLI::App app{"hitloop: human-in-the-loop annotation with active learning"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions globals;
  app.add_option("--db", globals.db_path, "SQLite database file")->capture_default_str();
  app.add_option("--log-level", globals.log_level, "debug|info|warn|error|off");
  int exit_code = 0;
  const Registrar registrars[] = {
      RegisterProject, RegisterImport, RegisterExport,   RegisterStatus, RegisterCycle,
      RegisterReport,  RegisterSimulate, RegisterDetect, RegisterServe,  RegisterUser,
      RegisterReward,
  };
  for (Registrar r : registrars) {
    if (r != nullptr) r(app, globals, &exit_code);
  }
  app.parse_complete_callback([&] { hitloop::SetLogLevel(globals.log_level.c_str()); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
