#pragma once
// Each hitloop subcommand lives in its own cli/cmd_*.cc and registers itself through one
// Registrar declared below and listed once in Commands() (cli/command.cc): adding a command is a
// new file, one declaration and one line in that list (a misspelt name fails the link).
// tests/cli/documented_commands.sh checks every command README.md documents exists.
// Commands print to stdout/stderr and return a process exit code.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <span>
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

// Every top-level command, in the order `hitloop --help` lists them.
void RegisterProject(CLI::App&, GlobalOptions&, int*);
void RegisterImport(CLI::App&, GlobalOptions&, int*);
void RegisterExport(CLI::App&, GlobalOptions&, int*);
void RegisterStatus(CLI::App&, GlobalOptions&, int*);
void RegisterCycle(CLI::App&, GlobalOptions&, int*);  // cycle, loop-config
void RegisterReport(CLI::App&, GlobalOptions&, int*);
void RegisterSimulate(CLI::App&, GlobalOptions&, int*);
void RegisterDetect(CLI::App&, GlobalOptions&, int*);
void RegisterServe(CLI::App&, GlobalOptions&, int*);
void RegisterUser(CLI::App&, GlobalOptions&, int*);
void RegisterQuality(CLI::App&, GlobalOptions&, int*);
void RegisterItem(CLI::App&, GlobalOptions&, int*);  // item quarantine|delete|restore
void RegisterReward(CLI::App&, GlobalOptions&, int*);  // reward train|score
void RegisterDb(CLI::App&, GlobalOptions&, int*);      // db backup|restore|check
void RegisterModel(CLI::App&, GlobalOptions&, int*);   // model connect|disconnect|show
void RegisterReview(CLI::App&, GlobalOptions&, int*);  // review --list | --approve | --reject
void RegisterLog(CLI::App&, GlobalOptions&, int*);     // log: the admin action log

// The one list of registrars; main() runs each.
std::span<const Registrar> Commands();

// Prints "error: <message>" to stderr and returns exit code 1 (2 for usage errors).
int Fail(const Status& st);

}  // namespace hitloop::cli
