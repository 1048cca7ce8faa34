// hitloop db backup FILE [--force] [--no-verify]   an online copy of the whole --db database
// hitloop db restore FILE [--force]                a checked backup into the --db path
// hitloop db check [--json]                        integrity, foreign keys, schema version
// hitloop db copy --from SRC --to DST              the whole database, SQLite <-> PostgreSQL
// On PostgreSQL (--db postgresql://...) `check` runs the store's logical checks (docs/POSTGRES.md);
// backup and restore are pg_dump's and pg_restore's job and are refused with that advice.
// The work is store/backup.h's; this file parses, prints and sets the exit code (non-zero on any
// problem).
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "store/backup.h"
#include "store/copy.h"
#include "store/open.h"

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
    if (IsPostgresLocation(g.db_path)) {
      *exit_code = Fail(FailedPrecondition(
          "db backup: --db is PostgreSQL; back it up with pg_dump (docs/POSTGRES.md)"));
      return;
    }
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
    if (IsPostgresLocation(g.db_path)) {
      *exit_code = Fail(FailedPrecondition(
          "db restore: --db is PostgreSQL; restore a pg_dump with pg_restore (docs/POSTGRES.md)"));
      return;
    }
    auto r = RestoreDatabase(o.file, g.db_path, o.force);
    if (!r.ok()) {
      *exit_code = Fail(r.status());
      return;
    }
    std::printf("restored %s into %s: schema version %lld%s, integrity_check ok, foreign keys ok\n",
                o.file.c_str(), g.db_path.c_str(), static_cast<long long>(r->schema_version),
                r->schema_version < r->latest_version ? " (migrated when next opened)" : "");
  });

  static std::string copy_from, copy_to;
  auto* copy = db->add_subcommand(
      "copy", "Copy a whole database into an empty one: SQLite file <-> postgresql:// (ids kept)");
  copy->add_option("--from", copy_from, "Source: a SQLite file or postgresql://...")->required();
  copy->add_option("--to", copy_to, "Destination (new SQLite file or empty PostgreSQL database)")->required();
  copy->callback([exit_code] {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = CopyDatabase(copy_from, copy_to);
    if (!r.ok()) {
      *exit_code = Fail(r.status());
      return;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int64_t total = 0;
    for (const auto& [table, n] : r->rows) total += n;
    std::printf("copied %lld rows in %.2f s:", static_cast<long long>(total), s);
    for (const auto& [table, n] : r->rows) std::printf(" %s %lld", table.c_str(), static_cast<long long>(n));
    std::printf("\n");
  });

  auto* check = db->add_subcommand(
      "check", "integrity_check, foreign_key_check and schema version; exit 1 on any problem");
  check->add_flag("--json", o.json, "Machine-readable output");
  check->callback([&g, exit_code] {
    if (IsPostgresLocation(g.db_path)) {
      auto store = OpenStore(g.db_path, OpenMode::kMustExist);
      Status st = store.ok() ? (*store)->CheckIntegrity() : store.status();
      if (o.json) {
        nlohmann::json j = {{"database", "postgresql"}, {"ok", st.ok()}};
        if (!st.ok()) j["problems"] = {st.message()};
        std::printf("%s\n", j.dump(2).c_str());
      }
      if (!st.ok()) {
        *exit_code = Fail(st);
        return;
      }
      if (!o.json) std::printf("postgresql database: schema current, logical checks ok\n");
      return;
    }
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
