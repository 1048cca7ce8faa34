// hitloop export NAME --format jsonl|csv|label-studio|label-studio-csv|prodigy|doccano|answers
//                    [--aggregate mv|ds|auto] [--out FILE]
// pairwise/ranking projects: --format jsonl|trl|trl-kto [--margin] [--criterion C] [--aggregate bt]
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "store/open.h"
#include "cli/progress.h"
#include "io/answers.h"
#include "io/exporter.h"
#include "quality/aggregation.h"
#include "store/store.h"

namespace hitloop::cli {

void RegisterExport(CLI::App& app, GlobalOptions& g, int* exit_code) {
  struct Opts {
    std::string project, format = "jsonl", out, aggregate, criterion;
    bool margin = false;
  };
  static Opts o;
  auto* cmd = app.add_subcommand("export", "Export items with labels and their provenance");
  cmd->add_option("NAME", o.project, "Project name")->required();
  static const std::string format_help =
      io::FormatNames() + " | answers (one CSV row per person's answer, with the resolved label)";
  cmd->add_option("--format", o.format, format_help)->capture_default_str();
  cmd->add_option("--aggregate", o.aggregate,
                  "How several people's answers become the exported label: mv | ds | auto "
                  "(default: the project's setting, see `hitloop quality --set-aggregate`); "
                  "pairwise/ranking projects: bt (one Bradley-Terry order per item)");
  cmd->add_option("--criterion", o.criterion, "trl, trl-kto: the criterion to export (default: overall)");
  cmd->add_flag("--margin", o.margin, "trl: add TRL's margin column from the answer's strength");
  cmd->add_option("--out", o.out, "Output file (default: stdout)");
  cmd->callback([&g, exit_code] {
    const bool answers_format = o.format == io::kAnswersFormat;
    Result<const io::FormatSpec*> fmt = answers_format ? Result<const io::FormatSpec*>(nullptr)
                                                       : io::FindFormat(o.format);
    if (!fmt.ok()) { *exit_code = Fail(fmt.status()); return; }
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(o.project);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    std::optional<quality::AggregateMethod> method;
    bool aggregate_preferences = false;
    if (!o.aggregate.empty()) {
      Status st = io::ParseExportAggregate(*p, o.aggregate, &method, &aggregate_preferences);
      if (!st.ok()) { *exit_code = Fail(st); return; }
    }
    auto answers = io::AnswersForExport(**store, *p, method);
    if (!answers.ok()) { *exit_code = Fail(answers.status()); return; }
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
    opts.answers = &*answers;
    opts.margin = o.margin;
    opts.criterion = o.criterion;
    opts.aggregate_preferences = aggregate_preferences;
    auto stats = answers_format ? io::ExportAnswersCsv(**store, *p, *answers, *out, opts)
                                : io::ExportProject(**store, *p, *fmt, *out, opts);
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
    for (const auto& note : stats->notes) std::fprintf(stderr, "  %s\n", note.c_str());
  });
}

}  // namespace hitloop::cli
