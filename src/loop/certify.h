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
//     still fixed independently of the outcomes). With CertifyOptions::min_power > 0 a candidate
//     is also skipped when, by the model's own confidences on its audited items, it is unlikely to
//     pass (see there): again a function of the confidences only, never of an audit label.
//   - Bates, Angelopoulos, Lei, Malik & Jordan (2021), "Distribution-free, risk-controlling
//     prediction sets", JACM 68(6): the same upper-confidence-bound calibration idea.
// The audit sample must be a uniform random sample of the population the router may accept from,
// drawn independently of the model (loop/audit.h); items chosen by active learning are never
// audit observations (they are a biased sample of the hard cases).
//
//   - Waudby-Smith & Ramdas (2023), "Estimating means of bounded random variables by betting",
//     JRSS-B 86(1): the betting bound (Bound::kBetting) is a one-sided betting confidence
//     sequence for the error rate. A gambler bets against "the error rate is >= m" with capital
//     K_n(m) = prod_i (1 + lambda_i (m - x_i)), x_i = 1 for an audit error; lambda_i in [0, 0.95]
//     is predictable (chosen from the audits before i only: the Kelly bet for m = epsilon at the
//     shrunk running error rate, (epsilon - p_hat) / (epsilon (1 - epsilon)), clipped). Under
//     "error rate >= m" K_n(m) is a nonnegative supermartingale, so by Ville's inequality
//     P(sup_n K_n(m) >= 1/delta) <= delta: the upper bound U_n = inf{m : sup_{s<=n} K_s(m) <
//     1/delta} holds at EVERY n simultaneously (anytime-valid), so re-certifying after every
//     batch of audits and stopping as soon as U_n <= epsilon is valid. lambda does not depend on
//     m, so K_n(m) is nondecreasing in m and the rejected set is an interval (bisection).
//     Observations are fed in audit order (AuditObservation::order): draw after draw.
//     Clopper-Pearson (Bound::kClopperPearson) is the default (CertifyOptions, loop.bound): it is
//     exact at a fixed sample size and needs fewer clean audits (149 vs 165 at 0.02 / 0.05), but
//     it is not valid under repeated looks; on the spam benchmark betting cost more people's
//     labels while both kept the guarantee (docs/LOOP.md compares the two).
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

// The most audit errors among `n` that still certify error <= epsilon at level delta with
// Clopper-Pearson: the largest k with BinomialCdf(k; n, epsilon) <= delta (equivalently
// ClopperPearsonUpper(k, n, delta) <= epsilon); -1 when even k = 0 fails (n < MinAuditsNeeded).
int64_t MaxErrorsCertified(int64_t n, double epsilon, double delta);

// P(X <= k) for X the number of errors among independent audits with error probabilities
// `error_probs` (a Poisson-binomial variable); 0 when k < 0.
double PoissonBinomialCdf(std::span<const double> error_probs, int64_t k);

// The fixed candidate grid ("grid": "fixed", the default), most confident first.
const std::vector<double>& DefaultThresholdGrid();

// The quantile candidate grid ("grid": "quantile"): the confidences at which the
// current model would accept the top step, 2 step, ..., 100% of `confidences` (the model's
// confidences on the unlabelled pool: no audit label enters), i.e. for f = j * step the smallest
// confidence among the ceil(f m) most confident of the m items. Strictly descending (ties
// merged), at most ceil(1 / step) candidates; empty when `confidences` is empty or step is not
// in (0, 1]. Fixed before any audit outcome is seen, so Learn-then-Test's fixed-sequence argument
// holds as with the fixed grid; the candidates follow the model's own confidence scale, so an
// under- or overconfident model gets candidates where its items are.
std::vector<double> QuantileThresholdGrid(std::span<const float> confidences, double step = 0.05);
inline constexpr double kQuantileGridStep = 0.05;

enum class Bound { kBetting, kClopperPearson };
const char* BoundName(Bound b);  // "betting" | "clopper-pearson"

// Betting confidence sequence (see above) over `errors` in audit order, tuned for `epsilon`:
// the (1 - delta) upper bound on the error rate, valid at every prefix. 1 when empty.
double BettingUpper(std::span<const uint8_t> errors, double delta, double epsilon);
// True when sup_{s<=n} K_s(m) >= 1/delta, i.e. the error rate m is excluded by some prefix.
bool BettingRejects(std::span<const uint8_t> errors, double m, double delta, double epsilon);

// The fewest error-free audits that certify error <= epsilon at level delta with `bound`.
int64_t MinAuditsNeeded(double epsilon, double delta, Bound bound);

