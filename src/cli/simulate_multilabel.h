#pragma once
// `hitloop simulate loop --multi-label`: the multi-label whole-loop simulation
// (loop/simulate_multilabel.h) on a JSONL file whose records carry "labels": [...], writing
// OUT/summary.json and OUT/cycles.csv like the single-label simulation.
#include <cstddef>
#include <string>

#include "core/status.h"
#include "loop/simulate.h"
#include "loop/simulate_multilabel.h"

namespace hitloop::cli {

struct MultiLabelSimFiles {
  std::string pool, test, out;
  size_t max_pool = 0;
  size_t max_test = 0;
  int hash_bits = 18;
  bool no_char_ngrams = false;
};

// `so.config.review_batch` 0 = max(20, 1% of the pool). Prints a one-line summary.
Status RunMultiLabelLoopSimulation(const MultiLabelSimFiles& files, loop::LoopSimOptions so);

// `hitloop simulate al --multi-label`: the multi-label AL curves (loop/simulate_multilabel.h),
// OUT/summary.json and OUT/curves.csv. --test is required.
Status RunMultiLabelAlSimulation(const MultiLabelSimFiles& files,
                                 const loop::MultiLabelAlOptions& options);

}  // namespace hitloop::cli
