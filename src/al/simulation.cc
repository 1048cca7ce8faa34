#include "al/simulation.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>
#include <numeric>

#include "al/coverage.h"
#include "al/embedding.h"
#include "al/registry.h"
#include "al/stopping.h"
#include "core/ids.h"
#include "core/rng.h"
#include "model/ensemble.h"
#include "model/registry.h"

namespace hitloop::al {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of the whole process (every thread), in seconds.
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::vector<model::Example> Examples(const LabeledRows& d, std::span<const size_t> idx) {
  std::vector<model::Example> ex(idx.size());
  // id = position + 1: lets the model warm-start from last cycle's solution (classifier.h).
  for (size_t i = 0; i < idx.size(); ++i) {
    ex[i] = {&d.rows[idx[i]], d.texts[idx[i]], static_cast<uint64_t>(idx[i]) + 1};
  }
  return ex;
}

std::vector<int> Argmax(std::span<const float> probs, int k) {
  std::vector<int> out(probs.size() / k);
  for (size_t i = 0; i < out.size(); ++i) {
    const float* p = probs.data() + i * k;
    out[i] = static_cast<int>(std::max_element(p, p + k) - p);
  }
  return out;
}

Result<std::vector<int>> PredictClasses(const model::Classifier& m, const LabeledRows& d,
                                        std::span<const size_t> idx, int k) {
  auto ex = Examples(d, idx);
  std::vector<float> probs(ex.size() * k);
  RETURN_IF_ERROR(m.Predict(ex, probs));
  return Argmax(probs, k);
}

}  // namespace

std::pair<double, double> AccuracyAndMacroF1(const std::vector<int>& gold,
                                             const std::vector<int>& pred, int k) {
  std::vector<double> tp(k, 0), fp(k, 0), fn(k, 0);
  std::vector<uint8_t> present(k, 0);
  double correct = 0;
  for (size_t i = 0; i < gold.size(); ++i) {
    present[gold[i]] = 1;
    if (gold[i] == pred[i]) {
      correct += 1;
      tp[gold[i]] += 1;
    } else {
      fp[pred[i]] += 1;
      fn[gold[i]] += 1;
    }
  }
  double f1 = 0;
  int classes = 0;
  for (int c = 0; c < k; ++c) {
    if (!present[c]) continue;
    ++classes;
    const double denom = 2 * tp[c] + fp[c] + fn[c];
    f1 += denom > 0 ? 2 * tp[c] / denom : 0;
  }
  const double n = static_cast<double>(gold.size());
  return {n ? correct / n : 0, classes ? f1 / classes : 0};
}

