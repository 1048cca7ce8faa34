#include "preference/active.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hitloop::preference {

std::vector<std::pair<int, int>> SelectActivePairs(const Abilities& abilities, int batch) {
  const int n = static_cast<int>(abilities.log_ability.size());
  std::vector<double> var(n);
  for (int i = 0; i < n; ++i) {
    const double se = abilities.std_error[i];
    var[i] = std::isfinite(se) ? se * se : 1e6;
  }
  std::vector<std::pair<int, int>> out;
  std::vector<char> taken(static_cast<size_t>(n) * n, 0);
  for (int b = 0; b < batch; ++b) {
    double best = -1;
    int bi = -1, bj = -1;
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) {
        if (taken[static_cast<size_t>(i) * n + j]) continue;
        const double p = WinProbability(abilities, i, j);
        const double q = p * (1 - p);
        const double v = var[i] + var[j];
        const double gain = v * v * q / (1 + v * q);
        if (gain > best) {
          best = gain;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    taken[static_cast<size_t>(bi) * n + bj] = 1;
    out.push_back({bi, bj});
    // The pick's information lowers both items' variance for the rest of the batch.
    const double p = WinProbability(abilities, bi, bj);
    const double q = p * (1 - p);
    var[bi] = 1.0 / (1.0 / var[bi] + q);
    var[bj] = 1.0 / (1.0 / var[bj] + q);
  }
  return out;
}

std::vector<size_t> LeastSure(std::span<const double> margins, size_t batch) {
  std::vector<size_t> idx(margins.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  const size_t k = std::min(batch, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(), [&](size_t a, size_t b) {
    const double ma = std::fabs(margins[a]), mb = std::fabs(margins[b]);
    return ma != mb ? ma < mb : a < b;
  });
  idx.resize(k);
  return idx;
}

namespace {
std::vector<double> Ranks(std::span<const double> x) {
  std::vector<size_t> idx(x.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && x[idx[j + 1]] == x[idx[i]]) ++j;
    const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}
}  // namespace

double SpearmanRho(std::span<const double> a, std::span<const double> b) {
  const auto ra = Ranks(a), rb = Ranks(b);
  const double n = static_cast<double>(ra.size());
  if (n < 2) return 0.0;
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n, mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

std::vector<UncertainItem> LeastSureUnanswered(const ProjectPreferences& data, const RewardModel& model,
                                               size_t batch) {
  std::vector<char> answered(data.items.size(), 0);
  for (const auto& c : data.comparisons) answered[c.item] = 1;
  std::vector<size_t> open;
  std::vector<double> margins;
  for (size_t i = 0; i < data.items.size(); ++i) {
    if (answered[i] || (i < data.gold.size() && data.gold[i]) || data.items[i].responses.size() < 2) continue;
    const std::string_view prompt = LastUserTurn(data.items[i]);
    std::vector<double> r;
    for (const auto& resp : data.items[i].responses) r.push_back(model.Score(prompt, resp.text));
    std::sort(r.begin(), r.end());
    double gap = r[1] - r[0];
    for (size_t k = 2; k < r.size(); ++k) gap = std::min(gap, r[k] - r[k - 1]);
    open.push_back(i);
    margins.push_back(gap);
  }
  std::vector<UncertainItem> out;
  for (size_t k : LeastSure(margins, batch)) out.push_back({open[k], margins[k]});
  return out;
}

}  // namespace hitloop::preference
