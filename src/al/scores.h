#pragma once
// Per-candidate uncertainty measures over a class distribution p (k entries summing to 1), and
// the top-k selection every score-based strategy shares. Higher score = more informative.
// Thread-safe (pure functions).
#include <cstddef>
#include <span>
#include <vector>

#include "core/rng.h"

namespace hitloop::al {

// 1 - max_k p_k (Lewis & Gale 1994; Settles 2009 §3.1).
double LeastConfidence(std::span<const float> p);
// -(p_(1) - p_(2)): smaller gap between the top two classes = more informative
// (Scheffer et al. 2001; "breaking ties", Schröder et al. 2022).
double NegMargin(std::span<const float> p);
// -Σ p_k ln p_k (Shannon 1948; Settles 2009).
double Entropy(std::span<const float> p);

// Positions of the `batch` largest scores, largest first; exact ties are broken at random.
std::vector<size_t> TopK(std::span<const double> scores, size_t batch, Rng& rng);

// Applies `measure` to every row of ctx-style row-major probs (n × k).
template <typename F>
std::vector<double> ScoreRows(std::span<const float> probs, size_t n, int k, F&& measure) {
  std::vector<double> s(n);
  for (size_t i = 0; i < n; ++i) s[i] = measure(probs.subspan(i * k, k));
  return s;
}

}  // namespace hitloop::al
