// Agreement coefficients.
//
// References:
//   [Cohen 1960]  J. Cohen, "A coefficient of agreement for nominal scales", Educational and
//                 Psychological Measurement 20(1):37-46. kappa = (p_o - p_e) / (1 - p_e).
//   [Cohen 1968]  J. Cohen, "Weighted kappa", Psychological Bulletin 70(4):213-220.
//   [Fleiss 1971] J. L. Fleiss, "Measuring nominal scale agreement among many raters",
//                 Psychological Bulletin 76(5):378-382. Eqs. (1)-(6): p_j, P_i, P-bar, P-bar_e.
//   [Krippendorff 2011] K. Krippendorff, "Computing Krippendorff's Alpha-Reliability",
//                 Annenberg School for Communication, Departmental Papers 43. Sections C-E:
//                 coincidence matrix o_ck = sum_u (number of c-k pairs in unit u) / (m_u - 1),
//                 n_c = sum_k o_ck, alpha = 1 - (n - 1) sum o_ck d2_ck / sum n_c n_k d2_ck with the
//                 metric d2 of the level.
//   [Efron & Tibshirani 1993] An Introduction to the Bootstrap, ch. 13: percentile intervals.
//                 Units (items) are resampled; a replicate draws the multinomial counts of the
//                 distinct item answer patterns, which is the same distribution as drawing items.
#include "quality/agreement.h"

#include "quality/pair_kappa.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <unordered_map>

