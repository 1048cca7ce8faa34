#pragma once
// Dual coordinate descent for binary L2-regularised logistic regression (Yu, Huang & Lin 2011,
// "Dual coordinate descent methods for logistic regression and maximum entropy models",
// Algorithm 5 — the method behind liblinear's L2R_LR_DUAL), written here so that it can
//   - start from a previous solution (active learning adds a batch of labels per cycle: the dual
//     variables of the examples already labelled are close to their new optimum), and
//   - run many one-vs-rest problems on several threads deterministically (its coordinate order
//     comes from a seeded core/rng.h generator, not from the C library's global rand()).
//
//   min_w 0.5 |w|^2 + C sum_i log(1 + exp(-y_i w.x_i)),   y_i in {-1, +1}
// solved through the dual variables alpha_i in (0, C): w = sum_i y_i alpha_i x_i.
// Stopping rule as liblinear's: the largest |projected gradient| seen in a sweep over ALL the
// examples falls below eps (liblinear's default for this solver is 0.1), or max_iter sweeps.
// Between full sweeps it sweeps only the examples whose gradient was still >= eps (shrinking).
//
// w is held in float during the solve (half the cache footprint of the random accesses that
// dominate a sweep; measured ~20% faster on wordnet at 5k labels); dot products accumulate in
// double.
//
// Thread-safety: SolveLogisticDual is reentrant (no shared state); many may run at once on the
// same (const) matrix. Errors: none (preconditions are checked by the caller, model/logreg.cc).
#include <cstdint>
#include <span>
#include <vector>

namespace hitloop::model {

// Rows of a compact sparse matrix (CSR): row i owns [row_start[i], row_start[i+1]) of col/val.
struct CsrRows {
  std::vector<size_t> row_start;  // rows + 1
  std::vector<uint32_t> col;      // < cols
  std::vector<float> val;
  uint32_t cols = 0;
  size_t rows() const { return row_start.empty() ? 0 : row_start.size() - 1; }
};

struct DualCdOptions {
  double c = 1.0;
  double eps = 0.1;
  int max_iter = 1000;
  uint64_t seed = 1;
};

struct DualCdStats {
  int passes = 0;          // sweeps (over all examples or over the active ones)
  int full_passes = 0;     // sweeps over all examples
  bool converged = false;  // false when max_iter stopped it
};

// Value of alpha_i that a cold start uses (liblinear's choice: min(0.001 C, 1e-8)).
double ColdDualValue(double c);

// y: rows() labels in {-1, +1}. alpha: rows() dual variables; on input the starting point (use
// ColdDualValue for examples with no previous value; values are clamped into (0, C)), on output
// the solution. w: set to cols() primal weights.
DualCdStats SolveLogisticDual(const CsrRows& x, std::span<const int8_t> y,
                              const DualCdOptions& options, std::span<double> alpha,
                              std::vector<double>* w);

}  // namespace hitloop::model
