#pragma once
// A seeded synthetic pool for loop tests: k classes, each with its own block of 20 features;
// every item draws 3 features from its class block and 2 shared noise features; a fraction
// `mixed` also draws 2 features from another class's block (ambiguous items, lower confidence).
#include <string>
#include <vector>

#include "core/rng.h"
#include "model/classifier.h"
#include "text/sparse.h"

namespace hitloop::loop::testing {

struct SyntheticPool {
  std::vector<text::SparseRow> rows;
  std::vector<int> gold;
  std::vector<model::Example> examples;
  std::vector<std::string> labels;
};

inline SyntheticPool MakeSyntheticPool(int n, int k, uint64_t seed, double mixed = 0.2) {
  SyntheticPool p;
  Rng rng(seed);
  for (int c = 0; c < k; ++c) p.labels.push_back("c" + std::to_string(c));
  p.rows.resize(n);
  for (int i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.Below(k));
    text::SparseRow& r = p.rows[i];
    for (int j = 0; j < 3; ++j) r.push_back({static_cast<uint32_t>(c * 20 + rng.Below(20)), 1.0f});
    for (int j = 0; j < 2; ++j) r.push_back({static_cast<uint32_t>(k * 20 + rng.Below(40)), 1.0f});
    if (rng.Uniform() < mixed) {
      const int o = static_cast<int>((c + 1 + rng.Below(k - 1)) % k);
      for (int j = 0; j < 2; ++j) r.push_back({static_cast<uint32_t>(o * 20 + rng.Below(20)), 1.0f});
    }
    text::Canonicalize(&r);
    text::L2Normalize(&r);
    p.gold.push_back(c);
  }
  for (const auto& r : p.rows) p.examples.push_back({&r, ""});
  return p;
}

}  // namespace hitloop::loop::testing