namespace hitloop::quality {
namespace {

// Chance-corrected coefficient; caller has checked chance < 1.
AgreementStats Corrected(double observed, double chance, int64_t items, int64_t ratings) {
  AgreementStats s;
  s.observed_agreement = observed;
  s.chance_agreement = chance;
  s.value = (observed - chance) / (1.0 - chance);
  s.items_used = items;
  s.ratings_used = ratings;
  return s;
}

// Chance agreement this close to 1 means a single category was used: the coefficient is 0/0.
bool NoVariation(double chance) { return chance >= 1.0 - 1e-12; }

Status CheckNonEmpty(const RatingTable& table) {
  if (table.num_items() == 0) return InvalidArgument("quality: no items rated");
  return Status::Ok();
}

// One item's answers as (category, count) sorted by category.
using Pattern = std::vector<std::pair<int32_t, int32_t>>;

Pattern RowPattern(const RatingTable& t, int row, std::vector<int32_t>& scratch) {
  scratch.assign(t.num_categories(), 0);
  for (int32_t j = t.row_start[row]; j < t.row_start[row + 1]; ++j) ++scratch[t.value[j]];
  Pattern p;
  for (int32_t c = 0; c < t.num_categories(); ++c) {
    if (scratch[c] > 0) p.emplace_back(c, scratch[c]);
  }
  return p;
}

struct PatternHash {
  size_t operator()(const Pattern& p) const {
    uint64_t h = 1469598103934665603ull;
    for (auto [c, n] : p) {
      h = (h ^ static_cast<uint64_t>(c)) * 1099511628211ull;
      h = (h ^ static_cast<uint64_t>(n)) * 1099511628211ull;
    }
    return static_cast<size_t>(h);
  }
};

// The pairable items (>= 2 ratings) grouped by answer pattern.
struct Patterns {
  std::vector<Pattern> patterns;
  std::vector<int32_t> m;      // ratings per pattern
  std::vector<int64_t> freq;   // items with the pattern
  int64_t items = 0;           // pairable items
  int64_t ratings = 0;
};

Patterns GroupPatterns(const RatingTable& t) {
  Patterns out;
  std::unordered_map<Pattern, int32_t, PatternHash> index;
  std::vector<int32_t> scratch;
  for (int row = 0; row < t.num_items(); ++row) {
    const int m = t.RatingsInRow(row);
    if (m < 2) continue;
    ++out.items;
    out.ratings += m;
    Pattern p = RowPattern(t, row, scratch);
    auto [it, fresh] = index.emplace(std::move(p), static_cast<int32_t>(out.patterns.size()));
    if (fresh) {
      out.patterns.push_back(it->first);
      out.m.push_back(m);
      out.freq.push_back(0);
    }
    ++out.freq[it->second];
  }
  return out;
}

// Weighted sums over patterns from which every statistic follows.
struct Sums {
  double weight = 0.0;          // items
  double ratings = 0.0;
  double percent = 0.0;         // sum w * (agreeing pairs / pairs)
  double fleiss = 0.0;          // sum w * sum_j n_j (n_j - 1) / (m (m - 1))
  bool equal_m = true;
  int32_t m = -1;
  std::vector<double> category;  // sum w * n_j
  std::vector<double> o;         // coincidences, k x k
};

Sums Accumulate(const Patterns& ps, const std::vector<int64_t>& weights, int k) {
  Sums s;
  s.category.assign(k, 0.0);
  s.o.assign(static_cast<size_t>(k) * k, 0.0);
  for (size_t i = 0; i < ps.patterns.size(); ++i) {
    const double w = static_cast<double>(weights[i]);
    if (w == 0.0) continue;
    const Pattern& p = ps.patterns[i];
    const double m = ps.m[i];
    if (s.m >= 0 && s.m != ps.m[i]) s.equal_m = false;
    s.m = ps.m[i];
    s.weight += w;
    s.ratings += w * m;
    double same = 0.0;
    for (auto [c, n] : p) {
      same += static_cast<double>(n) * (n - 1);
      s.category[c] += w * n;
      for (auto [c2, n2] : p) {
        const double pairs = static_cast<double>(n) * (c == c2 ? n2 - 1 : n2);
        s.o[static_cast<size_t>(c) * k + c2] += w * pairs / (m - 1.0);
      }
    }
    s.percent += w * same / (m * (m - 1.0));
    s.fleiss += w * same / (m * (m - 1.0));
  }
  return s;
}

Result<AgreementStats> PercentFromSums(const Sums& s) {
  if (s.weight <= 0.0) return FailedPrecondition("quality: no item has two ratings to compare");
  AgreementStats a;
  a.value = a.observed_agreement = s.percent / s.weight;
  a.items_used = static_cast<int64_t>(s.weight);
  a.ratings_used = static_cast<int64_t>(s.ratings);
  return a;
}

Result<AgreementStats> FleissFromSums(const Sums& s) {
  if (s.weight <= 0.0) return FailedPrecondition("quality: no item has two ratings to compare");
  if (!s.equal_m) {
    return InvalidArgument(
        "quality: Fleiss' kappa needs the same number of ratings per item; use Krippendorff's "
        "alpha");
  }
  const double p_bar = s.fleiss / s.weight;
  double p_e = 0.0;
  for (double c : s.category) p_e += (c / s.ratings) * (c / s.ratings);
  if (NoVariation(p_e)) {
    return FailedPrecondition("quality: Fleiss' kappa undefined: every rating uses one category");
  }
  return Corrected(p_bar, p_e, static_cast<int64_t>(s.weight), static_cast<int64_t>(s.ratings));
}

Result<AgreementStats> AlphaFromCoincidences(const std::vector<double>& o, int k, Level level,
                                             const std::vector<double>& values, int64_t items) {
  std::vector<double> n_c(k, 0.0);
  double n = 0.0;
  for (int c = 0; c < k; ++c) {
    for (int d = 0; d < k; ++d) n_c[c] += o[static_cast<size_t>(c) * k + d];
    n += n_c[c];
  }
  if (items == 0 || n <= 1.0) return FailedPrecondition("quality: no item has two ratings to compare");
  // Ordinal: ranks by value; d_ck = sum of n_g over the ranks from c to k, minus (n_c + n_k) / 2.
  std::vector<int> order(k);
  for (int c = 0; c < k; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return values[a] < values[b]; });
  std::vector<int> rank(k);
  for (int r = 0; r < k; ++r) rank[order[r]] = r;
  std::vector<double> cumulative(k + 1, 0.0);  // by rank
  for (int r = 0; r < k; ++r) cumulative[r + 1] = cumulative[r] + n_c[order[r]];
  auto d2 = [&](int c, int d) -> double {
    if (c == d) return 0.0;
    switch (level) {
      case Level::kNominal: return 1.0;
      case Level::kOrdinal: {
        int lo = std::min(rank[c], rank[d]), hi = std::max(rank[c], rank[d]);
        double x = cumulative[hi + 1] - cumulative[lo] - (n_c[c] + n_c[d]) / 2.0;
        return x * x;
      }
      case Level::kInterval: return (values[c] - values[d]) * (values[c] - values[d]);
      case Level::kRatio: {
        double sum = values[c] + values[d];
        if (sum == 0.0) return 0.0;
        double x = (values[c] - values[d]) / sum;
        return x * x;
      }
    }
    return 1.0;
  };
  double observed = 0.0, expected = 0.0;
  for (int c = 0; c < k; ++c) {
    for (int d = 0; d < k; ++d) {
      double w = d2(c, d);
      if (w == 0.0) continue;
      observed += o[static_cast<size_t>(c) * k + d] * w;
      expected += n_c[c] * n_c[d] * w;
    }
  }
  const double d_o = observed / n;
  const double d_e = expected / (n * (n - 1.0));
  if (!(d_e > 1e-12 * std::max(1.0, d_o))) {
    return FailedPrecondition(
        "quality: Krippendorff's alpha undefined: every pairable rating uses one value");
  }
  AgreementStats a;
  a.observed_agreement = 1.0 - d_o;
  a.chance_agreement = 1.0 - d_e;
  a.value = 1.0 - d_o / d_e;
  a.items_used = items;
  a.ratings_used = static_cast<int64_t>(std::llround(n));
  return a;
}

// Multinomial draw of `total` units over cells with counts `freq` (sequential binomials).
void Multinomial(int64_t total, const std::vector<int64_t>& freq, std::mt19937_64& rng,
                 std::vector<int64_t>* out) {
  out->assign(freq.size(), 0);
  double mass = 0.0;
  for (int64_t f : freq) mass += static_cast<double>(f);
  int64_t left = total;
  for (size_t i = 0; i < freq.size() && left > 0; ++i) {
    if (freq[i] == 0) continue;
    const double p = std::min(1.0, static_cast<double>(freq[i]) / mass);
    int64_t x = p >= 1.0 ? left : std::binomial_distribution<int64_t>(left, p)(rng);
    (*out)[i] = x;
    left -= x;
    mass -= static_cast<double>(freq[i]);
  }
}

// Percentile interval from replicate values.
void Percentiles(std::vector<double>& reps, double confidence, Estimate* e) {
  e->replicates = static_cast<int>(reps.size());
  if (reps.empty()) {
    e->lower = e->upper = e->stats.value;
    return;
  }
  std::sort(reps.begin(), reps.end());
  auto at = [&](double q) {
    double pos = q * static_cast<double>(reps.size() - 1);
    size_t lo = static_cast<size_t>(std::floor(pos));
    size_t hi = std::min(reps.size() - 1, lo + 1);
    double f = pos - static_cast<double>(lo);
    return reps[lo] * (1.0 - f) + reps[hi] * f;
  };
  e->lower = at((1.0 - confidence) / 2.0);
  e->upper = at((1.0 + confidence) / 2.0);
}


Result<std::vector<double>> ValuesFor(const RatingTable& table, const std::vector<double>& values) {
  if (values.empty()) return CategoryValues(table.categories);
  if (static_cast<int>(values.size()) != table.num_categories()) {
    return InvalidArgument("quality: " + std::to_string(values.size()) + " category values for " +
                           std::to_string(table.num_categories()) + " categories");
  }
  return values;
}

}  // namespace

