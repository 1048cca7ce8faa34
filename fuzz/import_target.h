#pragma once
// The import fuzz targets (fuzz/fuzz_import_<format>.cc): the fuzzer's bytes are written to a
// file in the process's temporary folder and imported with io::ImportFile — the function
// `hitloop import` and the server's upload call — into a fresh in-memory store with one project.
// A file the all-or-nothing import refuses as bad input (InvalidArgument) is imported again with a
// reject file, as `hitloop import --rejects` does. Any Status is fine; only a crash, a sanitizer
// report, a leak or a timeout is a finding.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_util.h"
#include "io/answers.h"
#include "io/importer.h"
#include "store/store.h"

namespace hitloop::fuzz {

// `format`: a --format name, or "auto" (sniffing), or "answers" (io/answers.h, which needs items).
inline int FuzzImport(const char* format, TaskType type, const char* extension, const uint8_t* data,
                      size_t size) {
  auto opened = OpenSqliteStore(":memory:");
  if (!opened.ok()) std::abort();
  Store& store = **opened;
  Project p;
  p.name = "fuzz";
  p.type = type;
  if (!IsPreferenceType(type)) p.labels = {"ham", "spam", "positive", "negative", "a", "b"};
  p.created_at = 1;
  auto project = store.CreateProject(p);
  if (!project.ok()) std::abort();
  const std::string path = WriteTemp(std::string("input") + extension, data, size);
  io::ImportOptions options;
  options.limits.max_line_bytes = 64 * 1024;  // small records: a long line is an error sooner
  if (std::string(format) == "answers") {
    // Items the answers can name.
    for (const char* id : {"1", "2", "3", "a", "b"}) {
      Item item;
      item.project_id = project->id;
      item.external_id = id;
      item.text = std::string("item ") + id;
      item.content_hash = id;
      int64_t item_id = 0;
      if (!store.PutItem(item, "seed", &item_id).ok()) std::abort();
    }
    auto st = io::ImportAnswersCsv(store, *project, path, options);
    (void)st;
    return 0;
  }
  auto fmt = io::ParseFormat(format);
  if (!fmt.ok()) std::abort();
  auto st = io::ImportFile(store, *project, path, *fmt, options);
  if (!st.ok() && st.status().code() == StatusCode::kInvalidArgument) {
    options.reject_path = TempDir() + "/rejects.jsonl";
    auto again = io::ImportFile(store, *project, path, *fmt, options);
    (void)again;
  }
  return 0;
}

}  // namespace hitloop::fuzz