namespace {

Status CheckSimulation(const SimulationInput& in, const SimulationOptions& opt) {
  const size_t n_pool = in.pool.rows.size();
  if (n_pool == 0) return InvalidArgument("simulate: empty pool");
  if (in.test.rows.empty()) return InvalidArgument("simulate: empty test set");
  if (in.num_classes < 2) return InvalidArgument("simulate: need at least 2 classes");
  if (in.pool.labels.size() != n_pool || in.pool.texts.size() != n_pool ||
      in.test.labels.size() != in.test.rows.size() || in.test.texts.size() != in.test.rows.size()) {
    return InvalidArgument("simulate: rows, texts and labels differ in length");
  }
  if (opt.batch == 0) return InvalidArgument("simulate: batch must be >= 1");
  if (opt.repeats < 1) return InvalidArgument("simulate: repeats must be >= 1");
  if (opt.seed_per_class < 1) return InvalidArgument("simulate: seed-labels must be >= 1");
  return Status::Ok();
}

// What one selection step needs besides the strategy and the model.
struct BatchInput {
  const SimulationInput& in;
  const SimulationOptions& opt;
  const model::ClassifierOptions& mopt;
  const RowMatrix& pool_embedding;
  const std::vector<size_t>& labeled;
  const std::vector<int>& y;
  const std::vector<size_t>& unlabeled;
};

// The next `want` pool rows to label, picked by `strategy` from the unlabelled rows scored by m.
Result<std::vector<size_t>> SelectBatch(const BatchInput& b, const Strategy& strategy,
                                        const model::Classifier& m, size_t want, Rng& rng,
                                        double* score_seconds) {
  const int k = b.in.num_classes;
  const auto& unlabeled = b.unlabeled;
  const auto& labeled = b.labeled;
  const auto& y = b.y;
  const auto cand = Examples(b.in.pool, unlabeled);
  std::vector<float> probs(cand.size() * k);
  const auto t_score = Clock::now();
  RETURN_IF_ERROR(m.Predict(cand, probs));
  *score_seconds = Seconds(t_score, Clock::now());
  ScoringContext ctx;
  ctx.num_candidates = cand.size();
  ctx.num_classes = k;
  ctx.probs = probs;
  std::vector<std::vector<float>> committee;
  if (strategy.requirements().committee) {
    ASSIGN_OR_RETURN(auto bag, model::CreateClassifier("bagged:" + b.opt.model, b.mopt));
    RETURN_IF_ERROR(bag->Train(Examples(b.in.pool, labeled), y, k));
    RETURN_IF_ERROR(
        static_cast<model::BootstrapEnsemble&>(*bag).PredictMembers(cand, &committee));
    ctx.committee = &committee;
  }
  RowMatrix cand_emb, lab_emb;
  if (strategy.requirements().embedding) {
    cand_emb.resize(static_cast<Eigen::Index>(unlabeled.size()), kEmbeddingDims);
    for (size_t i = 0; i < unlabeled.size(); ++i) {
      cand_emb.row(i) = b.pool_embedding.row(unlabeled[i]);
    }
    lab_emb.resize(static_cast<Eigen::Index>(labeled.size()), kEmbeddingDims);
    for (size_t i = 0; i < labeled.size(); ++i) {
      lab_emb.row(i) = b.pool_embedding.row(labeled[i]);
    }
    ctx.embedding = &cand_emb;
    ctx.labeled_embedding = &lab_emb;
  }
  ASSIGN_OR_RETURN(auto sel, strategy.Select(ctx, want, rng));
  std::vector<size_t> picked;
  for (size_t j : sel) picked.push_back(b.unlabeled[j]);
  return picked;
}

}  // namespace