void SetPoint(const Result<AgreementStats>& r, Estimate* e) {
  e->defined = r.ok();
  if (r.ok()) {
    e->stats = *r;
    e->lower = e->upper = r->value;
  } else {
    e->reason = r.status().message();
    const std::string prefix = "quality: ";
    if (e->reason.rfind(prefix, 0) == 0) e->reason = e->reason.substr(prefix.size());
  }
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kNominal: return "nominal";
    case Level::kOrdinal: return "ordinal";
    case Level::kInterval: return "interval";
    case Level::kRatio: return "ratio";
  }
  return "nominal";
}

std::vector<double> CategoryValues(const std::vector<std::string>& categories) {
  std::vector<double> out;
  out.reserve(categories.size());
  for (const std::string& c : categories) {
    char* end = nullptr;
    double v = std::strtod(c.c_str(), &end);
    if (c.empty() || end != c.c_str() + c.size() || !std::isfinite(v)) {
      out.clear();
      break;
    }
    out.push_back(v);
  }
  if (out.size() == categories.size()) return out;
  out.clear();
  for (size_t i = 0; i < categories.size(); ++i) out.push_back(static_cast<double>(i + 1));
  return out;
}

Result<AgreementStats> PercentAgreement(const RatingTable& table) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  Patterns ps = GroupPatterns(table);
  return PercentFromSums(Accumulate(ps, ps.freq, table.num_categories()));
}

