#pragma once
// Oracle coverage (benchmarks and simulators only: it reads gold labels, never decides anything):
// the largest number of items, most confident first, that ONE confidence threshold accepts with
// precision >= `precision`. A threshold can only cut between distinct confidences, so ties are
// accepted or refused together. No certificate can accept more than this at that precision, so
// it is the ceiling of what a model's confidences allow (bench/RESULTS.md, "oracle floor").
// Thread-safe (pure function).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hitloop::al {

// `items`: (confidence, 1 when the prediction is right). Returns the count (0..items.size()).
size_t OracleCoverage(std::vector<std::pair<float, uint8_t>> items, double precision);

// Same over a probability matrix (rows of k values) and the gold class of each row: the
// prediction is the row's arg max, its confidence the max.
size_t OracleCoverage(const std::vector<float>& probs, const std::vector<int>& gold, int k,
                      double precision);

}  // namespace hitloop::al
