// Speed target of the loop: routing + certification (+ AL order of the review batch + the audit
// draw) over a 1M-item pool in <= 5 s per cycle. A benchmark, not a timed test: it is DISABLED_
// in the fast tier; bench/loop/run.sh runs it with --gtest_also_run_disabled_tests and records the
// printed time in bench/RESULTS.md.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "core/rng.h"
#include "loop/plan.h"

namespace hitloop::loop {
namespace {

TEST(PlanBench, DISABLED_DecideOnOneMillionItems) {
  const size_t n = 1'000'000;
  const int k = 10;
  Rng rng(1);
  CyclePlan plan;
  plan.probs.resize(n * k);
  for (size_t i = 0; i < n; ++i) {
    // A peaked distribution: the top class gets most of the mass.
    float* p = plan.probs.data() + i * k;
    float sum = 0;
    const int top = static_cast<int>(rng.Below(k));
    for (int c = 0; c < k; ++c) {
      p[c] = static_cast<float>(rng.Uniform()) * (c == top ? 40.0f : 1.0f);
      sum += p[c];
    }
    for (int c = 0; c < k; ++c) p[c] /= sum;
  }
  plan.novelty.assign(n, 0.1);
  plan.cold_class.assign(k, 0);
  std::vector<int> train(n, -1), audit(n, -1);
  for (size_t i = 0; i < 2000; ++i) {
    const size_t j = rng.Below(n);
    const float* p = plan.probs.data() + j * k;
    audit[j] = static_cast<int>(std::max_element(p, p + k) - p);
  }
  std::vector<uint8_t> was_auto(n, 0);
  std::vector<model::Example> ex(n);  // unused by the decision core
  PlanInput in;
  for (int c = 0; c < k; ++c) in.labels.push_back("c" + std::to_string(c));
  in.pool = ex;
  in.train_label = train;
  in.audit_label = audit;
  in.was_auto = was_auto;
  in.config.review_batch = 1000;
  in.config.audit_per_cycle = 100;
  for (bool per_class : {false, true}) {
    in.config.per_class = per_class;
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(DecideFromPredictions(in, &plan).ok());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("decide (certify + route + AL order + audit draw), %zu items, %d classes, %s: %.3f s, "
                "accepted %lld\n",
                n, k, per_class ? "per-class" : "global", s, static_cast<long long>(plan.routing.accepted));
    EXPECT_GT(plan.routing.accepted + plan.routing.review, 0);
  }
}

}  // namespace
}  // namespace hitloop::loop
