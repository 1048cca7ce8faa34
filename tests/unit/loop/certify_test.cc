#include "loop/certify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.h"

namespace hitloop::loop {
namespace {

TEST(ClopperPearson, ZeroErrorsIn149AuditsCertifiesTwoPercentButNot148) {
  EXPECT_LT(ClopperPearsonUpper(0, 149, 0.05), 0.02);
  EXPECT_GT(ClopperPearsonUpper(0, 148, 0.05), 0.02);
  EXPECT_EQ(MinAuditsNeeded(0.02, 0.05), 149);
  EXPECT_EQ(MinAuditsNeeded(0.05, 0.05), 59);
  EXPECT_EQ(MinAuditsNeeded(0.01, 0.05), 299);
}

TEST(ClopperPearson, ClosedFormForZeroErrorsAndCdfIdentity) {
  // With 0 errors the bound is 1 - delta^(1/n).
  for (int n : {1, 10, 100, 1000}) {
    EXPECT_NEAR(ClopperPearsonUpper(0, n, 0.05), 1 - std::pow(0.05, 1.0 / n), 1e-9) << n;
  }
  // The bound p solves P(X <= k; n, p) = delta.
  for (auto [k, n] : {std::pair{1, 100}, {5, 100}, {10, 300}, {3, 2000}}) {
    const double ub = ClopperPearsonUpper(k, n, 0.05);
    EXPECT_NEAR(BinomialCdf(k, n, ub), 0.05, 1e-6) << k << "/" << n;
    EXPECT_GT(ub, static_cast<double>(k) / n);
  }
  // Published value: 5 errors in 100 -> one-sided 95% upper bound 0.1024 (Beta(0.95; 6, 95)).
  EXPECT_NEAR(ClopperPearsonUpper(5, 100, 0.05), 0.1024, 5e-4);
  EXPECT_EQ(ClopperPearsonUpper(0, 0, 0.05), 1.0);
  EXPECT_EQ(ClopperPearsonUpper(7, 7, 0.05), 1.0);
}

AuditObservation Obs(double conf, bool error, int predicted = 0) {
  AuditObservation o;
  o.confidence = conf;
  o.error = error;
  o.predicted = predicted;
  return o;
}

TEST(Certify, LowestCertifiedThresholdWinsAndTestingStopsAtFirstFailure) {
  std::vector<AuditObservation> audits;
  for (int i = 0; i < 400; ++i) audits.push_back(Obs(0.995, false));  // clean high region
  for (int i = 0; i < 100; ++i) audits.push_back(Obs(0.92, i % 4 == 0));  // 25% errors at 0.92
  for (int i = 0; i < 300; ++i) audits.push_back(Obs(0.55, false));  // clean again, below
  CertifyOptions o;
  const Certification c = Certify(audits, 2, o);
  ASSERT_TRUE(c.global.certified);
  // 0.95 still sees only the clean 400; 0.93 too; 0.9 adds the 25% errors and fails. The clean
  // region at 0.55 is never reached: fixed-sequence testing stops at the first failure.
  EXPECT_DOUBLE_EQ(c.global.threshold, 0.93);
  EXPECT_DOUBLE_EQ(c.ThresholdFor(0), 0.93);
  EXPECT_DOUBLE_EQ(c.ThresholdFor(1), 0.93);
}

TEST(Certify, MaxErrorsCertifiedAgreesWithClopperPearson) {
  EXPECT_EQ(MaxErrorsCertified(148, 0.02, 0.05), -1);
  EXPECT_EQ(MaxErrorsCertified(149, 0.02, 0.05), 0);
  for (int64_t n : {149, 160, 240, 600, 1000, 5000, 20000}) {
    const int64_t k = MaxErrorsCertified(n, 0.02, 0.05);
    ASSERT_GE(k, 0) << n;
    EXPECT_LE(ClopperPearsonUpper(k, n, 0.05), 0.02 + 1e-9) << n;
    EXPECT_GT(ClopperPearsonUpper(k + 1, n, 0.05), 0.02) << n;
  }
  EXPECT_EQ(MaxErrorsCertified(0, 0.02, 0.05), -1);
  EXPECT_EQ(MaxErrorsCertified(100, 0.0, 0.05), -1);
}

TEST(Certify, PoissonBinomialCdfIsTheBinomialForEqualRates) {
  const std::vector<double> p(300, 0.013);
  for (int64_t k : {0, 1, 3, 7, 12}) {
    EXPECT_NEAR(PoissonBinomialCdf(p, k), BinomialCdf(k, 300, 0.013), 1e-9) << k;
  }
  EXPECT_EQ(PoissonBinomialCdf(p, -1), 0.0);
  EXPECT_EQ(PoissonBinomialCdf(p, 300), 1.0);
  // Unequal rates: P(X = 0) is the product of the complements.
  const std::vector<double> q = {0.1, 0.2, 0.5};
  EXPECT_NEAR(PoissonBinomialCdf(q, 0), 0.9 * 0.8 * 0.5, 1e-12);
}

// Regression (fashion benchmark, 2026-12-07): the top candidate, tested with ~160 audits and
// 1-2 errors, failed cycle after cycle and so ended the fixed sequence, while the regions below
// held 400-1,000 audits at ~1% error that would have certified. The power skip leaves out a
// candidate the model's own confidences say is unlikely to pass, before any label is read.
TEST(Certify, PowerSkipDoesNotLetAnUnderpoweredTopCandidateBlockTheSequence) {
  std::vector<AuditObservation> audits;
  // 160 audits at 0.995 (the model expects 0.8 errors; 0 may occur among 160 for 0.02 at 0.05):
  // one real error.
  for (int i = 0; i < 160; ++i) audits.push_back(Obs(0.995, i == 7));
  // 800 at 0.992 with 6 errors: the region at 0.99 holds 960 audits and 7 errors.
  for (int i = 0; i < 800; ++i) audits.push_back(Obs(0.992, i % 133 == 5));
  // 300 at 0.6 with 40% errors: never certifiable, and the model says so.
  for (int i = 0; i < 300; ++i) audits.push_back(Obs(0.6, i % 5 < 2));
  CertifyOptions o;
  const Certification before = Certify(audits, 2, o);
  EXPECT_FALSE(before.global.certified);  // 0.995 tested first, 1 error in 160: fails, stops
  EXPECT_DOUBLE_EQ(before.global.first_threshold, 0.995);

  o.min_power = 0.5;
  const Certification c = Certify(audits, 2, o);
  ASSERT_TRUE(c.global.certified);
  EXPECT_DOUBLE_EQ(c.global.first_threshold, 0.99);  // 0.999 and 0.998 lack audits; 0.995 skipped
  EXPECT_EQ(c.global.first_audits, 960);
  EXPECT_EQ(c.global.first_errors, 7);
  // Every candidate down to 0.7 sees the same 960 audits and passes; 0.6 and 0.5 add the 40%
  // region, which the model expects to fail (power ~0): skipped, not failed.
  EXPECT_DOUBLE_EQ(c.global.threshold, 0.7);
  EXPECT_EQ(c.global.skipped_low_power, 3);  // 0.995, 0.6, 0.5
  EXPECT_LE(c.global.error_upper, 0.02);
}

// Regression (fashion benchmark, seed 3, 2026-12-07): for ten cycles the first tested candidate
// held 150-185 audits with the same single error, failed, and ended the fixed sequence, while the
// model's confident half was more than 98% precise. With one tolerated error a candidate is
// tested only once it holds 236 audits (CP, 0.02 / 0.05), so the barely audited top region is
// skipped by its count and the larger region below certifies. Same audits as the power-skip
// regression above; no confidence enters the rule.
TEST(Certify, ToleranceKeepsOneErrorInABarelyAuditedTopRegionFromBlockingTheSequence) {
  std::vector<AuditObservation> audits;
  for (int i = 0; i < 160; ++i) audits.push_back(Obs(0.995, i == 7));
  for (int i = 0; i < 800; ++i) audits.push_back(Obs(0.992, i % 133 == 5));
  for (int i = 0; i < 300; ++i) audits.push_back(Obs(0.6, i % 5 < 2));
  CertifyOptions o;
  EXPECT_FALSE(Certify(audits, 2, o).global.certified);  // 0.995: 1 error in 160 fails, stops
  o.tolerate_errors = 1;
  const Certification c = Certify(audits, 2, o);
  ASSERT_TRUE(c.global.certified);
  EXPECT_DOUBLE_EQ(c.global.first_threshold, 0.99);  // 0.995's 160 audits < 236: skipped
  EXPECT_EQ(c.global.first_audits, 960);
  EXPECT_EQ(c.global.first_errors, 7);
  EXPECT_DOUBLE_EQ(c.global.threshold, 0.7);  // 0.6 adds the 40% region: tested, fails, stops
  EXPECT_EQ(c.global.skipped_low_power, 0);
  EXPECT_LE(c.global.error_upper, 0.02);
}

// MinAuditsToTolerate(k) is the first count at which k errors certify: checked against the
// bounds themselves, for both bounds.
TEST(Certify, MinAuditsToTolerateIsTheFirstCountThatCertifiesWithThatManyErrors) {
  const double eps = 0.02, delta = 0.05;
  EXPECT_EQ(MinAuditsToTolerate(0, eps, delta, Bound::kClopperPearson), 149);
  for (int64_t k = 1; k <= 4; ++k) {
    const int64_t n = MinAuditsToTolerate(k, eps, delta, Bound::kClopperPearson);
    EXPECT_LE(ClopperPearsonUpper(k, n, delta), eps) << k;
    EXPECT_GT(ClopperPearsonUpper(k, n - 1, delta), eps) << k;
    EXPECT_GT(n, MinAuditsToTolerate(k - 1, eps, delta, Bound::kClopperPearson));
  }
  EXPECT_EQ(MinAuditsToTolerate(0, eps, delta, Bound::kBetting), MinAuditsNeeded(eps, delta, Bound::kBetting));
  for (int64_t k = 1; k <= 3; ++k) {
    const int64_t n = MinAuditsToTolerate(k, eps, delta, Bound::kBetting);
    std::vector<uint8_t> seq(static_cast<size_t>(k), 1);
    seq.resize(static_cast<size_t>(n), 0);
    EXPECT_LE(BettingUpper(seq, delta, eps), eps + 1e-6) << k;
    seq.pop_back();
    EXPECT_GT(BettingUpper(seq, delta, eps), eps) << k;
  }
}

TEST(Certify, TooFewAuditsCertifyNothing) {
  CertifyOptions cp;
  cp.bound = Bound::kClopperPearson;
  std::vector<AuditObservation> audits(148, Obs(0.999, false));
  const Certification c = Certify(audits, 2, cp);
  EXPECT_FALSE(c.global.certified);
  EXPECT_TRUE(std::isinf(c.ThresholdFor(0)));
  audits.push_back(Obs(0.999, false));
  EXPECT_TRUE(Certify(audits, 2, cp).global.certified);
}

TEST(Certify, IneligibleAuditsDoNotCount) {
  std::vector<AuditObservation> audits(200, Obs(0.99, false));
  for (auto& a : audits) a.eligible = false;
  EXPECT_FALSE(Certify(audits, 2, CertifyOptions{}).global.certified);
}

TEST(Certify, PerClassModeCertifiesEachClassOnItsOwnAuditsAtBonferroniLevel) {
  std::vector<AuditObservation> audits;
  for (int i = 0; i < 300; ++i) audits.push_back(Obs(0.99, false, 0));
  for (int i = 0; i < 300; ++i) audits.push_back(Obs(0.99, i % 5 == 0, 1));  // 20% errors
  CertifyOptions o;
  o.per_class = true;
  const Certification c = Certify(audits, 2, o);
  EXPECT_TRUE(c.classes[0].certified);
  EXPECT_FALSE(c.classes[1].certified);
  EXPECT_TRUE(std::isinf(c.ThresholdFor(1)));
  // delta / 2 per class: 0 errors in 170 audits pass at 0.05 but not at 0.025 (needs 183).
  std::vector<AuditObservation> few(170, Obs(0.99, false, 0));
  EXPECT_TRUE(Certify(few, 2, CertifyOptions{}).global.certified);
  EXPECT_FALSE(Certify(few, 2, o).classes[0].certified);
}

TEST(Certify, ClassNeedingItsOwnCertificateIsNotAcceptedOnTheGlobalOne) {
  std::vector<AuditObservation> audits(400, Obs(0.99, false, 0));
  CertifyOptions o;
  o.require_own = {0, 0, 1};  // class 2 was added mid-project
  const Certification c = Certify(audits, 3, o);
  ASSERT_TRUE(c.global.certified);
  EXPECT_FALSE(std::isinf(c.ThresholdFor(0)));
  EXPECT_TRUE(std::isinf(c.ThresholdFor(2)));  // no audits predicted as class 2
  for (int i = 0; i < 300; ++i) audits.push_back(Obs(0.995, false, 2));
  const Certification c2 = Certify(audits, 3, o);
  EXPECT_FALSE(std::isinf(c2.ThresholdFor(2)));
  EXPECT_GE(c2.ThresholdFor(2), c2.global.threshold);
}

// The guarantee, empirically: a synthetic population whose model is miscalibrated
// (overconfident), uniform audits, Learn-then-Test; the realised error of the accepted region
// must exceed epsilon in at most delta of the runs (plus binomial slack for 400 runs).
TEST(Certify, GuaranteeHoldsEmpiricallyOnSyntheticCalibrationProblem) {
  const uint64_t seed = 20261128;
  Rng rng(seed);
  const int runs = 200, population = 20000, audits_n = 2000;
  const double eps = 0.02, delta = 0.05;
  int violations = 0, certified_runs = 0, naive_violations = 0;
  std::vector<double> conf(population);
  std::vector<uint8_t> err(population);
  for (int r = 0; r < runs; ++r) {
    for (int i = 0; i < population; ++i) {
      const double u = rng.Uniform();
      conf[i] = 1 - 0.5 * u * u;  // most mass near 1, as with a trained model
      // Overconfident: true error at confidence c is 1.6 x (1 - c).
      err[i] = rng.Uniform() < std::min(1.0, 1.6 * (1 - conf[i]));
    }
    std::vector<AuditObservation> audits;
    for (int j = 0; j < audits_n; ++j) {
      const size_t i = rng.Below(population);
      audits.push_back(Obs(conf[i], err[i]));
    }
    CertifyOptions o;
    o.epsilon = eps;
    o.delta = delta;
    const Certification c = Certify(audits, 1, o);
    // The naive rule the bound replaces: the lowest threshold whose audit error rate is <= eps.
    double naive = 2;
    for (double t : o.grid) {
      int n = 0, e = 0;
      for (const auto& a : audits) {
        if (a.confidence >= t) ++n, e += a.error;
      }
      if (n > 0 && static_cast<double>(e) / n <= eps) naive = t;
    }
    if (naive <= 1) {
      int acc = 0, bad = 0;
      for (int i = 0; i < population; ++i) {
        if (conf[i] >= naive) ++acc, bad += err[i];
      }
      naive_violations += acc > 0 && static_cast<double>(bad) / acc > eps;
    }
    if (!c.global.certified) continue;
    ++certified_runs;
    int acc = 0, bad = 0;
    for (int i = 0; i < population; ++i) {
      if (conf[i] >= c.global.threshold) {
        ++acc;
        bad += err[i];
      }
    }
    if (acc > 0 && static_cast<double>(bad) / acc > eps) ++violations;
  }
  EXPECT_GT(certified_runs, runs / 2) << "seed " << seed;
  // The problem is hard enough that the naive rule breaks the target often.
  EXPECT_GT(naive_violations, runs / 5) << "seed " << seed;
  EXPECT_LE(violations, static_cast<int>(delta * runs + 3 * std::sqrt(delta * runs))) << "seed " << seed;
}


TEST(QuantileGrid, CandidatesAreTheConfidencesAtFivePercentStepsOfThePool) {
  // 100 items with confidences 0.990, 0.989, ..., 0.891 (descending by index).
  std::vector<float> conf;
  for (int i = 0; i < 100; ++i) conf.push_back(0.99f - 0.001f * static_cast<float>(i));
  // The input order must not matter.
  std::vector<float> shuffled(conf.rbegin(), conf.rend());
  const std::vector<double> g = QuantileThresholdGrid(shuffled, 0.05);
  ASSERT_EQ(g.size(), 20u);
  for (int j = 1; j <= 20; ++j) {
    // The top 5j items: the smallest of them is item 5j - 1.
    EXPECT_EQ(g[j - 1], static_cast<double>(conf[5 * j - 1])) << j;
    const int accepted = static_cast<int>(
        std::count_if(conf.begin(), conf.end(), [&](float c) { return c >= g[j - 1]; }));
    EXPECT_EQ(accepted, 5 * j) << j;
  }
  EXPECT_EQ(g.back(), static_cast<double>(conf.back()));  // the last candidate accepts everything
}

TEST(QuantileGrid, StrictlyDescendingDeduplicatedAndBounded) {
  Rng rng(7);
  for (double step : {0.05, 0.1, 0.3, 1.0}) {
    for (int m : {1, 3, 19, 20, 21, 1000, 50000}) {
      std::vector<float> conf(m);
      // Many ties: confidences on a coarse lattice, a third of them exactly 1.
      for (auto& c : conf) c = rng.Uniform() < 0.33 ? 1.0f : 0.5f + 0.05f * static_cast<float>(rng.Below(10));
      const std::vector<double> g = QuantileThresholdGrid(conf, step);
      ASSERT_FALSE(g.empty());
      EXPECT_LE(g.size(), static_cast<size_t>(std::ceil(1.0 / step - 1e-9))) << step << " " << m;
      EXPECT_LE(g.size(), static_cast<size_t>(m));
      for (size_t j = 1; j < g.size(); ++j) EXPECT_GT(g[j - 1], g[j]) << step << " " << m << " " << j;
      EXPECT_EQ(g.back(), static_cast<double>(*std::min_element(conf.begin(), conf.end())));
      for (double t : g) {  // every candidate is a confidence of the pool
        EXPECT_NE(std::find(conf.begin(), conf.end(), static_cast<float>(t)), conf.end());
      }
    }
  }
  // All equal: one candidate.
  EXPECT_EQ(QuantileThresholdGrid(std::vector<float>(500, 0.9f)), std::vector<double>{static_cast<double>(0.9f)});
  EXPECT_TRUE(QuantileThresholdGrid({}).empty());
  EXPECT_TRUE(QuantileThresholdGrid(std::vector<float>{0.7f}, 0.0).empty());
  EXPECT_TRUE(QuantileThresholdGrid(std::vector<float>{0.7f}, 1.5).empty());
}

// The guarantee with the quantile grid: over many seeded runs of an overconfident synthetic model
// (true error 1.6 x (1 - confidence)), the grid is built from the population's confidences only,
// the audits are a uniform sample, and the realised precision of the accepted set is >= 1 - eps
// in at least 1 - delta of the runs (+ 3 sigma of sampling slack). The naive rule (lowest
// candidate whose audit error rate is <= eps) breaks the target in many runs on the same data,
// so the test can fail.
TEST(Certify, GuaranteeHoldsWithTheQuantileGridOverSeededRuns) {
  const uint64_t seed = 20261206;
  const double eps = 0.02, delta = 0.05;
  for (Bound bound : {Bound::kClopperPearson, Bound::kBetting}) {
    Rng rng(seed);
    const int runs = bound == Bound::kClopperPearson ? 300 : 60;
    const int population = 20000;
    const int audits_n = bound == Bound::kClopperPearson ? 2000 : 3000;
    int violations = 0, certified_runs = 0, naive_violations = 0, naive_runs = 0;
    std::vector<float> conf(population);
    std::vector<uint8_t> err(population);
    for (int r = 0; r < runs; ++r) {
      for (int i = 0; i < population; ++i) {
        const double u = rng.Uniform();
        conf[i] = static_cast<float>(1 - 0.5 * u * u);
        err[i] = rng.Uniform() < std::min(1.0, 1.6 * (1 - static_cast<double>(conf[i])));
      }
      CertifyOptions o;
      o.epsilon = eps;
      o.delta = delta;
      o.bound = bound;
      o.grid = QuantileThresholdGrid(conf);  // label-free: confidences only
      ASSERT_FALSE(o.grid.empty());
      std::vector<AuditObservation> audits;
      for (int j = 0; j < audits_n; ++j) {
        const size_t i = rng.Below(population);
        AuditObservation a = Obs(conf[i], err[i]);
        a.order = j;  // draw order (the betting bound reads it)
        audits.push_back(a);
      }
      const Certification c = Certify(audits, 1, o);
      auto realised_bad = [&](double t) {
        int acc = 0, bad = 0;
        for (int i = 0; i < population; ++i) {
          if (conf[i] >= t) ++acc, bad += err[i];
        }
        return acc > 0 && static_cast<double>(bad) / acc > eps;
      };
      double naive = 2;
      for (double t : o.grid) {
        int n = 0, e = 0;
        for (const auto& a : audits) {
          if (a.confidence >= t) ++n, e += a.error;
        }
        if (n > 0 && static_cast<double>(e) / n <= eps) naive = t;
      }
      if (naive <= 1) {
        ++naive_runs;
        naive_violations += realised_bad(naive);
      }
      if (!c.global.certified) continue;
      ++certified_runs;
      EXPECT_NE(std::find(o.grid.begin(), o.grid.end(), c.global.threshold), o.grid.end());
      violations += realised_bad(c.global.threshold);
    }
    const char* name = BoundName(bound);
    EXPECT_GT(certified_runs, runs / 3) << name << " seed " << seed;
    // (the same data; with the betting leg's larger audit sample the naive rule fails less often)
    EXPECT_GT(naive_violations, bound == Bound::kClopperPearson ? runs / 5 : runs / 10) << name << " seed " << seed << " (naive runs " << naive_runs << ")";
    EXPECT_LE(violations, static_cast<int>(delta * runs + 3 * std::sqrt(delta * runs)))
        << name << " seed " << seed << " certified " << certified_runs;
  }
}

}  // namespace
}  // namespace hitloop::loop

