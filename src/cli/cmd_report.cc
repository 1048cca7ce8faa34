// hitloop report NAME [--out FILE.html] [--json]: correction patterns and cycle history
// (report/report.h). Without --out the HTML goes to NAME-report.html.
#include <cstdio>

#include "cli/command.h"
#include "store/open.h"
#include "core/file.h"
#include "report/report.h"
#include "store/store.h"

namespace hitloop::cli {

void RegisterReport(CLI::App& app, GlobalOptions& g, int* exit_code) {
  struct Args {
    std::string name, out;
    bool as_json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("report", "Correction patterns, systematic corrections, cycle history");
  cmd->add_option("NAME", a->name, "Project name")->required();
  cmd->add_option("--out", a->out, "HTML file to write (default NAME-report.html)");
  cmd->add_flag("--json", a->as_json, "Print the same numbers as JSON to stdout");
  cmd->callback([a, &g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(a->name);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    auto r = report::BuildReport(**store, *p);
    if (!r.ok()) { *exit_code = Fail(r.status()); return; }
    if (a->as_json) std::printf("%s\n", report::ReportToJson(*r).c_str());
    if (!a->as_json || !a->out.empty()) {
      const std::string path = a->out.empty() ? a->name + "-report.html" : a->out;
      const Status st = AtomicWriteFile(path, report::ReportToHtml(*r));
      if (!st.ok()) { *exit_code = Fail(st); return; }
      if (!a->as_json) std::printf("wrote %s\n", path.c_str());
    }
    *exit_code = 0;
  });
}

}  // namespace hitloop::cli
