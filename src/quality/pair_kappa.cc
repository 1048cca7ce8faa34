// Pairwise Cohen's kappa with bootstrap intervals [Cohen 1960; Efron & Tibshirani 1993, ch. 13]
// (see agreement.cc for the references). Steps: count every pair's k x k contingency table in
// one pass over the items, keep the pairs sharing enough items, bootstrap each over its shared
// items, spread over threads.
#include "quality/pair_kappa.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <thread>
#include <unordered_map>

namespace hitloop::quality {
namespace {

// A small, fast generator for the pairs' bootstraps (SplitMix64, Steele et al. 2014): each pair
// gets its own stream seeded from (seed, pair), so the intervals do not depend on how the pairs
// are spread over threads, and hundreds of millions of draws stay cheap.
struct SplitMix64 {
  uint64_t state;
  uint64_t operator()() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (Lemire's multiply-shift).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>((*this)()) * n) >> 64); }
};

// Unweighted kappa of a flat k x k table of counts (the bootstrap's inner loop), in integer
// arithmetic up to the last division; false when undefined. `scratch`: 2k int64s.
bool FlatKappa(const int32_t* t, int k, int64_t* scratch, double* out) {
  int64_t* rows = scratch;
  int64_t* cols = scratch + k;
  std::fill(scratch, scratch + 2 * k, 0);
  int64_t total = 0, diagonal = 0;
  for (int i = 0; i < k; ++i) {
    const int32_t* row = t + static_cast<size_t>(i) * k;
    int64_t sum = 0;
    for (int j = 0; j < k; ++j) {
      sum += row[j];
      cols[j] += row[j];
    }
    rows[i] = sum;
    total += sum;
    diagonal += row[i];
  }
  if (total <= 0) return false;
  double chance_mass = 0.0;  // sum_i rows_i * cols_i, exact in double up to 2^53
  for (int i = 0; i < k; ++i) chance_mass += static_cast<double>(rows[i] * cols[i]);
  const double tt = static_cast<double>(total);
  const double p_e = chance_mass / (tt * tt);
  if (p_e >= 1.0 - 1e-12) return false;  // no variation: kappa undefined
  *out = (static_cast<double>(diagonal) / tt - p_e) / (1.0 - p_e);
  return true;
}

// Percentile interval by selection (no full sort): the pairs' inner loop.
void SelectPercentiles(std::vector<double>& reps, double confidence, Estimate* e) {
  e->replicates = static_cast<int>(reps.size());
  if (reps.empty()) {
    e->lower = e->upper = e->stats.value;
    return;
  }
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(reps.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(reps.size() - 1, lo + 1);
    const double f = pos - static_cast<double>(lo);
    std::nth_element(reps.begin(), reps.begin() + static_cast<std::ptrdiff_t>(lo), reps.end());
    const double a = reps[lo];
    // After nth_element, the smallest element right of lo is the (lo+1)-th order statistic.
    const double b = hi == lo ? a : *std::min_element(reps.begin() + static_cast<std::ptrdiff_t>(hi), reps.end());
    return a * (1.0 - f) + b * f;
  };
  e->lower = at((1.0 - confidence) / 2.0);
  e->upper = at((1.0 + confidence) / 2.0);
}

// Every pair's k x k contingency table, flat, in order of first meeting. A pair's key is
// a * n_raters + b with a < b (columns are sorted by name, so sorted keys give the (a, b) order).
struct PairTables {
  int k = 0;
  int64_t n_raters = 0;
  size_t cells_per = 0;
  std::vector<uint64_t> keys;
  std::vector<int32_t> cells;