namespace hitloop::loop {
namespace {

std::vector<uint8_t> Bernoulli(Rng& rng, double p, int n) {
  std::vector<uint8_t> x(n);
  for (auto& v : x) v = rng.Uniform() < p ? 1 : 0;
  return x;
}

// Anytime validity: over many seeded streams, the true error rate is excluded at SOME prefix
// (sup over n of the capital reaches 1/delta) in at most delta of the streams (+ 3 sigma).
TEST(BettingBound, CoversTheTrueRateAtEveryPrefixInAtLeastOneMinusDeltaOfStreams) {
  const uint64_t seed = 20261205;
  Rng rng(seed);
  const int streams = 2000, n = 600;
  const double delta = 0.05;
  for (double p : {0.005, 0.02, 0.05}) {
    int miss = 0;
    for (int s = 0; s < streams; ++s) {
      const auto x = Bernoulli(rng, p, n);
      miss += BettingRejects(x, p, delta, 0.02);
    }
    const double slack = 3 * std::sqrt(delta * (1 - delta) / streams);
    EXPECT_LE(static_cast<double>(miss) / streams, delta + slack) << "p " << p << " seed " << seed;
  }
}

TEST(BettingBound, IsAnytimeMonotoneAndAboveTheEmpiricalRate) {
  Rng rng(7);
  const auto x = Bernoulli(rng, 0.005, 1500);
  double previous = 1.0;
  for (size_t m = 1; m <= x.size(); m += 37) {
    const std::span<const uint8_t> prefix(x.data(), m);
    const double u = BettingUpper(prefix, 0.05, 0.02);
    // The bound at n is the intersection over all prefixes: it never rises.
    EXPECT_LE(u, previous + 1e-9) << m;
    EXPECT_GT(u, 0.0) << m;
    previous = u;
  }
  EXPECT_LT(previous, 0.02);  // 1,500 audits at 0.5% certify 2%
  // Rejection is monotone in m: everything above the bound is rejected, nothing below.
  EXPECT_TRUE(BettingRejects(x, previous + 1e-6, 0.05, 0.02));
  EXPECT_FALSE(BettingRejects(x, previous * 0.9, 0.05, 0.02));
  EXPECT_EQ(BettingUpper({}, 0.05, 0.02), 1.0);
}

TEST(BettingBound, CleanAuditsNeededAndCertificationAgree) {
  const int64_t need = MinAuditsNeeded(0.02, 0.05, Bound::kBetting);
  EXPECT_EQ(MinAuditsNeeded(0.02, 0.05, Bound::kClopperPearson), 149);
  // A little more than Clopper-Pearson's 149: the price of validity at every sample size.
  EXPECT_GT(need, 149);
  EXPECT_LT(need, 200);
  const std::vector<uint8_t> clean(need, 0);
  EXPECT_LE(BettingUpper(clean, 0.05, 0.02), 0.02);
  EXPECT_GT(BettingUpper(std::span<const uint8_t>(clean.data(), need - 1), 0.05, 0.02), 0.02);
  std::vector<AuditObservation> audits;
  for (int64_t i = 0; i < need; ++i) audits.push_back(Obs(0.999, false));
  CertifyOptions o;
  EXPECT_EQ(o.bound, Bound::kClopperPearson);  // the default (loop.bound); betting is an option
  o.bound = Bound::kBetting;
  EXPECT_TRUE(Certify(audits, 2, o).global.certified);
  audits.pop_back();
  EXPECT_FALSE(Certify(audits, 2, o).global.certified);
  o.bound = Bound::kClopperPearson;
  EXPECT_TRUE(Certify(audits, 2, o).global.certified);  // 164 >= 149
}

// The bound reads the audits in audit order: with the errors first, the bettor bets small on the
// clean tail; with the errors last, it has already won. Both are valid; the order must be the
// draw order, never sorted by label.
TEST(BettingBound, ReadsAuditsInTheirOrder) {
  std::vector<AuditObservation> early, late;
  for (int i = 0; i < 400; ++i) {
    const bool err = i < 3;
    early.push_back(Obs(0.999, err));
    early.back().order = i;
    late.push_back(Obs(0.999, err));
    late.back().order = 400 - i;
  }
  CertifyOptions o;
  o.bound = Bound::kBetting;
  const auto a = Certify(early, 2, o), b = Certify(late, 2, o);
  EXPECT_NE(a.global.error_upper, b.global.error_upper);
}

}  // namespace
}  // namespace hitloop::loop