// The fewest audits among which `errors` errors can still certify error <= epsilon at level
// delta: for Clopper-Pearson the smallest n with MaxErrorsCertified(n) >= errors; for betting
// the smallest n whose sequence with the `errors` errors first (the worst order for the bettor)
// certifies. A function of (errors, epsilon, delta, bound) only: it reads no audit.
// MinAuditsNeeded(epsilon, delta, bound) when errors <= 0; 0 for invalid epsilon / delta.
// CP at 0.02 / 0.05: 149 (0 errors), 236 (1), 314 (2).
int64_t MinAuditsToTolerate(int64_t errors, double epsilon, double delta, Bound bound);

// One audited item as seen by the CURRENT model.
struct AuditObservation {
  int predicted = 0;        // the model's class for the item
  double confidence = 0.0;  // the model's probability of that class
  bool error = false;       // the audit label differs from `predicted`
  bool eligible = true;     // the router could accept it at some threshold (class not cold,
                            // item not novel): the accepted region's other conditions
  int64_t order = 0;        // position in audit order (draw, then a label-free hash within the
                            // draw); the betting bound reads the audits in this order
};

struct CertifyOptions {
  double epsilon = 0.02;    // allowed error rate of the accepted labels (1 - target precision)
  double delta = 0.05;      // allowed probability that the guarantee fails
  bool per_class = false;   // false: one global threshold; true: one per class at delta / C
  std::vector<double> grid = DefaultThresholdGrid();  // must be strictly descending
  Bound bound = Bound::kClopperPearson;  // loop.bound; kBetting is anytime-valid
  // Classes that need their OWN certificate even in global mode (a class added mid-project):
  // size num_classes or empty. When any is set, global mode splits delta: delta / 2 for the
  // global test and delta / (2 m) for each of the m such classes (Bonferroni), and such a class
  // is accepted only at max(global threshold, its own threshold).
  std::vector<uint8_t> require_own;
  // Power skip ("test_power" in the loop config; 0 = off). Fixed-sequence testing stops at the
  // first failing candidate, so a candidate that is tested with too few audits to pass at its
  // real error rate ends the sequence for every lower candidate that would have passed (on the
  // fashion benchmark the top candidate, ~160 audits with 1-2 errors, failed cycle after cycle
  // while the regions below held 400-1,000 audits at ~1% error). With min_power > 0 a candidate
  // is tested only when P(errors <= MaxErrorsCertified(n)) >= min_power, the errors counted as
  // independent Bernoulli(1 - confidence) over its n audited items: the probability that it
  // passes if the model's confidences were calibrated. It depends on the confidences only (the
  // model never saw an audit label), so the order is fixed before any outcome is read and the
  // guarantee is unchanged; only power moves. The Clopper-Pearson count is used for both bounds
  // (for betting it is an optimistic approximation: a heuristic for power, not for validity).
  double min_power = 0.0;
  // Error tolerance ("tolerate_errors" in the loop config; 0 = off). A candidate is tested only
  // when its region holds at least MinAuditsToTolerate(tolerate_errors) audits, i.e. when it
  // could pass with that many audit errors; smaller regions are skipped like regions with fewer
  // than MinAuditsNeeded audits. The skipped candidate was the one that, tested with barely
  // enough audits to pass with zero errors, failed on a single wrong-looking item and stopped
  // the sequence for every larger region below it (on fashion one such item in the top region
  // blocked every certificate for ten cycles: bench/HISTORY.md). The rule reads audit COUNTS
  // only, never an audit label, so the order of tested candidates is fixed before any outcome
  // is seen and Learn-then-Test's guarantee is unchanged; what it trades is the earliest
  // certificate on a set whose top region is clean.
  int64_t tolerate_errors = 0;
};

// The outcome of one fixed-sequence test (the global one or one class's).
struct ThresholdCertificate {
  bool certified = false;
  double threshold = std::numeric_limits<double>::infinity();  // lowest certified candidate
  int64_t audits = 0;        // audits in the accepted region at `threshold` (or the first tested)
  int64_t errors = 0;
  double error_upper = 1.0;  // the upper bound (options.bound) at that point
  int tested = 0;            // candidates tested (including the first failing one)
  // The first candidate tested (the most confident one with enough audits): its threshold and
  // the audits / errors in its region. +inf / 0 / 0 when nothing was tested.
  double first_threshold = std::numeric_limits<double>::infinity();
  int64_t first_audits = 0;
  int64_t first_errors = 0;
  int skipped_low_power = 0;  // candidates with enough audits skipped by min_power
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

// Precision of the audits that fall in the accepted region under `cert`, with the lower bound at
// level delta (1 - the upper error bound of `bound`): {estimate, lower_bound, n}. estimate =
// lower = 0 when n == 0.
struct PrecisionEstimate {
  double estimate = 0.0;
  double lower_bound = 0.0;
  int64_t audits = 0;
  int64_t errors = 0;
};
PrecisionEstimate AcceptedRegionPrecision(std::span<const AuditObservation> audits,
                                          const Certification& cert, double delta,
                                          double epsilon = 0.02, Bound bound = Bound::kClopperPearson);

}  // namespace hitloop::loop
