#pragma once
// A labelled data set held in memory as parallel arrays, for the simulators (`hitloop simulate
// al|loop`), which hide the gold labels from the loop and reveal them when a label is "bought".
#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"

namespace hitloop::io {

struct GoldSet {
  std::vector<std::string> texts;
  std::vector<std::vector<float>> vectors;
  std::vector<std::string> labels;  // exactly one gold label per record
  std::vector<std::string> meta;    // meta JSON objects
};

// Reads the first `cap` records (0 = all) of a JSONL file. Every record needs exactly one label:
// otherwise InvalidArgument "FILE:LINE: label: ...", naming `who` (e.g. "simulate al").
Status ReadGoldSet(const std::string& path, size_t cap, const std::string& who, GoldSet* out);

// A multi-label data set: `label_sets[i]` are record i's gold labels (one or more, as the file
// gives them in "labels"); `labels` stays empty. InvalidArgument "label: ..." for a record with
// none.
struct MultiLabelGoldSet {
  std::vector<std::string> texts;
  std::vector<std::vector<float>> vectors;
  std::vector<std::vector<std::string>> label_sets;
  std::vector<std::string> meta;
};
Status ReadMultiLabelGoldSet(const std::string& path, size_t cap, const std::string& who,
                             MultiLabelGoldSet* out);

}  // namespace hitloop::io
