// hitloop export NAME --format jsonl|csv|label-studio [--out FILE]
// pairwise/ranking projects: --format jsonl|trl|trl-kto [--margin] [--criterion C]
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/progress.h"
#include "io/exporter.h"
#include "io/preference_export.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

// Pairwise / ranking projects (io/preference_export.h). Writes OUT.partial and renames it.
int ExportPreferenceProject(Store& store, const Project& p, const std::string& format, const std::string& out_path,
                            const std::string& criterion, bool margin) {
  auto fmt = io::ParsePreferenceFormat(format);
  if (!fmt.ok()) return Fail(fmt.status());
  std::ofstream file;
  std::ostream* out = &std::cout;
  const std::string tmp = out_path + ".partial";
  if (!out_path.empty()) {
    file.open(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(IoError(tmp + ": cannot open for writing"));
    out = &file;
  }
  io::PreferenceExportOptions opts;
  opts.margin = margin;
  opts.criterion = criterion;
  auto stats = io::ExportPreferences(store, p, *fmt, *out, opts);
  if (!stats.ok()) {
    if (!out_path.empty()) std::remove(tmp.c_str());
    return Fail(stats.status());
  }
  out->flush();
  if (!out_path.empty()) {
    file.close();
    if (file.fail() || std::rename(tmp.c_str(), out_path.c_str()) != 0) return Fail(IoError(out_path + ": write failed"));
  }
  std::fprintf(stderr, "exported %lld rows from %lld items (%lld answers)", static_cast<long long>(stats->rows),
               static_cast<long long>(stats->items), static_cast<long long>(stats->answers));
  if (*fmt != io::PreferenceFormat::kJsonl) {
    std::fprintf(stderr, "; left out: %lld ties, %lld both bad", static_cast<long long>(stats->ties),
                 static_cast<long long>(stats->both_bad));
  }
  std::fprintf(stderr, "%s%s\n", out_path.empty() ? "" : " to ", out_path.c_str());
  return 0;
}

}  // namespace

void RegisterExport(CLI::App& app, GlobalOptions& g, int* exit_code) {
  struct Opts {
    std::string project, format = "jsonl", out, criterion;
    bool margin = false;
  };
  static Opts o;
  auto* cmd = app.add_subcommand("export", "Export items with labels and their provenance");
  cmd->add_option("NAME", o.project, "Project name")->required();
  cmd->add_option("--format", o.format,
                  "jsonl | csv | label-studio; pairwise/ranking projects: jsonl | trl | trl-kto")
      ->capture_default_str();
  cmd->add_option("--criterion", o.criterion, "trl, trl-kto: the criterion to export (default: overall)");
  cmd->add_flag("--margin", o.margin, "trl: add TRL's margin column from the answer's strength");
  cmd->add_option("--out", o.out, "Output file (default: stdout)");
  cmd->callback([&g, exit_code] {
    auto store = OpenSqliteStore(g.db_path);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(o.project);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    if (IsPreferenceType(p->type) || o.format == "trl" || o.format == "trl-kto") {
      *exit_code = ExportPreferenceProject(**store, *p, o.format, o.out, o.criterion, o.margin);
      return;
    }
    auto fmt = io::ParseFormat(o.format);
    if (!fmt.ok()) { *exit_code = Fail(fmt.status()); return; }
    std::ofstream file;
    std::ostream* out = &std::cout;
    const std::string tmp = o.out + ".partial";
    if (!o.out.empty()) {
      file.open(tmp, std::ios::binary | std::ios::trunc);
      if (!file) { *exit_code = Fail(IoError(tmp + ": cannot open for writing")); return; }
      out = &file;
    } else {
      std::ios::sync_with_stdio(false);
    }
    static char buffer[1 << 20];
    out->rdbuf()->pubsetbuf(buffer, sizeof(buffer));
    Progress progress("exporting");
    io::ExportOptions opts;
    opts.progress = [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); };
    auto stats = io::ExportProject(**store, *p, *fmt, *out, opts);
    progress.Finish();
    if (!stats.ok()) {
      if (!o.out.empty()) std::remove(tmp.c_str());
      *exit_code = Fail(stats.status());
      return;
    }
    if (!o.out.empty()) {
      file.close();
      if (file.fail() || std::rename(tmp.c_str(), o.out.c_str()) != 0) {
        *exit_code = Fail(IoError(o.out + ": write failed"));
        return;
      }
      std::fprintf(stderr, "exported %lld items (%lld labelled) to %s\n", static_cast<long long>(stats->items),
                   static_cast<long long>(stats->labels), o.out.c_str());
    }
  });
}

}  // namespace hitloop::cli
