#include "loop/certify.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

namespace hitloop::loop {

double BinomialCdf(int64_t k, int64_t n, double p) {
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  if (p <= 0.0) return 1.0;
  if (p >= 1.0) return 0.0;
  // Sum of pmf terms in log space: the terms are tiny for large n, so each is exponentiated
  // separately (k is small in practice: the number of audit errors).
  const double lp = std::log(p), lq = std::log1p(-p);
  const double lgn = std::lgamma(static_cast<double>(n) + 1.0);
  double sum = 0.0;
  for (int64_t i = 0; i <= k; ++i) {
    const double di = static_cast<double>(i);
    const double lt = lgn - std::lgamma(di + 1.0) - std::lgamma(static_cast<double>(n - i) + 1.0) +
                      di * lp + static_cast<double>(n - i) * lq;
    sum += std::exp(lt);
  }
  return std::min(1.0, sum);
}

double ClopperPearsonUpper(int64_t errors, int64_t n, double delta) {
  if (n <= 0 || errors >= n) return 1.0;
  if (errors < 0) errors = 0;
  // The CDF falls monotonically in p: bisect for BinomialCdf(errors; n, p) = delta.
  double lo = static_cast<double>(errors) / static_cast<double>(n), hi = 1.0;
  for (int it = 0; it < 100 && hi - lo > 1e-12; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (BinomialCdf(errors, n, mid) > delta) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;  // conservative side of the bracket
}

int64_t MinAuditsNeeded(double epsilon, double delta) {
  if (!(epsilon > 0 && epsilon < 1 && delta > 0 && delta < 1)) return 0;
  return static_cast<int64_t>(std::ceil(std::log(delta) / std::log1p(-epsilon) - 1e-9));
}

int64_t MaxErrorsCertified(int64_t n, double epsilon, double delta) {
  if (n <= 0 || !(epsilon > 0 && epsilon < 1 && delta > 0 && delta < 1)) return -1;
  // Binomial(n, epsilon) pmf terms in log space, summed until the CDF passes delta.
  const double le = std::log(epsilon), lq = std::log1p(-epsilon);
  const double lgn = std::lgamma(static_cast<double>(n) + 1.0);
  double cdf = 0.0;
  for (int64_t k = 0; k <= n; ++k) {
    const double dk = static_cast<double>(k);
    cdf += std::exp(lgn - std::lgamma(dk + 1.0) - std::lgamma(static_cast<double>(n - k) + 1.0) +
                    dk * le + static_cast<double>(n - k) * lq);
    if (cdf > delta) return k - 1;
  }
  return n;
}

namespace {

// dist[j] = P(exactly j errors so far), j < dist.size() (mass above is dropped): one more audit
// wrong with probability p.
void AddErrorProbability(std::vector<double>& dist, double p) {
  p = std::clamp(p, 0.0, 1.0);
  for (size_t j = dist.size() - 1; j > 0; --j) dist[j] = dist[j] * (1 - p) + dist[j - 1] * p;
  dist[0] *= 1 - p;
}

}  // namespace

double PoissonBinomialCdf(std::span<const double> error_probs, int64_t k) {
  if (k < 0) return 0.0;
  if (k >= static_cast<int64_t>(error_probs.size())) return 1.0;
  // dist[j] = P(exactly j errors so far), j <= k (mass above k is dropped: not needed).
  std::vector<double> dist(static_cast<size_t>(k) + 1, 0.0);
  dist[0] = 1.0;
  for (double p : error_probs) AddErrorProbability(dist, p);
  double s = 0.0;
  for (double d : dist) s += d;
  return std::min(1.0, s);
}

const char* BoundName(Bound b) {
  return b == Bound::kBetting ? "betting" : "clopper-pearson";
}

namespace {

constexpr double kMaxBet = 0.95;

// Audits with the same `order` (one draw; or callers that give none) are read in a fixed
// pseudo-random order of their input positions: the betting bound needs an order that does not
// follow the confidences or the labels.
uint64_t TieHash(uint64_t j) {
  uint64_t z = j + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}  // lambda <= 0.95: one error never costs more than 95% of the capital

// Calls f(lambda_i, x_i) for each observation with the predictable bet lambda_i.
template <typename F>
void ForEachBet(std::span<const uint8_t> errors, double epsilon, F f) {
  // Running error rate shrunk towards epsilon / 2 (one pseudo-observation), so the first bets
  // are moderate and a run of clean audits quickly earns the full bet.
  double sum = epsilon / 2;
  double count = 1;
  const double denom = epsilon * (1 - epsilon);
  for (uint8_t x : errors) {
    const double p_hat = sum / count;
    const double lambda = std::clamp((epsilon - p_hat) / denom, 0.0, kMaxBet);
    if (!f(lambda, x ? 1.0 : 0.0)) return;
    sum += x ? 1.0 : 0.0;
    count += 1;
  }
}

}  // namespace

bool BettingRejects(std::span<const uint8_t> errors, double m, double delta, double epsilon) {
  if (!(epsilon > 0 && epsilon < 1 && delta > 0 && delta < 1)) return false;
  const double target = std::log(1.0 / delta);
  double log_k = 0;
  bool rejected = false;
  ForEachBet(errors, epsilon, [&](double lambda, double x) {
    log_k += std::log1p(lambda * (m - x));
    rejected = log_k >= target - 1e-12;
    return !rejected;
  });
  return rejected;
}

double BettingUpper(std::span<const uint8_t> errors, double delta, double epsilon) {
  if (errors.empty() || !(delta > 0 && delta < 1)) return 1.0;
  if (!BettingRejects(errors, 1.0, delta, epsilon)) return 1.0;
  double lo = 0.0, hi = 1.0;  // hi is rejected; lo is not (or 0)
  if (BettingRejects(errors, 0.0, delta, epsilon)) return 0.0;
  for (int it = 0; it < 60 && hi - lo > 1e-9; ++it) {
    const double mid = 0.5 * (lo + hi);
    (BettingRejects(errors, mid, delta, epsilon) ? hi : lo) = mid;
  }
  return hi;  // every m >= hi is rejected (the capital is nondecreasing in m)
}

int64_t MinAuditsNeeded(double epsilon, double delta, Bound bound) {
  if (bound == Bound::kClopperPearson) return MinAuditsNeeded(epsilon, delta);
  if (!(epsilon > 0 && epsilon < 1 && delta > 0 && delta < 1)) return 0;
  const double target = std::log(1.0 / delta);
  double log_k = 0, sum = epsilon / 2, count = 1;
  for (int64_t n = 1; n < 100000000; ++n) {
    const double lambda = std::clamp((epsilon - sum / count) / (epsilon * (1 - epsilon)), 0.0, kMaxBet);
    log_k += std::log1p(lambda * epsilon);
    count += 1;
    if (log_k >= target - 1e-12) return n;
  }
  return 0;
}

int64_t MinAuditsToTolerate(int64_t errors, double epsilon, double delta, Bound bound) {
  if (errors <= 0) return MinAuditsNeeded(epsilon, delta, bound);
  if (!(epsilon > 0 && epsilon < 1 && delta > 0 && delta < 1)) return 0;
  if (bound == Bound::kClopperPearson) {
    // MaxErrorsCertified(n) is nondecreasing in n: bisect for the first n that tolerates `errors`.
    auto ok = [&](int64_t n) { return MaxErrorsCertified(n, epsilon, delta) >= errors; };
    int64_t lo = MinAuditsNeeded(epsilon, delta), hi = 2 * lo;
    while (!ok(hi)) hi *= 2;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (ok(mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return hi;
  }
  // Betting: the errors first, then clean audits, until epsilon itself is excluded.
  std::vector<uint8_t> seq(static_cast<size_t>(errors), 1);
  seq.resize(static_cast<size_t>(errors + MinAuditsNeeded(epsilon, delta, bound)), 0);
  while (seq.size() < 10'000'000) {
    if (BettingRejects(seq, epsilon, delta, epsilon)) return static_cast<int64_t>(seq.size());
    seq.push_back(0);
  }
  return 0;
}

const std::vector<double>& DefaultThresholdGrid() {
  static const std::vector<double> kGrid = {0.999, 0.998, 0.995, 0.99, 0.985, 0.98, 0.97, 0.96,
                                            0.95,  0.93,  0.9,   0.85, 0.8,   0.7,  0.6,  0.5};
  return kGrid;
}

std::vector<double> QuantileThresholdGrid(std::span<const float> confidences, double step) {
  std::vector<double> grid;
  if (confidences.empty() || !(step > 0 && step <= 1)) return grid;
  std::vector<float> c(confidences.begin(), confidences.end());
  std::sort(c.begin(), c.end(), std::greater<float>());
  const double m = static_cast<double>(c.size());
  const int steps = static_cast<int>(std::ceil(1.0 / step - 1e-9));
  grid.reserve(static_cast<size_t>(steps));
  for (int j = 1; j <= steps; ++j) {
    const double f = std::min(1.0, j * step);
    // The ceil(f m) most confident items: their smallest confidence.
    const double top = std::ceil(f * m - 1e-9);
    const size_t at = static_cast<size_t>(std::clamp(top, 1.0, m)) - 1;
    grid.push_back(static_cast<double>(c[at]));
  }
  // c is sorted descending, so the candidates are non-increasing: merge ties.
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  return grid;
}

double Certification::ThresholdFor(int c) const {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (!per_class) {
    if (!global.certified) return kInf;
    if (c >= 0 && c < static_cast<int>(classes.size()) && classes[c].tested > 0) {
      return classes[c].certified ? std::max(global.threshold, classes[c].threshold) : kInf;
    }
    return global.threshold;
  }
  if (c < 0 || c >= static_cast<int>(classes.size()) || !classes[c].certified) {
    return std::numeric_limits<double>::infinity();
  }
  return classes[c].threshold;
}

namespace {

// Fixed-sequence test over the audits selected by `in_scope` (the global set or one class's).
template <typename Pred>
ThresholdCertificate FixedSequence(std::span<const AuditObservation> audits, Pred in_scope,
                                   double epsilon, double delta, const std::vector<double>& grid,
                                   Bound bound, double min_power, int64_t tolerate_errors) {
  ThresholdCertificate out;
  // Sort the scoped audits by confidence once; each candidate is then a prefix.
  struct Scoped {
    double confidence;
    bool error;
    int64_t order;
    uint64_t tie;  // equal orders: a fixed hash of the input position (never the confidence order)
  };
  std::vector<Scoped> scoped;
  for (size_t j = 0; j < audits.size(); ++j) {
    const auto& a = audits[j];
    if (a.eligible && in_scope(a)) scoped.push_back({a.confidence, a.error, a.order, TieHash(j)});
  }
  std::sort(scoped.begin(), scoped.end(),
            [](const auto& x, const auto& y) { return x.confidence > y.confidence; });
  size_t pos = 0;
  int64_t errors = 0;
  // Candidates with fewer audits are skipped (see the loop below and
  // CertifyOptions::tolerate_errors): counts only.
  const int64_t min_n = MinAuditsToTolerate(tolerate_errors, epsilon, delta, bound);
  // Power skip: dist[j] = P(j errors among the prefix) if each audited item were wrong with
  // probability 1 - confidence, kept up to the most errors any prefix could certify.
  const bool power_skip = min_power > 0;
  const int64_t kcap =
      power_skip ? MaxErrorsCertified(static_cast<int64_t>(scoped.size()), epsilon, delta) : -1;
  std::vector<double> dist(static_cast<size_t>(std::max<int64_t>(kcap, 0)) + 1, 0.0);
  dist[0] = 1.0;
  // Betting: the region's audits in audit order (the prefix, re-sorted by `order`).
  std::vector<std::tuple<int64_t, uint64_t, uint8_t>> ordered;
  std::vector<uint8_t> seq;
  auto upper = [&](int64_t n) {
    if (bound == Bound::kClopperPearson) return ClopperPearsonUpper(errors, n, delta);
    ordered.clear();
    for (size_t j = 0; j < static_cast<size_t>(n); ++j) {
      ordered.emplace_back(scoped[j].order, scoped[j].tie, scoped[j].error ? 1 : 0);
    }
    std::sort(ordered.begin(), ordered.end());
    seq.clear();
    for (const auto& o : ordered) seq.push_back(std::get<2>(o));
    return BettingUpper(seq, delta, epsilon);
  };
  for (double t : grid) {
    while (pos < scoped.size() && scoped[pos].confidence >= t) {
      errors += scoped[pos].error ? 1 : 0;
      if (power_skip) AddErrorProbability(dist, 1.0 - scoped[pos].confidence);
      ++pos;
    }
    const int64_t n = static_cast<int64_t>(pos);
    // A candidate with fewer audits than even an error-free sample needs cannot pass; it is
    // skipped rather than failed. This keeps the order fixed before any audit LABEL is seen: the
    // counts depend only on the model's confidences on the audited items (the model never saw
    // their labels), so the fixed-sequence argument still holds.
    if (n < min_n) continue;
    if (power_skip) {  // the same argument: confidences only
      const int64_t kmax = std::min(MaxErrorsCertified(n, epsilon, delta), kcap);
      double power = 0.0;
      for (int64_t j = 0; j <= kmax; ++j) power += dist[static_cast<size_t>(j)];
      if (power < min_power) {
        ++out.skipped_low_power;
        continue;
      }
    }
    const double ub = upper(n);
    if (out.tested == 0) {
      out.first_threshold = t;
      out.first_audits = n;
      out.first_errors = errors;
    }
    ++out.tested;
    if (ub > epsilon) {
      if (!out.certified) {  // report what the first (failing) test saw
        out.audits = n;
        out.errors = errors;
        out.error_upper = ub;
      }
      break;
    }
    out.certified = true;
    out.threshold = t;
    out.audits = n;
    out.errors = errors;
    out.error_upper = ub;
  }
  return out;
}

}  // namespace

Certification Certify(std::span<const AuditObservation> audits, int num_classes,
                      const CertifyOptions& o) {
  Certification cert;
  cert.per_class = o.per_class;
  if (!(o.epsilon > 0 && o.epsilon < 1 && o.delta > 0 && o.delta < 1) || num_classes < 1) {
    cert.classes.resize(std::max(0, num_classes));
    return cert;
  }
  if (!o.per_class) {
    int m = 0;
    for (uint8_t r : o.require_own) m += r ? 1 : 0;
    const double global_delta = m > 0 ? o.delta / 2 : o.delta;
    cert.global = FixedSequence(audits, [](const AuditObservation&) { return true; }, o.epsilon,
                                global_delta, o.grid, o.bound, o.min_power, o.tolerate_errors);
    if (m > 0) {
      cert.classes.resize(num_classes);
      for (int c = 0; c < num_classes && c < static_cast<int>(o.require_own.size()); ++c) {
        if (!o.require_own[c]) continue;
        cert.classes[c] = FixedSequence(
            audits, [c](const AuditObservation& a) { return a.predicted == c; }, o.epsilon,
            o.delta / (2.0 * m), o.grid, o.bound, o.min_power, o.tolerate_errors);
        cert.classes[c].tested = std::max(cert.classes[c].tested, 1);  // marks "own test applies"
      }
    }
    return cert;
  }
  const double d = o.delta / num_classes;  // Bonferroni over the classes
  cert.classes.resize(num_classes);
  for (int c = 0; c < num_classes; ++c) {
    cert.classes[c] = FixedSequence(
        audits, [c](const AuditObservation& a) { return a.predicted == c; }, o.epsilon, d, o.grid,
        o.bound, o.min_power, o.tolerate_errors);
  }
  return cert;
}

PrecisionEstimate AcceptedRegionPrecision(std::span<const AuditObservation> audits,
                                          const Certification& cert, double delta,
                                          double epsilon, Bound bound) {
  PrecisionEstimate p;
  std::vector<std::tuple<int64_t, uint64_t, uint8_t>> ordered;
  for (size_t j = 0; j < audits.size(); ++j) {
    const auto& a = audits[j];
    if (!a.eligible || a.confidence < cert.ThresholdFor(a.predicted)) continue;
    ++p.audits;
    p.errors += a.error ? 1 : 0;
    ordered.emplace_back(a.order, TieHash(j), a.error ? 1 : 0);
  }
  if (p.audits == 0) return p;
  p.estimate = 1.0 - static_cast<double>(p.errors) / static_cast<double>(p.audits);
  if (bound == Bound::kClopperPearson) {
    p.lower_bound = 1.0 - ClopperPearsonUpper(p.errors, p.audits, delta);
  } else {
    std::sort(ordered.begin(), ordered.end());
    std::vector<uint8_t> seq;
    for (const auto& o : ordered) seq.push_back(std::get<2>(o));
    p.lower_bound = 1.0 - BettingUpper(seq, delta, epsilon);
  }
  return p;
}

}  // namespace hitloop::loop
