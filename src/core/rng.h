#pragma once
// Rng: seeded randomness. Every randomised component takes an explicit seed so runs repeat.
// Not thread-safe: give each thread its own Rng.
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace hitloop {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t NextU64() { return engine_(); }
  // Uniform in [0, 1).
  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
  // Uniform integer in [0, n). n must be > 0.
  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(engine_); }
  template <typename T>
  void Shuffle(std::vector<T>& v) { std::shuffle(v.begin(), v.end(), engine_); }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace hitloop
