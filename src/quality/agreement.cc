// Agreement coefficients for nominal data.
//
// References:
//   [Cohen 1960]  J. Cohen, "A coefficient of agreement for nominal scales", Educational and
//                 Psychological Measurement 20(1):37-46. kappa = (p_o - p_e) / (1 - p_e).
//   [Fleiss 1971] J. L. Fleiss, "Measuring nominal scale agreement among many raters",
//                 Psychological Bulletin 76(5):378-382. Eqs. (1)-(6): p_j, P_i, P-bar, P-bar_e.
//   [Krippendorff 2011] K. Krippendorff, "Computing Krippendorff's Alpha-Reliability",
//                 Annenberg School for Communication, Departmental Papers 43. Section C
//                 (nominal data, any number of observers, missing values): coincidence matrix
//                 o_ck = sum_u (number of c-k pairs in unit u) / (m_u - 1),
//                 alpha = 1 - (n - 1) * sum_{c!=k} o_ck / sum_{c!=k} n_c n_k.
#include "quality/agreement.h"

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

// Per-item category counts over rated cells.
std::vector<int64_t> RowCounts(const RatingTable& table, int row) {
  std::vector<int64_t> counts(table.num_categories(), 0);
  for (int c : table.cells[row]) {
    if (c != kMissing) ++counts[c];
  }
  return counts;
}

}  // namespace

Result<AgreementStats> PercentAgreement(const RatingTable& table) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  double sum = 0.0;
  int64_t items = 0, ratings = 0;
  for (int row = 0; row < table.num_items(); ++row) {
    std::vector<int64_t> counts = RowCounts(table, row);
    int64_t m = 0, agreeing_pairs = 0;
    for (int64_t n : counts) {
      m += n;
      agreeing_pairs += n * (n - 1) / 2;
    }
    if (m < 2) continue;
    sum += static_cast<double>(agreeing_pairs) / static_cast<double>(m * (m - 1) / 2);
    ++items;
    ratings += m;
  }
  if (items == 0) return FailedPrecondition("quality: no item has two ratings to compare");
  AgreementStats s;
  s.value = s.observed_agreement = sum / static_cast<double>(items);
  s.items_used = items;
  s.ratings_used = ratings;
  return s;
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
  for (const auto& row : table.cells) {
    if (row[a] == kMissing || row[b] == kMissing) continue;
    ++counts[row[a]][row[b]];
    ++shared;
  }
  if (shared == 0) {
    return FailedPrecondition("quality: annotators '" + rater_a + "' and '" + rater_b +
                              "' share no rated item");
  }
  return CohensKappaFromCounts(counts);
}

Result<AgreementStats> CohensKappaFromCounts(const std::vector<std::vector<int64_t>>& counts) {
  const size_t k = counts.size();
  if (k == 0) return InvalidArgument("quality: empty contingency table");
  std::vector<double> row_sum(k, 0.0), col_sum(k, 0.0);
  double total = 0.0, diagonal = 0.0;
  for (size_t i = 0; i < k; ++i) {
    if (counts[i].size() != k) return InvalidArgument("quality: contingency table is not square");
    for (size_t j = 0; j < k; ++j) {
      if (counts[i][j] < 0) return InvalidArgument("quality: negative count in contingency table");
      double c = static_cast<double>(counts[i][j]);
      row_sum[i] += c;
      col_sum[j] += c;
      total += c;
      if (i == j) diagonal += c;
    }
  }
  if (total == 0.0) return InvalidArgument("quality: contingency table has no items");
  // [Cohen 1960]: p_o = sum_i p_ii, p_e = sum_i p_i. * p_.i
  double p_o = diagonal / total;
  double p_e = 0.0;
  for (size_t i = 0; i < k; ++i) p_e += (row_sum[i] / total) * (col_sum[i] / total);
  if (NoVariation(p_e)) {
    return FailedPrecondition("quality: Cohen's kappa undefined: both raters used one category");
  }
  auto n = static_cast<int64_t>(total);
  return Corrected(p_o, p_e, n, 2 * n);
}

Result<AgreementStats> FleissKappa(const RatingTable& table) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  std::vector<std::vector<int64_t>> counts;
  int64_t n = -1;
  for (int row = 0; row < table.num_items(); ++row) {
    int m = table.RatingsInRow(row);
    if (m < 2) continue;
    if (n >= 0 && m != n) {
      return InvalidArgument("quality: Fleiss' kappa needs the same number of ratings per item (" +
                             std::to_string(n) + " vs " + std::to_string(m) + " on item " +
                             std::to_string(table.items[row]) + "); use Krippendorff's alpha");
    }
    n = m;
    counts.push_back(RowCounts(table, row));
  }
  if (counts.empty()) return FailedPrecondition("quality: no item has two ratings to compare");
  return FleissKappaFromCounts(counts);
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

Result<AgreementStats> KrippendorffAlpha(const RatingTable& table) {
  RETURN_IF_ERROR(CheckNonEmpty(table));
  const int k = table.num_categories();
  // Only the diagonal of the coincidence matrix and its marginals n_c are needed for the nominal
  // metric: sum_c o_cc = n * A_o and the off-diagonal mass follows from the marginals.
  std::vector<double> n_c(k, 0.0);
  double diagonal = 0.0;
  int64_t items = 0;
  for (int row = 0; row < table.num_items(); ++row) {
    std::vector<int64_t> counts = RowCounts(table, row);
    int64_t m_u = 0;
    for (int64_t c : counts) m_u += c;
    if (m_u < 2) continue;  // unpairable unit
    ++items;
    for (int c = 0; c < k; ++c) {
      // o_cc gains n_uc (n_uc - 1) / (m_u - 1); each value adds 1 in total to its row of o.
      diagonal += static_cast<double>(counts[c] * (counts[c] - 1)) / static_cast<double>(m_u - 1);
      n_c[c] += static_cast<double>(counts[c]);
    }
  }
  double n = 0.0;
  for (double v : n_c) n += v;
  if (items == 0) return FailedPrecondition("quality: no item has two ratings to compare");
  // A_o = 1 - D_o = sum_c o_cc / n;  A_e = 1 - D_e = sum_c n_c (n_c - 1) / (n (n - 1)).
  double a_o = diagonal / n;
  double same_expected = 0.0;
  for (double v : n_c) same_expected += v * (v - 1.0);
  double a_e = same_expected / (n * (n - 1.0));
  if (NoVariation(a_e)) {
    return FailedPrecondition(
        "quality: Krippendorff's alpha undefined: every pairable rating uses one category");
  }
  return Corrected(a_o, a_e, items, static_cast<int64_t>(n));
}

}  // namespace hitloop::quality
