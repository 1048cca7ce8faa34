#include "autolabel/duplicates.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "autolabel/normalize.h"
#include "core/ids.h"
#include "core/rng.h"

namespace hitloop::autolabel {

const char* DuplicateKindName(DuplicateKind k) { return k == DuplicateKind::kExact ? "exact" : "near"; }

namespace {

// P[candidate | Jaccard s] = 1 - (1 - s^r)^b ; integrate with the midpoint rule.
double Integrate(double lo, double hi, int b, int r, bool false_positive) {
  const int steps = 200;
  const double dx = (hi - lo) / steps;
  double area = 0.0;
  for (int i = 0; i < steps; ++i) {
    const double s = lo + (i + 0.5) * dx;
    const double p = 1.0 - std::pow(1.0 - std::pow(s, r), b);
    area += (false_positive ? p : 1.0 - p) * dx;
  }
  return area;
}

struct UnionFind {
  std::vector<uint32_t> parent;
  uint32_t Find(uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  bool Union(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return false;
    if (a > b) std::swap(a, b);
    parent[b] = a;  // the smaller index stays root: the representative is the first seen
    return true;
  }
};

double Jaccard(const uint64_t* a, size_t na, const uint64_t* b, size_t nb) {
  if (na == 0 || nb == 0) return 0.0;
  size_t i = 0, j = 0, inter = 0;
  while (i < na && j < nb) {
    if (a[i] == b[j]) { ++inter; ++i; ++j; }
    else if (a[i] < b[j]) ++i;
    else ++j;
  }
  return static_cast<double>(inter) / static_cast<double>(na + nb - inter);
}

// Word-level Levenshtein distance of two token sequences, or max_d + 1 when it exceeds max_d.
size_t EditDistance(const uint64_t* a, size_t na, const uint64_t* b, size_t nb, size_t max_d) {
  if ((na > nb ? na - nb : nb - na) > max_d) return max_d + 1;
  std::vector<size_t> prev(nb + 1), cur(nb + 1);
  std::iota(prev.begin(), prev.end(), size_t{0});
  for (size_t i = 1; i <= na; ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= nb; ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({sub, prev[j] + 1, cur[j - 1] + 1});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max_d) return max_d + 1;  // every later row is at least this
    std::swap(prev, cur);
  }
  return prev[nb];
}

// Proposes candidate pairs among `rows` (indices of signatures in `sigs`, np values each): rows
// that agree on every value of some band. verify(slot_a, slot_b) gets each row's distinct slot:
// slot_of[row], or the row itself when slot_of is null.
template <class Verify>
void BandCandidates(const LshParams& lsh, size_t np, const std::vector<uint32_t>& sigs,
                    const std::vector<uint32_t>& rows, const std::vector<uint32_t>* slot_of,
                    size_t max_bucket_pairs, Verify&& verify) {
  const size_t r = static_cast<size_t>(lsh.rows);
  std::vector<std::pair<uint64_t, uint32_t>> bucket;
  bucket.reserve(rows.size());
  for (int band = 0; band < lsh.bands; ++band) {
    bucket.clear();
    for (uint32_t row : rows) {
      const uint32_t* sig = sigs.data() + row * np + static_cast<size_t>(band) * r;
      bucket.emplace_back(XXH3_64bits_withSeed(sig, r * sizeof(uint32_t), band),
                          slot_of ? (*slot_of)[row] : row);
    }
    std::sort(bucket.begin(), bucket.end());
    for (size_t s = 0; s < bucket.size();) {
      size_t e = s + 1;
      while (e < bucket.size() && bucket[e].first == bucket[s].first) ++e;
      const size_t run = e - s;
      if (run > 1) {
        if (run <= max_bucket_pairs) {
          for (size_t i = s; i < e; ++i)
            for (size_t j = i + 1; j < e; ++j) verify(bucket[i].second, bucket[j].second);
        } else {
          for (size_t i = s; i + 1 < e; ++i) verify(bucket[i].second, bucket[i + 1].second);
        }
      }
      s = e;
    }
  }
}

}  // namespace

LshParams ChooseLshParams(double threshold, int num_perm) {
  // Candidates are verified exactly, so a false positive costs one Jaccard computation while a
  // false negative loses a duplicate: among the bandings that propose a pair at the threshold with
  // probability >= 0.99, take the one proposing the fewest pairs below it.
  LshParams best{num_perm, 1};
  double best_fp = std::numeric_limits<double>::infinity();
  for (int b = 1; b <= num_perm; ++b) {
    for (int r = 1; r <= num_perm / b; ++r) {
      const double at_t = 1.0 - std::pow(1.0 - std::pow(threshold, r), b);
      if (at_t < 0.99) continue;
      const double fp = Integrate(0.0, threshold, b, r, true);
      if (fp < best_fp) { best_fp = fp; best = {b, r}; }
    }
  }
  return best;
}

struct DuplicateFinder::Impl {
  DuplicateOptions opt;
  LshParams lsh;
  LshParams edit_lsh;                         // banding of the word-set signatures of short texts
  std::vector<uint64_t> perm_a, perm_b;
  // Per added text.
  std::vector<uint64_t> exact_hash;
  std::vector<uint32_t> exact_first;          // index of the first text with the same normal form
  std::unordered_map<uint64_t, uint32_t> first_by_hash;
  // Per distinct text (first occurrence of each normal form).
  std::vector<uint32_t> distinct_index;       // distinct slot -> text index
  std::vector<uint32_t> signatures;           // distinct slot * num_perm
  std::vector<uint64_t> shingles;             // concatenated sorted shingle sets
  std::vector<uint64_t> shingle_offset{0};    // distinct slot -> [offset[i], offset[i+1])
  std::vector<uint64_t> words;                // token sequences of short texts, concatenated
  std::vector<uint64_t> word_offset{0};       // distinct slot -> [offset[i], offset[i+1]), empty if long
  // Per short distinct text.
  std::vector<uint32_t> short_slots;          // -> distinct slot
  std::vector<uint32_t> short_signatures;     // short slot * num_perm, over the word set