  const int32_t* Table(size_t i) const { return &cells[i * cells_per]; }
  int64_t Shared(size_t i) const {
    int64_t shared = 0;
    for (size_t c = 0; c < cells_per; ++c) shared += Table(i)[c];
    return shared;
  }
};

// One pass over the items; the pair index is dense when the annotators are few enough (a hash
// map otherwise).
PairTables CountPairs(const RatingTable& table) {
  PairTables p;
  p.k = table.num_categories();
  p.n_raters = table.num_annotators();
  p.cells_per = static_cast<size_t>(p.k) * p.k;
  const bool dense = p.n_raters <= 2048;
  std::vector<int32_t> dense_index(dense ? static_cast<size_t>(p.n_raters * p.n_raters) : 0, -1);
  std::unordered_map<uint64_t, int32_t> sparse_index;
  auto index_of = [&](uint64_t key) -> int32_t {
    int32_t* slot = nullptr;
    if (dense) {
      slot = &dense_index[key];
    } else {
      slot = &sparse_index.emplace(key, -1).first->second;
    }
    if (*slot < 0) {
      *slot = static_cast<int32_t>(p.keys.size());
      p.keys.push_back(key);
      p.cells.resize(p.cells.size() + p.cells_per, 0);
    }
    return *slot;
  };
  std::vector<std::pair<int32_t, int32_t>> row_answers;
  for (int row = 0; row < table.num_items(); ++row) {
    row_answers.clear();
    for (int32_t j = table.row_start[row]; j < table.row_start[row + 1]; ++j) {
      // A repeated rating by the same annotator: the first counts.
      if (!row_answers.empty() && row_answers.back().first == table.rater[j]) continue;
      row_answers.emplace_back(table.rater[j], table.value[j]);
    }
    for (size_t x = 0; x < row_answers.size(); ++x) {
      for (size_t y = x + 1; y < row_answers.size(); ++y) {
        const uint64_t key = static_cast<uint64_t>(row_answers[x].first) * p.n_raters + row_answers[y].first;
        const int32_t idx = index_of(key);
        ++p.cells[static_cast<size_t>(idx) * p.cells_per +
                  static_cast<size_t>(row_answers[x].second) * p.k + row_answers[y].second];
      }
    }
  }
  return p;
}

// Indices of the pairs sharing at least min_shared items, in (a, b) order.
std::vector<int32_t> PairsToReport(const PairTables& p, int64_t min_shared, int64_t* below) {
  std::vector<int32_t> order;
  order.reserve(p.keys.size());
  for (size_t i = 0; i < p.keys.size(); ++i) {
    if (p.Shared(i) < min_shared) {
      ++*below;
      continue;
    }
    order.push_back(static_cast<int32_t>(i));
  }
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return p.keys[a] < p.keys[b]; });
  return order;
}

// Pairs sharing at most this many items bootstrap from shared prefix sums (see Prefix).
constexpr uint64_t kPrefixMaxShared = 4096;

// One thread's bootstrap of pairs' kappas; holds its scratch buffers and prefix cache.
class PairBootstrap {
 public:
  PairBootstrap(int k, int replicates, uint64_t seed, double confidence)
      : k_(k), cells_per_(static_cast<size_t>(k) * k), replicates_(replicates), seed_(seed),
        confidence_(confidence), start_(cells_per_ + 1), scratch_(2 * static_cast<size_t>(k)),
        w_(cells_per_) {}

  // The interval of e (whose point is set) from `shared` items laid out in table t.
  void Interval(const int32_t* t, uint64_t key, uint64_t shared, Estimate* e) {
    reps_.clear();
    if (shared <= kPrefixMaxShared) {
      FromPrefixSums(t, shared);
    } else {
      ItemByItem(t, key, shared);
    }
    SelectPercentiles(reps_, confidence_, e);
  }

 private:
  // Bootstrap draw counts for n shared items, as prefix sums over positions, one row of n + 1
  // per replicate; the same for every pair with n shared items (each pair's interval is still
  // its own percentile bootstrap; pairs' intervals are merely not independent of each other).
  // Seeded from (seed, n), so they do not depend on the thread that makes them.
  const std::vector<int32_t>& Prefix(uint64_t n) {
    auto it = prefix_cache_.find(n);
    if (it != prefix_cache_.end()) return it->second;
    std::vector<int32_t> prefix(static_cast<size_t>(replicates_) * (n + 1));
    std::vector<int32_t> count(n);
    SplitMix64 rng{seed_ ^ (n * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL)};
    for (int r = 0; r < replicates_; ++r) {
      std::fill(count.begin(), count.end(), 0);
      for (uint64_t d = 0; d < n; ++d) ++count[rng.Below(n)];
      int32_t* row = &prefix[static_cast<size_t>(r) * (n + 1)];
      row[0] = 0;
      for (uint64_t j = 0; j < n; ++j) row[j + 1] = row[j] + count[j];
    }
    return prefix_cache_.emplace(n, std::move(prefix)).first->second;
  }

