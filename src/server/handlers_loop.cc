// Admin routes onto the loop and io modules: run a cycle, the correction report, streaming
// import upload and export download.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "core/ids.h"
#include "core/log.h"
#include "io/answers.h"
#include "io/exporter.h"
#include "io/importer.h"
#include "loop/cycle.h"
#include "loop/detect.h"
#include "loop/gold.h"
#include "preference/report.h"
#include "quality/project_quality.h"
#include "report/report.h"
#include "server/admin_log.h"
#include "server/handlers.h"
#include "server/server_impl.h"
#include "store/operations.h"

namespace hitloop::server {
namespace {

// An upload or export spooled to disk: a file of mode 0600 in its own directory of mode 0700
// (mkdtemp) under the system temp directory, so no other local user can read or swap it. Both
// are removed when the object goes out of scope. ok() is false when they could not be made.
class TempFile {
 public:
  explicit TempFile(const std::string& suffix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hitloop-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return;
    dir_ = tmpl;
    path_ = dir_ + "/body" + suffix;
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
      ok_ = true;
    }
  }
  ~TempFile() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove(path_, ec);
    if (!dir_.empty()) std::filesystem::remove(dir_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string path_;
  bool ok_ = false;
};

// ?format=NAME; import defaults to auto (sniffed), export to jsonl.
Result<io::Format> FormatParam(const Ctx& c, const char* fallback) {
  std::string f = c.req.has_param("format") ? c.req.get_param_value("format") : fallback;
  return io::ParseFormat(f);
}

const char* Extension(io::Format f) { return f == nullptr ? ".upload" : f->extension; }

}  // namespace

Status HandleRunCycle(Ctx& c) {
  // Cycles of one server run one at a time (RunCycle's contract); annotators keep working while
  // the model trains, and the cycle's own final transaction waits its turn in SQLite.
  std::unique_lock<std::mutex> lock(*c.cycle_mu, std::try_to_lock);
  if (!lock.owns_lock()) {
    return Conflict("a cycle is already running");
  }
  // ... and one per project across every server and `hitloop cycle` sharing a PostgreSQL
  // database (store/operations.h; released when `cycle_lock` goes, before the connection
  // returns to the pool).
  auto cycle_lock = LockCycle(c.store, c.project->id, c.project->name, /*wait=*/false);
  if (!cycle_lock.ok()) {
    const Status& st = cycle_lock.status();
    return st.code() == StatusCode::kFailedPrecondition
               ? Conflict(st.message() + "; retry when it has finished")  // 409, as above
               : st;
  }
  loop::CycleOptions o;
  o.models_dir = loop::DefaultModelsDir(c.options.db_path, c.project->name);
  o.now = c.now;
  o.model_options.threads = 1;
  o.in_commit = [&](Store& s, const loop::CycleRecord& rec) {
    return LogAdminAction(s, c, "cycle", std::to_string(rec.cycle),
                          nlohmann::json::parse(loop::CycleLogDetailJson(rec)));
  };
  auto r = loop::RunCycle(c.store, *c.project, o);
  if (!r.ok()) return r.status();
  auto j = nlohmann::json::parse(loop::CycleRecordToJson(*r), nullptr, false);
  SendJson(c, 200, j.is_discarded() ? nlohmann::json::object() : j);
  return Status::Ok();
}

Status HandleReport(Ctx& c) {
  auto r = report::BuildReport(c.store, *c.project);
  if (!r.ok()) return r.status();
  auto j = nlohmann::json::parse(report::ReportToJson(*r), nullptr, false);
  SendJson(c, 200, j.is_discarded() ? nlohmann::json::object() : j);
  return Status::Ok();
}

Status HandleQuality(Ctx& c) {
  if (IsPreferenceType(c.project->type)) {  // comparisons: preference/report.h
    auto r = preference::BuildPreferenceReport(c.store, *c.project);
    if (!r.ok()) return r.status();
    SendJson(c, 200, nlohmann::json::parse(preference::PreferenceReportToJson(*r)));
    return Status::Ok();
  }
  quality::QualityOptions opts;
  if (c.req.has_param("aggregate")) {
    auto m = quality::ParseAggregateMethod(c.req.get_param_value("aggregate"));
    if (!m.ok()) return m.status();
    opts.method = *m;
  }
  auto q = quality::ProjectQuality(c.store, *c.project, opts);
  if (!q.ok()) return q.status();
  auto j = nlohmann::json::parse(quality::QualityToJson(*q), nullptr, false);
  if (j.is_discarded()) j = nlohmann::json::object();
  // Gold questions, qualification and flags as routing sees them (loop/gold.h).
  auto routing = loop::LoadProjectRouting(c.store, *c.project);
  if (!routing.ok()) return routing.status();
  j["gold_routing"] = nlohmann::json::parse(loop::ProjectRoutingToJson(*routing), nullptr, false);
  SendJson(c, 200, j);
  return Status::Ok();
}

Status HandleClearGoldFlag(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  if (!body->contains("annotator") || !(*body)["annotator"].is_string() ||
      (*body)["annotator"].get<std::string>().empty()) {
    return InvalidArgument("annotator: expected a user name");
  }
  const std::string who = (*body)["annotator"].get<std::string>();
  int64_t cleared = 0;
  Status st = c.writer->Run([&](Store& w) -> Status {
    ASSIGN_OR_RETURN(cleared, loop::ClearGoldFlag(w, c.project->id, who));
    return LogAdminAction(w, c, "gold.clear-flag", who, {{"answers_cleared", cleared}});
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{"annotator", who}, {"cleared", cleared}});
  return Status::Ok();
}

Status HandleImport(Ctx& c) {
  auto format = FormatParam(c, "auto");
  if (!format.ok()) return format.status();
  // The detectors to run after the import, as `hitloop import --detect` (checked first: a bad
  // list imports nothing).
  auto detectors = loop::ImportDetectors(
      *c.project, c.req.has_param("detect") ? c.req.get_param_value("detect") : "project");
  if (!detectors.ok()) return Status(detectors.status().code(), "detect: " + detectors.status().message());
  // Stream the upload to a temporary file (constant memory), then import it in one go with the
  // importer's all-or-nothing rule.
  TempFile tmp(Extension(*format));
  {
    std::ofstream out(tmp.path(), std::ios::binary);
    if (!tmp.ok() || !out) return IoError("cannot create temporary file");
    bool ok = true;
    if (c.reader != nullptr) {
      (*c.reader)([&](const char* data, size_t n) {
        out.write(data, static_cast<std::streamsize>(n));
        ok = static_cast<bool>(out);
        return ok;
      });
    } else {
      out << c.req.body;
    }
    out.close();
    if (!ok || !out) return IoError("cannot write temporary file");
  }
  io::ImportOptions opts;
  // The import is one transaction already; its admin log entry joins it (server/admin_log.h).
  Result<io::ImportStats> stats = io::ImportStats{};
  Status imported = c.store.InTransaction([&]() -> Status {
    stats = io::ImportFile(c.store, *c.project, tmp.path(), *format, opts);
    if (!stats.ok()) return stats.status();
    return LogAdminAction(c.store, c, "import", stats->format,
                          {{"records", stats->records}, {"inserted", stats->inserted},
                           {"existing", stats->existing}, {"labels", stats->labels},
                           {"predictions", stats->predictions}});
  });
  if (stats.ok() && !imported.ok()) stats = imported;
  if (!stats.ok()) {
    // Error messages start with the temporary file's path: show the upload's name instead.
    std::string msg = stats.status().message();
    if (msg.rfind(tmp.path(), 0) == 0) msg = "upload" + msg.substr(tmp.path().size());
    return Status(stats.status().code(), msg);
  }
  // The import is committed: a detector failure is reported but loses nothing.
  auto detected = loop::DetectAfterImport(c.store, *c.project, *detectors);
  if (!detected.ok()) {
    return Status(detected.status().code(),
                  "the import is stored, but the detectors failed: " + detected.status().message());
  }
  SendJson(c, 200, {{"records", stats->records},
                    {"detected", detected->items},
                    {"inserted", stats->inserted},
                    {"existing", stats->existing},
                    {"labels", stats->labels},
                    {"predictions", stats->predictions},
                    {"format", stats->format},
                    {"notes", stats->notes},
                    {"answers", stats->answers}});
  return Status::Ok();
}

Status HandleExport(Ctx& c) {
  auto format = FormatParam(c, "jsonl");
  if (!format.ok()) return format.status();
  if (*format == nullptr || (*format)->write == nullptr) {
    return InvalidArgument("format: export needs a format with a writer (" + io::FormatNames() + ")");
  }
  // Export to a temporary file, then stream it out: memory stays constant in the project size.
  auto tmp = std::make_shared<TempFile>(Extension(*format));
  {
    std::ofstream out(tmp->path(), std::ios::binary);
    if (!tmp->ok() || !out) return IoError("cannot create temporary file");
    std::optional<quality::AggregateMethod> method;
    bool aggregate_preferences = false;
    if (c.req.has_param("aggregate")) {
      Status st = io::ParseExportAggregate(*c.project, c.req.get_param_value("aggregate"), &method,
                                           &aggregate_preferences);
      if (!st.ok()) return st;
    }
    auto answers = io::AnswersForExport(c.store, *c.project, method);
    if (!answers.ok()) return answers.status();
    io::ExportOptions opts;
    opts.answers = &*answers;
    opts.aggregate_preferences = aggregate_preferences;
    auto stats = io::ExportProject(c.store, *c.project, *format, out, opts);
    out.close();
    if (!stats.ok()) return stats.status();
    if (!out) return IoError("cannot write temporary file");
  }
  auto in = std::make_shared<std::ifstream>(tmp->path(), std::ios::binary);
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(tmp->path(), ec);
  if (!*in || ec) return IoError("cannot read temporary file");
  const char* mime = (*format)->mime;
  // The file name is fixed (no project name in the header: no header injection).
  c.res.set_header("Content-Disposition", std::string("attachment; filename=\"export") + Extension(*format) + "\"");
  c.res.status = 200;
  c.res.set_content_provider(
      size, mime,
      [tmp, in](size_t offset, size_t length, httplib::DataSink& sink) {
        char buf[64 * 1024];
        in->seekg(static_cast<std::streamoff>(offset));
        size_t n = std::min(length, sizeof(buf));
        in->read(buf, static_cast<std::streamsize>(n));
        std::streamsize got = in->gcount();
        if (got <= 0) return false;
        sink.write(buf, static_cast<size_t>(got));
        return true;
      });
  return Status::Ok();
}

}  // namespace hitloop::server