  // MinHash: permutation i maps hash x to (a_i x + b_i) mod 2^64 (a_i odd), keeping the high 32
  // bits; the signature holds the minimum per permutation.
  void AppendSignature(const std::vector<uint64_t>& xs, std::vector<uint32_t>& out) const {
    const size_t np = static_cast<size_t>(opt.num_perm);
    const size_t base = out.size();
    out.resize(base + np, std::numeric_limits<uint32_t>::max());
    uint32_t* sig = out.data() + base;
    const uint64_t* a = perm_a.data();
    const uint64_t* b = perm_b.data();
    for (uint64_t x : xs) {
      for (size_t i = 0; i < np; ++i) {
        const uint32_t v = static_cast<uint32_t>((a[i] * x + b[i]) >> 32);
        sig[i] = v < sig[i] ? v : sig[i];
      }
    }
  }
};

DuplicateFinder::DuplicateFinder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DuplicateFinder::~DuplicateFinder() = default;

Result<std::unique_ptr<DuplicateFinder>> DuplicateFinder::Create(const DuplicateOptions& o) {
  if (!(o.threshold > 0.0 && o.threshold <= 1.0))
    return InvalidArgument("threshold must be in (0, 1], got " + std::to_string(o.threshold));
  if (o.num_perm < 16 || o.num_perm > 1024)
    return InvalidArgument("num_perm must be in [16, 1024], got " + std::to_string(o.num_perm));
  if (o.shingle_words < 1 || o.shingle_words > 16)
    return InvalidArgument("shingle_words must be in [1, 16], got " + std::to_string(o.shingle_words));
  if (o.max_bucket_pairs < 2) return InvalidArgument("max_bucket_pairs must be >= 2");
  if (o.edit_min_words < 1 || o.edit_max_words < 0)
    return InvalidArgument("edit_min_words must be >= 1 and edit_max_words >= 0");
  auto impl = std::make_unique<Impl>();
  impl->opt = o;
  impl->lsh = ChooseLshParams(o.threshold, o.num_perm);
  impl->edit_lsh = ChooseLshParams(o.threshold / (2.0 - o.threshold), o.num_perm);
  Rng rng(o.seed);
  for (int i = 0; i < o.num_perm; ++i) {
    impl->perm_a.push_back(rng.NextU64() | 1ULL);  // odd multiplier: a bijection mod 2^64
    impl->perm_b.push_back(rng.NextU64());
  }
  return std::unique_ptr<DuplicateFinder>(new DuplicateFinder(std::move(impl)));
}

size_t DuplicateFinder::size() const { return impl_->exact_hash.size(); }
const LshParams& DuplicateFinder::lsh() const { return impl_->lsh; }

void DuplicateFinder::Add(std::string_view text) {
  Impl& m = *impl_;
  const uint32_t index = static_cast<uint32_t>(m.exact_hash.size());
  const std::string norm = NormalizeForHash(text);
  const uint64_t h = Hash64(norm);
  m.exact_hash.push_back(h);
  auto [it, inserted] = m.first_by_hash.emplace(h, index);
  m.exact_first.push_back(it->second);
  if (!inserted || !m.opt.near) return;

  // Distinct text: MinHash signature of its shingles; a short one also of its word set.
  const std::vector<uint64_t> tokens = TokenHashes(norm);
  const std::vector<uint64_t> sh = ShinglesOfTokens(tokens, m.opt.shingle_words);
  const uint32_t slot = static_cast<uint32_t>(m.distinct_index.size());
  m.distinct_index.push_back(index);
  m.shingles.insert(m.shingles.end(), sh.begin(), sh.end());
  m.shingle_offset.push_back(m.shingles.size());
  m.AppendSignature(sh, m.signatures);
  const size_t nw = tokens.size();
  if (nw >= static_cast<size_t>(m.opt.edit_min_words) && nw <= static_cast<size_t>(m.opt.edit_max_words)) {
    m.words.insert(m.words.end(), tokens.begin(), tokens.end());
    m.short_slots.push_back(slot);
    std::vector<uint64_t> word_set = tokens;
    std::sort(word_set.begin(), word_set.end());
    word_set.erase(std::unique(word_set.begin(), word_set.end()), word_set.end());
    m.AppendSignature(word_set, m.short_signatures);
  }
  m.word_offset.push_back(m.words.size());
}

std::vector<DuplicateGroup> DuplicateFinder::Groups() const {
  const Impl& m = *impl_;
  const size_t n = m.exact_hash.size();
  UnionFind uf;
  uf.parent.resize(n);
  std::iota(uf.parent.begin(), uf.parent.end(), 0u);
  std::vector<uint32_t> exact_count(n, 0);  // members sharing the normal form, per first index
  for (size_t i = 0; i < n; ++i) {
    uf.Union(static_cast<uint32_t>(i), m.exact_first[i]);
    ++exact_count[m.exact_first[i]];
  }
  std::vector<double> best_sim(n, 0.0);

  if (m.opt.near && m.distinct_index.size() > 1) {
    const size_t nd = m.distinct_index.size();
    const size_t np = static_cast<size_t>(m.opt.num_perm);
    // Already linked and both have a similarity: nothing new to learn from the pair.
    auto known = [&](uint32_t ia, uint32_t ib) {
      return best_sim[ia] > 0 && best_sim[ib] > 0 && uf.Find(ia) == uf.Find(ib);
    };
    auto link = [&](uint32_t ia, uint32_t ib, double s) {
      uf.Union(ia, ib);
      best_sim[ia] = std::max(best_sim[ia], s);
      best_sim[ib] = std::max(best_sim[ib], s);
    };
    std::unordered_set<uint64_t> verified;
    auto verify = [&](uint32_t da, uint32_t db) {
      if (da > db) std::swap(da, db);
      const uint32_t ia = m.distinct_index[da], ib = m.distinct_index[db];
      if (known(ia, ib)) return;
      if (!verified.insert((static_cast<uint64_t>(da) << 32) | db).second) return;
      const double s = Jaccard(m.shingles.data() + m.shingle_offset[da],
                               m.shingle_offset[da + 1] - m.shingle_offset[da],
                               m.shingles.data() + m.shingle_offset[db],
                               m.shingle_offset[db + 1] - m.shingle_offset[db]);
      if (s + 1e-12 >= m.opt.threshold) link(ia, ib, s);
    };
    std::vector<uint32_t> with_shingles;  // texts without tokens are exact duplicates only
    with_shingles.reserve(nd);
    for (size_t d = 0; d < nd; ++d)
      if (m.shingle_offset[d + 1] != m.shingle_offset[d]) with_shingles.push_back(static_cast<uint32_t>(d));
    BandCandidates(m.lsh, np, m.signatures, with_shingles, nullptr, m.opt.max_bucket_pairs, verify);

    // Word-edit route: collect the candidate pairs of every band, then verify each once (a sorted
    // vector is several times cheaper than a hash set of verified pairs here).
    auto verify_edit = [&](uint32_t da, uint32_t db) {
      const uint32_t ia = m.distinct_index[da], ib = m.distinct_index[db];
      if (known(ia, ib)) return;
      const size_t na = m.word_offset[da + 1] - m.word_offset[da];
      const size_t nb = m.word_offset[db + 1] - m.word_offset[db];
      const size_t longest = std::max(na, nb);
      const auto max_d = static_cast<size_t>((1.0 - m.opt.threshold) * static_cast<double>(longest) + 1e-9);
      const size_t d = EditDistance(m.words.data() + m.word_offset[da], na,
                                    m.words.data() + m.word_offset[db], nb, max_d);
      if (d > max_d) return;
      link(ia, ib, 1.0 - static_cast<double>(d) / static_cast<double>(longest));
    };
    if (m.short_slots.size() > 1) {
      std::vector<uint64_t> pairs;
      std::vector<uint32_t> short_rows(m.short_slots.size());
      std::iota(short_rows.begin(), short_rows.end(), 0u);
      BandCandidates(m.edit_lsh, np, m.short_signatures, short_rows, &m.short_slots,
                     m.opt.max_bucket_pairs, [&](uint32_t da, uint32_t db) {
                       if (da > db) std::swap(da, db);
                       pairs.push_back((static_cast<uint64_t>(da) << 32) | db);
                     });
      std::sort(pairs.begin(), pairs.end());
      pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
      for (uint64_t p : pairs) verify_edit(static_cast<uint32_t>(p >> 32), static_cast<uint32_t>(p));
    }
  }

  std::unordered_map<uint32_t, std::vector<uint32_t>> by_root;
  for (size_t i = 0; i < n; ++i) by_root[uf.Find(static_cast<uint32_t>(i))].push_back(static_cast<uint32_t>(i));
  std::vector<DuplicateGroup> groups;
  for (auto& [root, idx] : by_root) {
    if (idx.size() < 2) continue;
    DuplicateGroup g;
    g.representative = root;
    std::sort(idx.begin(), idx.end());
    for (uint32_t i : idx) {
      DuplicateMember mem;
      mem.index = i;
      mem.exact_of = m.exact_first[i];
      if (exact_count[m.exact_first[i]] >= 2) {
        mem.kind = DuplicateKind::kExact;
        mem.similarity = 1.0;
      } else {
        mem.kind = DuplicateKind::kNear;
        mem.similarity = best_sim[m.exact_first[i]];
      }
      g.members.push_back(mem);
    }
    groups.push_back(std::move(g));
  }
  std::sort(groups.begin(), groups.end(),
            [](const DuplicateGroup& a, const DuplicateGroup& b) { return a.representative < b.representative; });
  return groups;
}

Result<std::vector<DuplicateGroup>> FindDuplicates(const std::vector<std::string>& texts,
                                                   const DuplicateOptions& options) {
  ASSIGN_OR_RETURN(auto finder, DuplicateFinder::Create(options));
  for (const auto& t : texts) finder->Add(t);
  return finder->Groups();
}

}  // namespace hitloop::autolabel
