// hitloop import NAME FILE [--format auto|jsonl|csv|label-studio|...|answers] [--text-field NAME] [--skip-bad REJECTS] [--detect LIST]
#include <cstdio>
#include <filesystem>

#include "autolabel/detector_registry.h"
#include "cli/admin_log.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "io/answers.h"
#include "io/importer.h"
#include "io/record.h"
#include "loop/config.h"
#include "loop/detect.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

// The imported file's name for the admin log: its last component, or the text
// "<file name not UTF-8>" when its bytes are not UTF-8 (a JSON string could not hold them).
std::string LoggedFileName(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  return io::IsValidUtf8(name) ? name : "<file name not UTF-8>";
}

}  // namespace

void RegisterImport(CLI::App& app, GlobalOptions& g, int* exit_code) {
  struct Opts {
    std::string project, file, format = "auto", skip_bad, split, text_field, detect = "project";
    size_t max_record_bytes = 1 << 20;
  };
  static Opts o;
  auto* cmd = app.add_subcommand("import", "Import items (JSONL, CSV, Label Studio, Prodigy, doccano, ...)");
  cmd->add_option("NAME", o.project, "Project name")->required();
  cmd->add_option("FILE", o.file, "Input file")->required();
  static const std::string format_help =
      "auto (sniff the file and say which) | " + io::FormatNames() +
      " | answers (a CSV of several people's answers to items already in the project: "
      "id,annotator,label[,time_ms,source])";
  cmd->add_option("--format", o.format, format_help)->capture_default_str();
  cmd->add_option("--text-field", o.text_field,
                  "Which data field holds the text (Label Studio and other task formats); remembered "
                  "for the project (default: 'text', else the only string field that is not a URL)");
  cmd->add_option("--skip-bad", o.skip_bad,
                  "Store the good records and write bad ones with reasons to this file "
                  "(default: the first bad record aborts and nothing is stored)");
  cmd->add_option("--split", o.split, "Mark every record as 'gold' (evaluation set) or 'pool'");
  cmd->add_option("--detect", o.detect,
                  "Detectors to run on the new items after the import: a list of " +
                      autolabel::DetectorNamesList() +
                      "; 'all'; 'none'; default: the project's loop.autolabel.detect")
      ->capture_default_str();
  cmd->add_option("--max-record-bytes", o.max_record_bytes, "Largest accepted record")->capture_default_str();
  cmd->callback([&g, exit_code] {
    if (o.format == io::kAnswersFormat) {
      auto store = OpenStore(g.db_path, OpenMode::kMustExist);
      if (!store.ok()) { *exit_code = Fail(store.status()); return; }
      auto p = (*store)->GetProject(o.project);
      if (!p.ok()) { *exit_code = Fail(p.status()); return; }
      Progress progress("importing answers");
      io::ImportOptions opts;
      opts.reject_path = o.skip_bad;
      opts.limits.max_line_bytes = o.max_record_bytes;
      opts.progress = [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); };
      auto stats = io::ImportAnswersCsv(**store, *p, o.file, opts);
      progress.Finish();
      if (!stats.ok()) {
        *exit_code = Fail(stats.status());
        std::fprintf(stderr, "nothing from %s was stored\n", o.file.c_str());
        return;
      }
      std::printf("imported %s into '%s': %lld rows, %lld answers stored, %lld already present\n",
                  o.file.c_str(), p->name.c_str(), static_cast<long long>(stats->records),
                  static_cast<long long>(stats->answers), static_cast<long long>(stats->existing));
      return;
    }
    auto fmt = io::ParseFormat(o.format);
    if (!fmt.ok()) { *exit_code = Fail(fmt.status()); return; }
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(o.project);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    // The detectors to run after the import (checked first: a bad list imports nothing).
    auto choice = loop::ImportDetectors(*p, o.detect);
    if (!choice.ok()) { *exit_code = Fail(choice.status()); return; }
    Progress progress("importing");
    io::ImportOptions opts;
    opts.reject_path = o.skip_bad;
    opts.split = o.split;
    opts.text_field = o.text_field;
    opts.limits.max_line_bytes = o.max_record_bytes;
    opts.progress = [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); };
    // One transaction with its admin log entry (cli/admin_log.h), as the server's upload.
    Result<io::ImportStats> stats = io::ImportStats{};
    Status imported = (*store)->InTransaction([&]() -> Status {
      stats = io::ImportFile(**store, *p, o.file, *fmt, opts);
      if (!stats.ok()) return stats.status();
      return LogCliAction(**store, "import", p->name, stats->format,
                          {{"file", LoggedFileName(o.file)},
                           {"records", stats->records}, {"inserted", stats->inserted},
                           {"existing", stats->existing}, {"labels", stats->labels},
                           {"predictions", stats->predictions}, {"rejected", stats->rejected}});
    });
    if (stats.ok() && !imported.ok()) stats = imported;
    progress.Finish();
    if (!stats.ok()) {
      *exit_code = Fail(stats.status());
      std::fprintf(stderr, "nothing from %s was stored\n", o.file.c_str());
      return;
    }
    if (!stats->format_reason.empty()) {
      std::printf("format: %s (%s)\n", stats->format.c_str(), stats->format_reason.c_str());
    }
    std::printf("imported %s into '%s': %lld records, %lld new, %lld already present, %lld labels, "
                "%lld pre-labels%s",
                o.file.c_str(), p->name.c_str(), static_cast<long long>(stats->records),
                static_cast<long long>(stats->inserted), static_cast<long long>(stats->existing),
                static_cast<long long>(stats->labels), static_cast<long long>(stats->predictions),
                stats->answers ? (", " + std::to_string(stats->answers) + " answers").c_str() : "");
    if (!o.skip_bad.empty()) {
      std::printf(", %lld rejected (see %s)", static_cast<long long>(stats->rejected), o.skip_bad.c_str());
    }
    std::printf("\n");
    for (const auto& note : stats->notes) std::printf("  %s\n", note.c_str());

    // Detectors (format, language, boilerplate) on the items that have no answer yet. The import
    // above is already committed: a detector failure is reported but loses nothing.
    auto run = loop::DetectAfterImport(**store, *p, *choice);
    if (!run.ok()) {
      std::fprintf(stderr, "the import is stored, but the detectors failed:\n");
      *exit_code = Fail(run.status());
      return;
    }
    if (run->items > 0) {
      const std::string backend = run->language_backend.empty() ? "" : " (" + run->language_backend + ")";
      std::printf("detected %s on %lld items%s\n", autolabel::DetectorChoiceText(*choice).c_str(),
                  static_cast<long long>(run->items),
                  backend.c_str());
    }
  });
}

}  // namespace hitloop::cli
