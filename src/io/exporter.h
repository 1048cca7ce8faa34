#pragma once
// Streaming export of a project as JSONL, CSV or Label Studio tasks JSON.
// Every label carries its source, annotator and confidence; the newest prediction rides along.
// The JSONL export re-imports (io::ImportFile) to the same project state: items, splits, meta,
// vectors, current labels with their provenance, and newest predictions with distributions.
// Memory is constant in the number of items.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "io/importer.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::io {

// Several people per item (quality/project_quality.h builds these): every person's answer and
// the item's resolved label. Items in the map are written with an "annotations" list (JSONL), one
// annotation per person (Label Studio), or one row per answer (io/answers.h); their label is the
// resolved one.
struct PersonAnswer {
  std::string annotator;
  std::string label;
  int64_t time_ms = 0;
  std::string source = "human";  // human | audit
};
struct ItemAnswers {
  std::vector<PersonAnswer> answers;  // by annotator name
  std::string resolved;               // the resolved label
  double confidence = 0.0;            // its posterior (vote share for mv, 1 when adjudicated)
  std::string method;                 // mv | ds | adjudicated | gold (the known answer)
};
using AnswersByItem = std::unordered_map<int64_t, ItemAnswers>;  // item id ->

struct ExportOptions {
  const AnswersByItem* answers = nullptr;  // null: one label per item, as before
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
