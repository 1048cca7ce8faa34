// hitloop export NAME --format jsonl|csv|label-studio|label-studio-csv|prodigy|doccano [--out FILE]
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "store/open.h"
#include "cli/progress.h"
#include "io/exporter.h"
#include "store/store.h"

namespace hitloop::cli {

void RegisterExport(CLI::App& app, GlobalOptions& g, int* exit_code) {
  struct Opts {
    std::string project, format = "jsonl", out;
  };
  static Opts o;
  auto* cmd = app.add_subcommand("export", "Export items with labels and their provenance");
  cmd->add_option("NAME", o.project, "Project name")->required();
  static const std::string format_help = io::FormatNames();
  cmd->add_option("--format", o.format, format_help)->capture_default_str();
  cmd->add_option("--out", o.out, "Output file (default: stdout)");
  cmd->callback([&g, exit_code] {
    auto fmt = io::FindFormat(o.format);
    if (!fmt.ok()) { *exit_code = Fail(fmt.status()); return; }
    auto store = OpenSqliteStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(o.project);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
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
