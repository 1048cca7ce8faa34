#pragma once
// Each hitloop subcommand lives in its own cli/cmd_*.cc and registers itself through one
// function listed in cli/main.cc. Commands print to stdout/stderr and return a process exit code.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace hitloop::cli {

// Options shared by every subcommand.
struct GlobalOptions {
  std::string db_path = "hitloop.db";
  std::string log_level = "warn";
};

// A registrar adds its subcommand(s) to `app`. When a subcommand runs, it stores its exit code in
// *exit_code. `globals` outlives the app.
using Registrar = void (*)(CLI::App& app, GlobalOptions& globals, int* exit_code);

// Prints "error: <message>" to stderr and returns exit code 1 (2 for usage errors).
int Fail(const Status& st);

}  // namespace hitloop::cli
