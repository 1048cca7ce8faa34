#pragma once
// The common record every importer produces and every exporter writes (see docs/FORMATS.md):
//   {"id", "text", "vector"?, "label"? | "labels"?, "prediction"?: {"label", "score"}, "meta"?,
//    "split"?, "label_source"?, "annotator"?, "confidence"?,
//    "annotations"?: [{"annotator", "label", "time_ms"?, "source"?}]}
// Parsing validates one record; it never touches the store.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"

namespace hitloop::io {

// One person's (or a model's, a rule's) answer to an item.
struct RecordAnswer {
  std::vector<std::string> labels;
  std::string source;  // "" = human
  std::string annotator;
  std::optional<double> confidence;
  int64_t time_ms = 0;  // 0 = not measured
};

// One pre-label. A missing score stays missing (not 0).
struct RecordPrediction {
  std::string label;
  std::optional<double> score;
  std::string model;
  std::vector<double> distribution;
};

struct Record {
  std::string id;
  std::string text;
  std::vector<float> vector;
  std::vector<std::string> labels;       // empty = unlabelled
  std::string label_source;              // "" = human (an imported label is a person's)
  std::string annotator;
  std::optional<double> confidence;
  int64_t label_time_ms = 0;             // how long the label took (0 = not measured)
  std::optional<std::string> prediction_label;
  std::optional<double> prediction_score;
  std::vector<double> prediction_distribution;  // optional, aligned with the project's labels
  std::string prediction_model;                 // optional model version
  std::string meta_json = "{}";
  std::string split = "pool";
  // Formats with several answers or predictions per item (Label Studio, Prodigy): the others,
  // oldest first, stored before the ones above (which become the item's label and pre-label).
  std::vector<RecordAnswer> earlier_answers;
  std::vector<RecordPrediction> earlier_predictions;
  bool id_generated = false;  // the file had no id: `id` is a content hash
  // The id may repeat within one file, each repeat adding its answers (one line per annotator).
  bool merge_repeats = false;
  // "annotations": [{"annotator", "label", "time_ms"?, "source"?}, ...] - every person's answer
  // (source "" = human, or "audit"). When present, `labels` is their resolved label (as exported)
  // and is not stored as a label of its own unless label_source is model or rule (or the item is
  // gold, where it is the known answer).
  std::vector<RecordAnswer> answers;
};

// Limits applied to every input line/record.
struct RecordLimits {
  size_t max_line_bytes = 1 << 20;    // 1 MiB per record
  size_t max_vector_dims = 1 << 16;
};

// Parses one JSONL line into *out. Errors name the field: "text: missing or empty (and no vector)".
// The caller prefixes FILE:LINE.
Status ParseJsonRecord(std::string_view line, const RecordLimits& limits, Record* out);

// Same validation for an already-parsed JSON object (Label Studio tasks, API bodies). The caller
// must have bounded its nesting depth before parsing it (io/json_limits.h).
Status RecordFromJson(const nlohmann::json& j, const RecordLimits& limits, Record* out);

// Reads a JSONL file record by record (streaming, constant memory). `fn(line_no, record)` returns
// a Status; a non-OK status from parsing or from `fn` stops the read and is returned prefixed
// with "FILE:LINE: ". Blank lines are skipped.
Status ReadJsonlFile(const std::string& path, const RecordLimits& limits,
                     const std::function<Status(int64_t line, Record&)>& fn);

// True when `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);

}  // namespace hitloop::io
