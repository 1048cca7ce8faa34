#include "model/selection.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/rng.h"
#include "model/registry.h"
#include "model/representation.h"

namespace hitloop::model {

std::pair<double, double> CertifiableCoverage(
    std::vector<std::pair<float, bool>> scored, double epsilon, double delta,
    const std::function<double(int64_t, int64_t, double)>& upper_bound) {
  const size_t n = scored.size();
  if (n == 0) return {0.0, 1.0};
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  // The smallest region that can pass at all (zero errors): thresholds above it are skipped.
  int64_t min_n = 1;
  while (min_n <= static_cast<int64_t>(n) && upper_bound(0, min_n, delta) > epsilon) ++min_n;
  double coverage = 0, threshold = 1;
  int64_t errors = 0;
  for (size_t m = 0; m < n;) {
    // Take the whole tie group at this confidence.
    const float t = scored[m].first;
    while (m < n && scored[m].first == t) errors += !scored[m++].second;
    const int64_t size = static_cast<int64_t>(m);
    if (size < min_n) continue;
    if (upper_bound(errors, size, delta) > epsilon) break;
    coverage = static_cast<double>(size) / static_cast<double>(n);
    threshold = t;
  }
  return {coverage, threshold};
}

Result<SelectionResult> SelectModel(std::span<const SelectionCandidate> candidates,
                                    std::span<const int> labels, int k,
                                    const SelectionOptions& o) {
  if (candidates.empty()) return InvalidArgument("model choice: no candidates");
  if (!o.upper_bound) return InvalidArgument("model choice: no upper bound given");
  if (o.folds < 2) return InvalidArgument("model choice: folds must be >= 2");
  const size_t n = labels.size();
  for (const auto& c : candidates) {
    if (c.examples.size() != n) {
      return InvalidArgument("model choice: candidate '" + c.name + "' has " +
                             std::to_string(c.examples.size()) + " examples for " +
                             std::to_string(n) + " labels");
    }
  }
  Rng rng(o.seed * 0x9E3779B97F4A7C15ULL + 101);
  std::vector<size_t> items(n);
  std::iota(items.begin(), items.end(), size_t{0});
  rng.Shuffle(items);
  if (o.max_items > 0 && items.size() > o.max_items) items.resize(o.max_items);
  const size_t m = items.size();
  if (m < static_cast<size_t>(o.folds)) return InvalidArgument("model choice: too few labelled items");

  SelectionResult out;
  out.items = static_cast<int64_t>(m);
  for (const auto& cand : candidates) {
    const auto t0 = std::chrono::steady_clock::now();
    CandidateScore sc;
    sc.name = cand.name;
    auto spec = ParseModelSpec(cand.name);
    std::vector<std::pair<float, bool>> scored;
    Status st = spec.status();
    for (int f = 0; st.ok() && f < o.folds; ++f) {
      std::vector<Example> tr, te;
      std::vector<int> ytr, yte;
      for (size_t j = 0; j < m; ++j) {
        const size_t i = items[j];
        if (static_cast<int>(j % o.folds) == f) {
          te.push_back(cand.examples[i]);
          yte.push_back(labels[i]);
        } else {
          Example e = cand.examples[i];
          e.id = 0;  // fold models start cold (no warm start across folds)
          tr.push_back(e);
          ytr.push_back(labels[i]);
        }
      }
      auto model = CreateClassifier(spec->classifier, o.model_options);
      if (!model.ok()) {
        st = model.status();
        break;
      }
      st = (*model)->Train(tr, ytr, k);
      if (!st.ok()) break;
      std::vector<float> p(te.size() * k);
      st = (*model)->Predict(te, p);
      if (!st.ok()) break;
      for (size_t i = 0; i < te.size(); ++i) {
        const float* row = p.data() + i * k;
        const int pred = static_cast<int>(std::max_element(row, row + k) - row);
        scored.push_back({row[pred], pred == yte[i]});
      }
    }
    sc.ok = st.ok();
    if (sc.ok) {
      double correct = 0;
      for (const auto& s : scored) correct += s.second;
      sc.accuracy = scored.empty() ? 0 : correct / static_cast<double>(scored.size());
      std::tie(sc.coverage, sc.threshold) =
          CertifiableCoverage(scored, o.epsilon, o.delta, o.upper_bound);
    } else {
      sc.error = st.ToString();
    }
    sc.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.scores.push_back(std::move(sc));
  }
  int best = -1;
  for (size_t c = 0; c < out.scores.size(); ++c) {
    const auto& s = out.scores[c];
    if (s.ok && s.coverage > 0 && (best < 0 || s.coverage > out.scores[best].coverage)) {
      best = static_cast<int>(c);
    }
  }
  out.rule = "coverage";
  if (best < 0) {
    out.rule = "accuracy";
    for (size_t c = 0; c < out.scores.size(); ++c) {
      const auto& s = out.scores[c];
      if (s.ok && (best < 0 || s.accuracy > out.scores[best].accuracy)) best = static_cast<int>(c);
    }
  }
  if (best < 0) {
    return InvalidArgument("model choice: no candidate trained (" + out.scores[0].name + ": " +
                           out.scores[0].error + ")");
  }
  out.chosen = static_cast<size_t>(best);
  return out;
}

}  // namespace hitloop::model