Result<SimulationResult> RunSimulation(const SimulationInput& in, const SimulationOptions& opt,
                                       const SimulationProgress& progress) {
  const int k = in.num_classes;
  const size_t n_pool = in.pool.rows.size();
  RETURN_IF_ERROR(CheckSimulation(in, opt));
  std::vector<std::unique_ptr<Strategy>> strategies;
  bool need_embedding = false;
  for (const auto& name : opt.strategies) {
    ASSIGN_OR_RETURN(auto s, CreateStrategy(name));
    need_embedding |= s->requirements().embedding;
    strategies.push_back(std::move(s));
  }
  if (strategies.empty()) return InvalidArgument("simulate: no strategies");
  RETURN_IF_ERROR(model::CreateClassifier(opt.model, opt.model_options).status());

  SimulationResult result;
  std::vector<size_t> all_test(in.test.rows.size());
  std::iota(all_test.begin(), all_test.end(), 0);
  const auto test_ex = Examples(in.test, all_test);

  std::vector<float> last_probs;
  auto evaluate = [&](const model::Classifier& m) -> Result<std::pair<double, double>> {
    std::vector<float> probs(test_ex.size() * k);
    RETURN_IF_ERROR(m.Predict(test_ex, probs));
    auto af = AccuracyAndMacroF1(in.test.labels, Argmax(probs, k), k);
    last_probs = std::move(probs);
    return af;
  };

  // Full-pool reference model.
  if (!opt.full_pool_reference) {
    result.full_pool_accuracy = std::numeric_limits<double>::quiet_NaN();
    result.full_pool_macro_f1 = std::numeric_limits<double>::quiet_NaN();
  } else {
    std::vector<size_t> all(n_pool);
    std::iota(all.begin(), all.end(), 0);
    ASSIGN_OR_RETURN(auto m, model::CreateClassifier(opt.model, opt.model_options));
    const auto t0 = Clock::now();
    RETURN_IF_ERROR(m->Train(Examples(in.pool, all), in.pool.labels, k));
    result.full_pool_train_seconds = Seconds(t0, Clock::now());
    ASSIGN_OR_RETURN(auto af, evaluate(*m));
    result.full_pool_accuracy = af.first;
    result.full_pool_macro_f1 = af.second;
    result.full_pool_oracle_coverage =
        in.test.labels.empty() ? 0.0
                               : static_cast<double>(OracleCoverage(last_probs, in.test.labels, k,
                                                                    opt.coverage_precision)) /
                                     static_cast<double>(in.test.labels.size());
  }

  RowMatrix pool_embedding;
  if (need_embedding) {
    std::vector<const text::SparseRow*> ptrs(n_pool);
    for (size_t i = 0; i < n_pool; ++i) ptrs[i] = &in.pool.rows[i];
    pool_embedding = Embed(ptrs);
  }
  std::vector<std::vector<size_t>> by_class(k);
  for (size_t i = 0; i < n_pool; ++i) by_class[in.pool.labels[i]].push_back(i);
  const size_t max_labels = opt.max_labels ? std::min(opt.max_labels, n_pool) : n_pool;

  for (int r = 0; r < opt.repeats; ++r) {
    // Seed set and stop set: shared by every strategy of this repeat (paired comparison).
    Rng seed_rng(opt.seed * 1000003ULL + static_cast<uint64_t>(r));
    std::vector<size_t> seed_set;
    for (int c = 0; c < k; ++c) {
      auto items = by_class[c];
      seed_rng.Shuffle(items);
      for (size_t j = 0; j < items.size() && j < static_cast<size_t>(opt.seed_per_class); ++j) {
        seed_set.push_back(items[j]);
      }
    }
    std::vector<size_t> stop_set(n_pool);
    std::iota(stop_set.begin(), stop_set.end(), 0);
    seed_rng.Shuffle(stop_set);
    stop_set.resize(std::min(opt.stop_set_size, n_pool));

    for (size_t s = 0; s < strategies.size(); ++s) {
      const Strategy& strategy = *strategies[s];
      // Seeded by the strategy's name, not its place in the list: "margin, repeat r" draws the
      // same whether or not random order runs beside it.
      Rng rng(opt.seed * 7919ULL + static_cast<uint64_t>(r) * 104729ULL + Hash64(strategy.name()));
      model::ClassifierOptions mopt = opt.model_options;
      mopt.seed = opt.model_options.seed + static_cast<uint64_t>(r);
      std::vector<uint8_t> is_labeled(n_pool, 0);
      std::vector<size_t> labeled = seed_set;
      for (size_t i : labeled) is_labeled[i] = 1;
      StabilizingPredictions stop_rule;
      bool stop_reported = false;
      // One model per run, retrained every cycle: it may warm-start from its previous solution
      // (the labelled set only grows), which the live loop can do too.
      ASSIGN_OR_RETURN(auto m, model::CreateClassifier(opt.model, mopt));
      while (true) {
        const auto t0 = Clock::now();
        const double cpu0 = ProcessCpuSeconds();
        std::vector<int> y(labeled.size());
        for (size_t i = 0; i < labeled.size(); ++i) y[i] = in.pool.labels[labeled[i]];
        RETURN_IF_ERROR(m->Train(Examples(in.pool, labeled), y, k));
        const auto t_trained = Clock::now();
        double score_seconds = 0;
        std::vector<size_t> unlabeled;
        unlabeled.reserve(n_pool - labeled.size());
        for (size_t i = 0; i < n_pool; ++i) if (!is_labeled[i]) unlabeled.push_back(i);
        const size_t want = std::min(opt.batch, max_labels > labeled.size()
                                                    ? max_labels - labeled.size() : size_t{0});
        std::vector<size_t> picked;
        if (want > 0 && !unlabeled.empty()) {
          const BatchInput b{in, opt, mopt, pool_embedding, labeled, y, unlabeled};
          ASSIGN_OR_RETURN(picked, SelectBatch(b, strategy, *m, want, rng, &score_seconds));
        }
        const double cycle = Seconds(t0, Clock::now());
        const double cycle_cpu = ProcessCpuSeconds() - cpu0;

        ASSIGN_OR_RETURN(auto af, evaluate(*m));
        CurvePoint p{strategy.name(), r, labeled.size(), af.first, af.second, cycle,
                     Seconds(t0, t_trained), score_seconds, cycle_cpu};
        result.curve.push_back(p);
        if (progress) progress(p);
        ASSIGN_OR_RETURN(auto stop_pred, PredictClasses(*m, in.pool, stop_set, k));
        if (stop_rule.Update(stop_pred, k) && !stop_reported) {
          stop_reported = true;
          result.stops.push_back({strategy.name(), r, labeled.size(), af.first});
        }
        if (picked.empty()) break;
        for (size_t i : picked) {
          is_labeled[i] = 1;
          labeled.push_back(i);
        }
      }
    }
  }
  return result;
}

}  // namespace hitloop::al
