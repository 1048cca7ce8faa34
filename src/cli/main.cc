// hitloop: the command-line entry point. The subcommands are listed once, in Commands()
// (cli/command.cc).
#include <cstdio>
#include <exception>

#include "cli/command.h"
#include "core/log.h"

int main(int argc, char** argv) {
  using namespace hitloop::cli;
  CLI::App app{"hitloop: human-in-the-loop annotation with active learning"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions globals;
  app.add_option("--db", globals.db_path,
                 "SQLite database file, or postgresql://USER@HOST:PORT/DB (docs/POSTGRES.md)")
      ->envname("HITLOOP_DB")
      ->capture_default_str();
  app.add_option("--log-level", globals.log_level, "debug|info|warn|error|off");
  int exit_code = 0;
  for (Registrar r : Commands()) r(app, globals, &exit_code);
  app.parse_complete_callback([&] { hitloop::SetLogLevel(globals.log_level.c_str()); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // A defect, never bad input (that is a Status with file, line and field): say so plainly
    // rather than abort; a transaction under way was rolled back (Store::InTransaction).
    std::fprintf(stderr, "hitloop: internal error: %s\n", e.what());
    return 70;  // EX_SOFTWARE
  }
  return exit_code;
}
