#pragma once
// ParallelFor: split [0, n) into `threads` contiguous chunks and run fn(begin, end) on each, the
// first chunk on the calling thread. Below `min_parallel` items (or with one thread) it is a plain
// call fn(0, n). fn must be safe to run concurrently on disjoint ranges; the chunking is fixed by
// n and threads, so results written per index are identical for any thread count.
// DefaultThreads(): the machine's cores (at least 1).
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace hitloop {

inline int DefaultThreads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

template <typename F>
void ParallelFor(size_t n, int threads, size_t min_parallel, F&& fn) {
  threads = std::max(1, threads);
  if (n < min_parallel || threads == 1) {
    fn(size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  const size_t chunk = (n + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads);
  for (int t = 1; t < threads; ++t) {
    const size_t b = std::min(n, chunk * static_cast<size_t>(t));
    const size_t e = std::min(n, chunk * static_cast<size_t>(t + 1));
    if (b < e) pool.emplace_back([&fn, b, e] { fn(b, e); });
  }
  fn(size_t{0}, std::min(n, chunk));
  for (auto& th : pool) th.join();
}

}  // namespace hitloop
