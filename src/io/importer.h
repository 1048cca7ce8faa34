#pragma once
// Streaming import of a file in any registered format (io/format.h) into a project.
//
// A file is all-or-nothing by default: the first bad record aborts with
// "FILE:LINE: field: reason" and nothing from the file is stored (one transaction). With
// `reject_path` set, good records are stored and bad ones are written there (JSONL:
// {"file","line","error","raw"}). Ids already in the project are skipped (re-import adds no
// duplicates); an id repeated inside one file is an error, except in formats with one line per
// annotator (Prodigy, the Label Studio converter's CSV), where it adds that person's answer.
// Memory use is bounded by the record size limit, not the file size.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/format.h"
#include "io/record.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::io {

// A format from the registry; nullptr = sniff it (--format auto).
using Format = const FormatSpec*;
// "auto" gives nullptr; otherwise FindFormat.
Result<Format> ParseFormat(const std::string& name);

struct ImportOptions {
  std::string reject_path;  // empty = all-or-nothing
  std::string split;        // "" = per record (default pool); "gold" or "pool" overrides
  std::string text_field;   // --text-field: which data field is the text; remembered per project
  RecordLimits limits;
  // Called now and then with (bytes read, total bytes or 0 when unknown).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct ImportStats {
  int64_t records = 0;      // records read (good + bad)
  int64_t inserted = 0;
  int64_t existing = 0;     // ids already in the project, skipped
  int64_t rejected = 0;     // written to reject_path
  int64_t labels = 0;       // answers stored (one per person per item)
  int64_t predictions = 0;  // pre-labels stored
  int64_t ids_generated = 0;  // records without an id, given a content-hash id
  std::string format;         // the format read
  std::string format_reason;  // with --format auto: what the sniffing saw
  std::vector<std::string> notes;  // one line per cause of loss ("2 tasks had only ...")
  int64_t answers = 0;      // people's answers stored ("annotations", or --format answers)
  int64_t existing_other_split = 0;  // of `existing`: asked for one split, already in the other
};

Result<ImportStats> ImportFile(Store& store, const Project& project, const std::string& path,
                               Format format, const ImportOptions& options);

// A record checked against the project and turned into its item, pre-labels and label (no
// store access): StoreRecord's first half. InvalidArgument "field: reason" when it does not fit.
struct PreparedRecord {
  Item item;
  std::vector<RecordPrediction> preds;
  RecordAnswer current;  // the record's own label as an answer
  bool split_asked = false;  // the record or --split named the split (item.split is not a default)
};
Result<PreparedRecord> PrepareRecord(const Project& project, const Record& rec,
                                     const std::string& split_override = "");
// StoreRecord's second half, once the item is stored as `put` with id `id`: its answers,
// label and pre-labels, and the counts.
Status FinishRecord(Store& store, const Record& rec, const PreparedRecord& prep, PutItemResult put,
                    int64_t id, ImportStats* stats);

// Converts one validated record into store writes (inside the caller's transaction). Returns
// InvalidArgument with "field: reason" for records that do not fit the project.
Status StoreRecord(Store& store, const Project& project, const Record& rec,
                   const std::string& import_tag, ImportStats* stats,
                   const std::string& split_override = "");

}  // namespace hitloop::io