namespace hitloop::loop {
namespace {

// Seeded runs on an OVERCONFIDENT model (real error rate 1.6 x (1 - confidence)): 20,000 items,
// 2,000 uniform audits, odd runs on the quantile grid. `configure` sets the rule under test;
// counts the runs whose certified region's realised error exceeds epsilon.
struct SeededRuns {
  int runs = 0, certified = 0, violations = 0, exercised = 0;
};
template <typename Configure, typename Exercised>
SeededRuns GuaranteeOverSeededRuns(uint64_t seed, Configure configure, Exercised exercised) {
  const double eps = 0.02, delta = 0.05;
  Rng rng(seed);
  const int population = 20000, audits_n = 2000;
  SeededRuns out;
  out.runs = 300;
  std::vector<float> conf(population);
  std::vector<uint8_t> err(population);
  for (int r = 0; r < out.runs; ++r) {
    for (int i = 0; i < population; ++i) {
      const double u = rng.Uniform();
      conf[i] = static_cast<float>(1 - 0.5 * u * u);
      err[i] = rng.Uniform() < std::min(1.0, 1.6 * (1 - static_cast<double>(conf[i])));
    }
    CertifyOptions o;
    o.epsilon = eps;
    o.delta = delta;
    configure(o, r);
    if (r % 2 == 1) o.grid = QuantileThresholdGrid(conf);
    std::vector<AuditObservation> audits;
    for (int j = 0; j < audits_n; ++j) {
      const size_t i = rng.Below(population);
      audits.push_back(Obs(conf[i], err[i]));
    }
    const Certification c = Certify(audits, 1, o);
    out.exercised += exercised(c, o) ? 1 : 0;
    if (!c.global.certified) continue;
    ++out.certified;
    int acc = 0, bad = 0;
    for (int i = 0; i < population; ++i) {
      if (conf[i] >= c.global.threshold) ++acc, bad += err[i];
    }
    out.violations += acc > 0 && static_cast<double>(bad) / acc > eps;
  }
  return out;
}

int AllowedViolations(int runs, double delta = 0.05) {
  return static_cast<int>(delta * runs + 3 * std::sqrt(delta * runs));
}

// The power skip reads only confidences, so the guarantee must hold exactly as without it, here
// where its power estimate is optimistic (the model is overconfident).
TEST(Certify, GuaranteeHoldsWithThePowerSkipOverSeededRuns) {
  const uint64_t seed = 20261207;
  const SeededRuns s = GuaranteeOverSeededRuns(
      seed, [](CertifyOptions& o, int) { o.min_power = 0.5; },
      [](const Certification& c, const CertifyOptions&) { return c.global.skipped_low_power > 0; });
  EXPECT_GT(s.certified, s.runs / 3) << "seed " << seed;
  EXPECT_GT(s.exercised, s.runs / 10) << "seed " << seed;  // the skip is exercised (69 of 300)
  EXPECT_LE(s.violations, AllowedViolations(s.runs)) << "seed " << seed << " certified " << s.certified;
}

// The error tolerance reads only audit counts: the guarantee must hold as without it, with 1 and
// 2 tolerated errors and both grids.
TEST(Certify, GuaranteeHoldsWithErrorToleranceOverSeededRuns) {
  const uint64_t seed = 20261208;
  const SeededRuns s = GuaranteeOverSeededRuns(
      seed, [](CertifyOptions& o, int r) { o.tolerate_errors = 1 + (r / 2) % 2; },
      // exercised: the first tested candidate saw at least one error and still the sequence went on
      [](const Certification& c, const CertifyOptions&) {
        return c.global.certified && c.global.first_errors > 0;
      });
  EXPECT_GT(s.certified, s.runs / 3) << "seed " << seed;
  EXPECT_GT(s.exercised, s.runs / 10) << "seed " << seed;
  EXPECT_LE(s.violations, AllowedViolations(s.runs)) << "seed " << seed << " certified " << s.certified;
}

}  // namespace
}  // namespace hitloop::loop
