#pragma once
// File formats as a registry. Each format is one file (src/io/format_*.cc) defining a FormatSpec
// — how to recognise it, a reader and a writer — and one line in io/formats.def. Adding a format
// is one file, one line, one test.
//
// A reader turns a file into validated Records and hands each to ReadContext::emit (the importer
// stores it or rejects it); a writer streams a project out. Both must use memory bounded by the
// record size limit, not by the file or project size. What a record loses on the way in (an
// image-only task, a rectangle result, a rejected Prodigy answer with no second label) is counted
// per cause in LossNotes; the importer prints one line per cause.
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "io/record.h"
#include "schema/types.h"

namespace hitloop {
class Store;
}

namespace hitloop::io {

struct ImportOptions;
struct ExportOptions;
struct ExportStats;

// Per-project settings of the import/export formats, kept in the project's config under "io"
// (the loop owns "loop"). Remembered from the first import that sets them.
struct IoSettings {
  std::string text_field;  // --text-field: the data field holding the text ("" = the rule)
  std::string ls_from_name;  // Label Studio control names seen on import, written back on export
  std::string ls_to_name;
};
IoSettings LoadIoSettings(const Project& project);
// The project's config_json with `s` under "io" (other keys untouched).
std::string WithIoSettings(const std::string& config_json, const IoSettings& s);

// One line per cause, in the order causes first appeared: "3 tasks had only rectanglelabels
// results: no label".
class LossNotes {
 public:
  void Add(const std::string& cause, int64_t n = 1);
  std::vector<std::string> Lines() const;
  bool empty() const { return order_.empty(); }

 private:
  std::map<std::string, int64_t> counts_;
  std::vector<std::string> order_;
};

struct ReadContext {
  std::string path;
  const Project* project = nullptr;
  const ImportOptions* options = nullptr;
  IoSettings* settings = nullptr;  // readers may record what they learn (control names)
  LossNotes* notes = nullptr;
  // One record, or why it is bad. `line` is the record's line (its first byte's, for JSON arrays),
  // `where` an optional position after FILE:LINE ("task 7"). A non-OK return stops the read.
  std::function<Status(int64_t line, const std::string& where, const Status& status, Record& record,
                       std::string_view raw)>
      emit;
  std::function<void(uint64_t done, uint64_t total)> progress;  // may be empty
  int64_t ids_generated = 0;  // records given a content-hash id (no id in the file)
};

struct WriteContext {
  Store* store = nullptr;
  const Project* project = nullptr;
  std::ostream* out = nullptr;
  const ExportOptions* options = nullptr;
  ExportStats* stats = nullptr;
  IoSettings settings;
};

// What `--format auto` looked at: the file's name, its shape, its first record and (for
// delimited text) its header.
struct SniffSample {
  enum Shape { kEmpty, kJsonArray, kJsonObject, kJsonLines, kDelimited, kUnknown };
  std::string path;
  Shape shape = kUnknown;
  const nlohmann::json* first = nullptr;  // the first record when it is a JSON object, else null
  std::vector<std::string> header;        // kDelimited: the first row's cells
  bool HasKey(const char* key) const;     // `first` has this key
  bool HasColumn(const char* name) const;
  bool ExtensionIs(const char* ext) const;
};

struct FormatSpec {
  const char* name;       // the --format name
  const char* summary;    // one line for --help and the docs
  const char* extension;  // ".jsonl": temporary files and download names
  const char* mime;
  // How sure (0 = not this format ... 100 = certain) that the sampled file holds this format.
  int (*sniff)(const struct SniffSample& sample);
  Status (*read)(ReadContext& ctx);    // nullptr: export only
  Status (*write)(WriteContext& ctx);  // nullptr: import only
};

#define HITLOOP_FORMAT(var) extern const FormatSpec var;
#include "io/formats.def"
#undef HITLOOP_FORMAT

// Every format, in formats.def order.
const std::vector<const FormatSpec*>& AllFormats();
// By --format name; the error lists the names.
Result<const FormatSpec*> FindFormat(std::string_view name);
// "jsonl, csv, label-studio, …" for help texts.
std::string FormatNames();
// The format `path` holds, by its first bytes (and name). *why says what decided it.
Result<const FormatSpec*> SniffFormat(const std::string& path, std::string* why = nullptr);
// For a format the user named: an error when the file clearly holds another format
// ("FILE looks like prodigy, not jsonl: pass --format prodigy or --format auto").
Status CheckFormatMatches(const FormatSpec& chosen, const std::string& path);

// ---- helpers shared by the format files ----

// Writes `bytes` to ctx.out: OK, or IoError("export: write failed").
Status WriteOut(WriteContext& ctx, std::string_view bytes);

// Which field of a flat object of fields is the text: `configured` (--text-field) when set; else
// "text"; else the only string field that is not a URL. Never a guess: several candidates, or
// only URLs (images, audio), is an error that says what to pass.
Result<std::string> PickTextField(const nlohmann::json& fields, const std::string& configured,
                                  std::string_view what = "data");
bool LooksLikeUrl(std::string_view s);
// A stable id for a record without one: a hash of its text and fields (re-import is idempotent).
std::string ContentId(std::string_view text, std::string_view extra = {});
// Lenient field reads that never throw: the value when `key` holds that type, else `fallback`.
std::string StrField(const nlohmann::json& obj, const char* key, const std::string& fallback = "");
bool BoolField(const nlohmann::json& obj, const char* key);
// An id from a JSON value (string or integer); empty when it is neither.
std::string IdString(const nlohmann::json& v);

}  // namespace hitloop::io