  // The shared items laid out cell by cell: cell c holds positions [start[c], start[c+1]). A
  // replicate's draw counts per position come as prefix sums, so a cell's count is one
  // subtraction (O(k^2) per replicate instead of O(shared)).
  void FromPrefixSums(const int32_t* t, uint64_t n) {
    const std::vector<int32_t>& prefix = Prefix(n);
    start_[0] = 0;
    for (size_t c = 0; c < cells_per_; ++c) start_[c + 1] = start_[c] + t[c];
    for (int r = 0; r < replicates_; ++r) {
      const int32_t* pr = &prefix[static_cast<size_t>(r) * (n + 1)];
      for (size_t c = 0; c < cells_per_; ++c) w_[c] = pr[start_[c + 1]] - pr[start_[c]];
      Add();
    }
  }

  // Many shared items: draw them one by one from the pair's own stream.
  void ItemByItem(const int32_t* t, uint64_t key, uint64_t n) {
    draw_cells_.clear();
    for (size_t c = 0; c < cells_per_; ++c) draw_cells_.insert(draw_cells_.end(), t[c], static_cast<int32_t>(c));
    SplitMix64 rng{seed_ ^ (key * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL)};
    for (int r = 0; r < replicates_; ++r) {
      std::fill(w_.begin(), w_.end(), 0);
      for (uint64_t d = 0; d < n; ++d) ++w_[draw_cells_[rng.Below(n)]];
      Add();
    }
  }

  void Add() {
    double v = 0.0;
    if (FlatKappa(w_.data(), k_, scratch_.data(), &v)) reps_.push_back(v);
  }

  const int k_;
  const size_t cells_per_;
  const int replicates_;
  const uint64_t seed_;
  const double confidence_;
  std::unordered_map<uint64_t, std::vector<int32_t>> prefix_cache_;  // by n
  std::vector<int32_t> start_;
  std::vector<int64_t> scratch_;
  std::vector<int32_t> w_, draw_cells_;
  std::vector<double> reps_;
};

// Runs work(begin, end) over [0, n) in `threads` contiguous chunks.
void SpreadOverThreads(size_t n, int threads, const std::function<void(size_t, size_t)>& work) {
  threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(1, threads)), std::max<size_t>(1, n)));
  if (threads == 1) {
    work(0, n);
    return;
  }
  std::vector<std::thread> pool;
  const size_t chunk = (n + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    const size_t begin = std::min(n, t * chunk), end = std::min(n, begin + chunk);
    pool.emplace_back(work, begin, end);
  }
  for (auto& th : pool) th.join();
}

}  // namespace

Status PairwiseKappas(const RatingTable& table, const AgreementOptions& options,
                      AgreementSummary* out) {
  const PairTables p = CountPairs(table);
  const std::vector<int32_t> order = PairsToReport(p, options.min_shared_items, &out->pairs_below_min);
  out->pairs.assign(order.size(), PairAgreement{});
  const BootstrapOptions& b = options.bootstrap;
  const int replicates = std::min(b.replicates, options.pair_replicates);
  auto work = [&](size_t begin, size_t end) {
    PairBootstrap boot(p.k, replicates, b.seed, b.confidence);
    std::vector<std::vector<int64_t>> m(p.k, std::vector<int64_t>(p.k));
    for (size_t o = begin; o < end; ++o) {
      const int32_t i = order[o];
      const uint64_t key = p.keys[i];
      const int32_t* t = p.Table(i);
      PairAgreement& pair = out->pairs[o];
      pair.a = table.annotators[key / p.n_raters];
      pair.b = table.annotators[key % p.n_raters];
      for (int x = 0; x < p.k; ++x) {
        for (int y = 0; y < p.k; ++y) m[x][y] = t[static_cast<size_t>(x) * p.k + y];
      }
      pair.shared = p.Shared(i);
      SetPoint(CohensKappaFromCounts(m), &pair.kappa);
      if (!pair.kappa.defined || replicates <= 0) continue;
      boot.Interval(t, key, static_cast<uint64_t>(pair.shared), &pair.kappa);
    }
  };
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Threads pay off only with enough bootstrap work to share.
  if (order.size() * static_cast<size_t>(std::max(1, replicates)) < 200000) threads = 1;
  SpreadOverThreads(order.size(), threads, work);
  return Status::Ok();
}

}  // namespace hitloop::quality