Result<AgreementStats> CohensKappa(const RatingTable& table, const std::string& rater_a,
                                   const std::string& rater_b) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  int a = table.AnnotatorIndex(rater_a);
  int b = table.AnnotatorIndex(rater_b);
  if (a < 0) return InvalidArgument("quality: unknown annotator '" + rater_a + "'");
  if (b < 0) return InvalidArgument("quality: unknown annotator '" + rater_b + "'");
  if (a == b) return InvalidArgument("quality: Cohen's kappa needs two different annotators");
  const int k = table.num_categories();
  std::vector<std::vector<int64_t>> counts(k, std::vector<int64_t>(k, 0));
  int64_t shared = 0;
  for (int row = 0; row < table.num_items(); ++row) {
    int x = table.Cell(row, a), y = table.Cell(row, b);
    if (x == kMissing || y == kMissing) continue;
    ++counts[x][y];
    ++shared;
  }
  if (shared == 0) {
    return FailedPrecondition("quality: annotators '" + rater_a + "' and '" + rater_b +
                              "' share no rated item");
  }
  return CohensKappaFromCounts(counts);
}

Result<AgreementStats> CohensKappaFromCounts(const std::vector<std::vector<int64_t>>& counts,
                                             KappaWeights weights) {
  const size_t k = counts.size();
  if (k == 0) return InvalidArgument("quality: empty contingency table");
  std::vector<double> row_sum(k, 0.0), col_sum(k, 0.0);
  double total = 0.0;
  for (size_t i = 0; i < k; ++i) {
    if (counts[i].size() != k) return InvalidArgument("quality: contingency table is not square");
    for (size_t j = 0; j < k; ++j) {
      if (counts[i][j] < 0) return InvalidArgument("quality: negative count in contingency table");
      double c = static_cast<double>(counts[i][j]);
      row_sum[i] += c;
      col_sum[j] += c;
      total += c;
    }
  }
  if (total == 0.0) return InvalidArgument("quality: contingency table has no items");
  auto w = [&](size_t i, size_t j) -> double {
    if (i == j) return 1.0;
    if (weights == KappaWeights::kNone || k < 2) return 0.0;
    double d = std::abs(static_cast<double>(i) - static_cast<double>(j)) / static_cast<double>(k - 1);
    return weights == KappaWeights::kLinear ? 1.0 - d : 1.0 - d * d;
  };
  // [Cohen 1960/1968]: p_o = sum_ij w_ij p_ij, p_e = sum_ij w_ij p_i. p_.j
  double p_o = 0.0, p_e = 0.0;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) {
      double wij = w(i, j);
      if (wij == 0.0) continue;
      p_o += wij * static_cast<double>(counts[i][j]) / total;
      p_e += wij * (row_sum[i] / total) * (col_sum[j] / total);
    }
  }
  if (NoVariation(p_e)) {
    return FailedPrecondition("quality: Cohen's kappa undefined: both raters used one category");
  }
  auto n = static_cast<int64_t>(total);
  return Corrected(p_o, p_e, n, 2 * n);
}

Result<AgreementStats> FleissKappa(const RatingTable& table) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  int n = -1;
  for (int row = 0; row < table.num_items(); ++row) {
    int m = table.RatingsInRow(row);
    if (m < 2) continue;
    if (n >= 0 && m != n) {
      return InvalidArgument("quality: Fleiss' kappa needs the same number of ratings per item (" +
                             std::to_string(n) + " vs " + std::to_string(m) + " on item " +
                             std::to_string(table.items[row]) + "); use Krippendorff's alpha");
    }
    n = m;
  }
  Patterns ps = GroupPatterns(table);
  return FleissFromSums(Accumulate(ps, ps.freq, table.num_categories()));
}

