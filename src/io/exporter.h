#pragma once
// Streaming export of a project as JSONL, CSV or Label Studio tasks JSON.
// Every label carries its source, annotator and confidence; the newest prediction rides along.
// The JSONL export re-imports (io::ImportFile) to the same project state: items, splits, meta,
// vectors, current labels with their provenance, and newest predictions with distributions.
// Memory is constant in the number of items.
#include <cstdint>
#include <functional>
#include <ostream>

#include "core/status.h"
#include "io/importer.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::io {

struct ExportOptions {
  // Called now and then with (items written, total items).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct ExportStats {
  int64_t items = 0;
  int64_t labels = 0;
};

Result<ExportStats> ExportProject(Store& store, const Project& project, Format format,
                                  std::ostream& out, const ExportOptions& options);

}  // namespace hitloop::io
