// hitloop db backup FILE [--force] [--no-verify]   an online copy of the whole --db database
// hitloop db restore FILE [--force]                a checked backup into the --db path
// hitloop db check [--json]                        integrity, foreign keys, schema version
// The work is store/backup.h's; this file parses, prints and sets the exit code (non-zero on any
// problem).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "store/backup.h"

namespace hitloop::cli {
namespace {

nlohmann::json ReportJson(const std::string& path, const CheckReport& r) {
  return {{"database", path},
          {"ok", r.problems.empty()},
          {"schema_version", r.schema_version},
          {"latest_schema_version", r.latest_version},
          {"integrity_check", r.integrity},
          {"foreign_key_violations", r.foreign_key_violations},
          {"problems", r.problems}};
}

}  // namespace

void RegisterDb(CLI::App& app, GlobalOptions& g, int* exit_code) {
  auto* db = app.add_subcommand("db", "Back up, restore and check the database (--db)");
  db->require_subcommand(1);

  struct Opts {
    std::string file;
    bool force = false, no_verify = false, json = false;
  };
  static Opts o;

  auto* backup = db->add_subcommand(
      "backup", "Copy the whole database to FILE while it is in use (one consistent snapshot)");
  backup->add_option("FILE", o.file, "The backup file to write (mode 0600)")->required();
  backup->add_flag("--force", o.force, "Replace FILE if it exists");
  backup->add_flag("--no-verify", o.no_verify, "Skip the integrity_check of the copy");
  backup->callback([&g, exit_code] {
    BackupOptions opts;
    opts.force = o.force;
    opts.verify = !o.no_verify;
    auto st = BackupDatabase(g.db_path, o.file, opts);
    if (!st.ok()) {
      *exit_code = Fail(st.status());
      return;
    }
    std::printf("backed up %s to %s: %lld bytes, schema version %lld, copied in %.2f s%s\n",
                g.db_path.c_str(), o.file.c_str(), static_cast<long long>(st->bytes),
                static_cast<long long>(st->schema_version), st->copy_seconds,
                opts.verify ? (", integrity_check ok in " +
                               std::to_string(st->verify_seconds).substr(0, 4) + " s")
                                  .c_str()
                            : " (not verified)");
  });

  auto* restore = db->add_subcommand(
      "restore",
      "Restore the backup FILE into the --db path after checking it (stop `serve` first)");
  restore->add_option("FILE", o.file, "A backup written by `hitloop db backup`")->required();
  restore->add_flag("--force", o.force, "Replace the existing database at --db");
  restore->callback([&g, exit_code] {
    auto r = RestoreDatabase(o.file, g.db_path, o.force);
    if (!r.ok()) {
      *exit_code = Fail(r.status());
      return;
    }
    std::printf("restored %s into %s: schema version %lld%s, integrity_check ok, foreign keys ok\n",
                o.file.c_str(), g.db_path.c_str(), static_cast<long long>(r->schema_version),
                r->schema_version < r->latest_version ? " (migrated when next opened)" : "");
  });

  auto* check = db->add_subcommand(
      "check", "integrity_check, foreign_key_check and schema version; exit 1 on any problem");
  check->add_flag("--json", o.json, "Machine-readable output");
  check->callback([&g, exit_code] {
    auto r = CheckDatabase(g.db_path);
    if (!r.ok()) {
      *exit_code = Fail(r.status());
      return;
    }
    if (o.json) {
      std::printf("%s\n", ReportJson(g.db_path, *r).dump(2).c_str());
    } else {
      std::printf(
          "%s\n  schema version   %lld (this hitloop: %lld%s)\n  integrity_check  %s\n"
          "  foreign keys     %lld violations\n",
          g.db_path.c_str(), static_cast<long long>(r->schema_version),
          static_cast<long long>(r->latest_version),
          r->schema_version < r->latest_version ? "; migrated when next opened" : "",
          r->integrity.c_str(), static_cast<long long>(r->foreign_key_violations));
    }
    for (const auto& p : r->problems) std::fprintf(stderr, "error: %s\n", p.c_str());
    if (!r->problems.empty()) *exit_code = 1;
  });
}

}  // namespace hitloop::cli
