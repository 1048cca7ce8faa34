#pragma once
// Model choice per project, measured, not guessed: k-fold cross-validation of candidate models
// on the labelled items, each candidate scored by the CERTIFIABLE COVERAGE its out-of-fold
// predictions would reach at the project's epsilon, delta — the fraction of items above the
// lowest confidence threshold that a fixed-sequence test (highest threshold first, thresholds
// with fewer items than a certificate needs skipped, stop at the first failure) passes with
// upper_bound(errors, n, delta) <= epsilon.
//
// Rule: the candidate with the largest coverage wins; when no candidate reaches any coverage
// (too few labels, or no confident region yet), the candidate with the best cross-validated
// accuracy wins ("accuracy" rule). Ties go to the earlier candidate (list your default first).
// Candidates that fail to train are reported, never chosen. The out-of-fold items stand in for
// an audit sample: an ESTIMATE for choosing a model; certificates still come from audits only.
//
// Ownership: borrows the inputs for the call. Thread-safety: none shared; models use
// options.model_options.threads. Errors: InvalidArgument on inconsistent input or when no
// candidate trains.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/classifier.h"

namespace hitloop::model {

struct SelectionCandidate {
  std::string name;                   // model spec, e.g. "logreg", "lsa+logreg"
  std::span<const Example> examples;  // the labelled items as this candidate sees them (n)
};

struct SelectionOptions {
  int folds = 3;
  size_t max_items = 3000;  // larger labelled sets are subsampled (seeded) to bound the cost
  double epsilon = 0.02;
  double delta = 0.05;
  uint64_t seed = 1;
  ClassifierOptions model_options;
  // (errors, n, delta) -> upper confidence bound on the error rate (e.g. Clopper-Pearson).
  std::function<double(int64_t, int64_t, double)> upper_bound;
};

struct CandidateScore {
  std::string name;
  bool ok = false;           // trained and predicted on every fold
  std::string error;         // why not, when !ok
  double accuracy = 0;       // out-of-fold accuracy
  double coverage = 0;       // certifiable fraction of the out-of-fold items
  double threshold = 1;      // the confidence threshold reaching it (1 = none)
  double seconds = 0;
};

struct SelectionResult {
  size_t chosen = 0;         // index into the candidates
  std::string rule;          // "coverage" | "accuracy"
  int64_t items = 0;         // labelled items cross-validated
  std::vector<CandidateScore> scores;  // one per candidate, in order
};

// `labels` (n) in [0, k).
Result<SelectionResult> SelectModel(std::span<const SelectionCandidate> candidates,
                                    std::span<const int> labels, int k,
                                    const SelectionOptions& options);

// Certifiable coverage of scored items (confidence, correct) under the fixed-sequence rule above;
// returns {coverage fraction, threshold}. Exposed for tests.
std::pair<double, double> CertifiableCoverage(std::vector<std::pair<float, bool>> scored,
                                              double epsilon, double delta,
                                              const std::function<double(int64_t, int64_t, double)>& upper_bound);

}  // namespace hitloop::model
