#pragma once
// Certified auto-accept thresholds: the auto-accepted labels have precision >= 1 - epsilon with
// probability >= 1 - delta.
//
// Method (pure functions, no state):
//   - Clopper & Pearson (1934), "The use of confidence or fiducial limits illustrated in the case
//     of the binomial", Biometrika 26(4): the exact one-sided upper bound on a binomial error rate,
//     computed as the root in p of BinomialCdf(k; n, p) = delta (bisection; no Boost needed).
//   - Learn-then-Test, Angelopoulos, Bates, Candès, Jordan & Lei (2021), "Learn then Test:
//     Calibrating predictive algorithms to achieve risk control", arXiv:2110.01052: candidate
//     thresholds are tested in a FIXED order from most to least confident (fixed-sequence testing,
//     which controls the family-wise error at delta without a multiplicity correction); testing
//     stops at the first failure and the lowest threshold certified so far wins. Candidates with
//     fewer audits in their region than MinAuditsNeeded are skipped (they cannot pass; their
//     count depends only on the model's confidences, never on audit labels, so the order is
//     still fixed independently of the outcomes).
//   - Bates, Angelopoulos, Lei, Malik & Jordan (2021), "Distribution-free, risk-controlling
//     prediction sets", JACM 68(6): the same upper-confidence-bound calibration idea.
// The audit sample must be a uniform random sample of the population the router may accept from,
// drawn independently of the model (loop/audit.h); items chosen by active learning are never
// audit observations (they are a biased sample of the hard cases).
//
// Per-class mode tests each class's own sequence at delta / C (Bonferroni over the C classes) so
// the union of per-class guarantees still holds at level delta.
//
// Thread-safety: pure functions, safe to call concurrently. No errors: invalid inputs (eps or
// delta outside (0,1)) give "nothing certified".
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace hitloop::loop {

// P(X <= k) for X ~ Binomial(n, p). 1 when k >= n.
double BinomialCdf(int64_t k, int64_t n, double p);

// One-sided (1 - delta) Clopper-Pearson upper bound on the error rate after `errors` errors in
// `n` trials. 1 when n == 0.
double ClopperPearsonUpper(int64_t errors, int64_t n, double delta);

// The fewest error-free audits that certify error <= epsilon at level delta:
// ceil(ln delta / ln(1 - epsilon)); 149 for epsilon = 0.02, delta = 0.05.
int64_t MinAuditsNeeded(double epsilon, double delta);

// The default candidate grid, most confident first.
const std::vector<double>& DefaultThresholdGrid();

// One audited item as seen by the CURRENT model.
struct AuditObservation {
  int predicted = 0;        // the model's class for the item
  double confidence = 0.0;  // the model's probability of that class
  bool error = false;       // the audit label differs from `predicted`
  bool eligible = true;     // the router could accept it at some threshold (class not cold,
                            // item not novel): the accepted region's other conditions
};

struct CertifyOptions {
  double epsilon = 0.02;    // allowed error rate of the accepted labels (1 - target precision)
  double delta = 0.05;      // allowed probability that the guarantee fails
  bool per_class = false;   // false: one global threshold; true: one per class at delta / C
  std::vector<double> grid = DefaultThresholdGrid();  // must be strictly descending
  // Classes that need their OWN certificate even in global mode (a class added mid-project):
  // size num_classes or empty. When any is set, global mode splits delta: delta / 2 for the
  // global test and delta / (2 m) for each of the m such classes (Bonferroni), and such a class
  // is accepted only at max(global threshold, its own threshold).
  std::vector<uint8_t> require_own;
};

// The outcome of one fixed-sequence test (the global one or one class's).
struct ThresholdCertificate {
  bool certified = false;
  double threshold = std::numeric_limits<double>::infinity();  // lowest certified candidate
  int64_t audits = 0;        // audits in the accepted region at `threshold` (or the first tested)
  int64_t errors = 0;
  double error_upper = 1.0;  // the Clopper-Pearson bound at that point
  int tested = 0;            // candidates tested (including the first failing one)
};

struct Certification {
  bool per_class = false;
  ThresholdCertificate global;                // used when !per_class
  std::vector<ThresholdCertificate> classes;  // per_class: all; global: the require_own classes
  // The threshold the router uses for items predicted as class `c`; +inf when uncertified.
  double ThresholdFor(int c) const;
};

// Runs the fixed-sequence test(s) over `audits`.
Certification Certify(std::span<const AuditObservation> audits, int num_classes,
                      const CertifyOptions& options);

// Precision of the audits that fall in the accepted region under `cert`, with the Clopper-Pearson
// lower bound at level delta: {estimate, lower_bound, n}. estimate = lower = 0 when n == 0.
struct PrecisionEstimate {
  double estimate = 0.0;
  double lower_bound = 0.0;
  int64_t audits = 0;
  int64_t errors = 0;
};
PrecisionEstimate AcceptedRegionPrecision(std::span<const AuditObservation> audits,
                                          const Certification& cert, double delta);

}  // namespace hitloop::loop