Result<AgreementStats> FleissKappaFromCounts(const std::vector<std::vector<int64_t>>& counts) {
  if (counts.empty() || counts.front().empty()) {
    return InvalidArgument("quality: empty count matrix");
  }
  const size_t k = counts.front().size();
  const auto items = static_cast<int64_t>(counts.size());
  int64_t n = -1;
  std::vector<double> category_total(k, 0.0);
  double p_bar = 0.0;
  for (const auto& row : counts) {
    if (row.size() != k) return InvalidArgument("quality: ragged count matrix");
    int64_t m = 0, same_pairs = 0;
    for (size_t j = 0; j < k; ++j) {
      if (row[j] < 0) return InvalidArgument("quality: negative count");
      m += row[j];
      same_pairs += row[j] * (row[j] - 1);
      category_total[j] += static_cast<double>(row[j]);
    }
    if (m < 2) return InvalidArgument("quality: Fleiss' kappa needs >= 2 ratings per item");
    if (n >= 0 && m != n) {
      return InvalidArgument("quality: Fleiss' kappa needs the same number of ratings per item");
    }
    n = m;
    // [Fleiss 1971] eq. (2): P_i = sum_j n_ij (n_ij - 1) / (n (n - 1)).
    p_bar += static_cast<double>(same_pairs) / static_cast<double>(m * (m - 1));
  }
  p_bar /= static_cast<double>(items);
  // eq. (1): p_j = sum_i n_ij / (N n); eq. (5): P-bar_e = sum_j p_j^2.
  double p_e = 0.0;
  const double total = static_cast<double>(items * n);
  for (double c : category_total) p_e += (c / total) * (c / total);
  if (NoVariation(p_e)) {
    return FailedPrecondition("quality: Fleiss' kappa undefined: every rating uses one category");
  }
  return Corrected(p_bar, p_e, items, items * n);
}

Result<AgreementStats> KrippendorffAlpha(const RatingTable& table, Level level,
                                         const std::vector<double>& values) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  ASSIGN_OR_RETURN(std::vector<double> v, ValuesFor(table, values));
  Patterns ps = GroupPatterns(table);
  Sums s = Accumulate(ps, ps.freq, table.num_categories());
  return AlphaFromCoincidences(s.o, table.num_categories(), level, v, ps.items);
}

Result<AgreementSummary> SummarizeAgreement(const RatingTable& table,
                                            const AgreementOptions& options) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  const BootstrapOptions& b = options.bootstrap;
  if (b.replicates < 0) return InvalidArgument("quality: bootstrap replicates must be >= 0");
  if (!(b.confidence > 0.0 && b.confidence < 1.0)) {
    return InvalidArgument("quality: confidence must be in (0, 1)");
  }
  ASSIGN_OR_RETURN(std::vector<double> values, ValuesFor(table, options.values));
  const int k = table.num_categories();
  AgreementSummary out;
  out.items = table.num_items();
  out.ratings = table.num_ratings();

  // Whole-table statistics and their bootstrap.
  Patterns ps = GroupPatterns(table);
  auto compute = [&](const std::vector<int64_t>& w, Estimate* percent, Estimate* fleiss,
                     Estimate* alpha, int64_t items) {
    Sums s = Accumulate(ps, w, k);
    SetPoint(PercentFromSums(s), percent);
    SetPoint(FleissFromSums(s), fleiss);
    for (Level level : kAllLevels) {
      SetPoint(AlphaFromCoincidences(s.o, k, level, values, items),
               &alpha[static_cast<int>(level)]);
    }
  };
  compute(ps.freq, &out.percent, &out.fleiss, out.alpha, ps.items);
  std::mt19937_64 rng(b.seed);
  if (ps.items > 0 && b.replicates > 0) {
    std::vector<std::vector<double>> reps(6);
    std::vector<int64_t> w;
    for (int r = 0; r < b.replicates; ++r) {
      Multinomial(ps.items, ps.freq, rng, &w);
      Estimate e[6];
      compute(w, &e[0], &e[1], &e[2], ps.items);
      for (int i = 0; i < 6; ++i) {
        if (e[i].defined) reps[i].push_back(e[i].stats.value);
      }
    }
    Estimate* targets[6] = {&out.percent, &out.fleiss, &out.alpha[0], &out.alpha[1],
                            &out.alpha[2], &out.alpha[3]};
    for (int i = 0; i < 6; ++i) {
      if (targets[i]->defined) Percentiles(reps[i], b.confidence, targets[i]);
    }
  }

  // Pairwise Cohen's kappa: contingency tables of every pair that shares an item.
  RETURN_IF_ERROR(PairwiseKappas(table, options, &out));
  return out;
}

}  // namespace hitloop::quality
