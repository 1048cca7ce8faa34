// hitloop simulate al: learning curves of query strategies against
// random order, labels-to-target, label-efficiency ratios with bootstrap intervals, and an SVG
// chart. Output contract (scripts rely on it): DIR/curves.csv, DIR/summary.json,
// DIR/learning_curve.svg.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unistd.h>

#include "al/registry.h"
#include "al/simulation.h"
#include "cli/command.h"
#include "cli/simulate_multilabel.h"
#include "core/file.h"
#include "io/gold_set.h"
#include "io/record.h"
#include "model/representation.h"
#include "text/featurizer.h"

namespace hitloop::cli {
namespace {

struct SimAlArgs {
  std::string pool, test, out;
  std::string strategies = "random,margin";
  int repeats = 5;
  int seed_labels = 2;
  size_t batch = 50;
  size_t max_labels = 0;
  std::string model = "logreg";
  uint64_t seed = 1;
  double c = 10.0;
  double dual_tolerance = model::ClassifierOptions{}.dual_tolerance;
  int threads = 2;
  int hash_bits = 20;
  bool no_char_ngrams = false;
  bool token_char_ngrams = false;
  size_t max_pool = 0;
  size_t max_test = 0;
  bool no_full_pool = false;
  double coverage_precision = 0.98;
  int repr_dims = 0;
  float repr_weight = 1.0f;
  bool multi_label = false;  // records carry "labels": [...] (cli/simulate_multilabel.h)
};


std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string TauKey(double tau) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.2f", tau);
  return buf;
}

// A plain line chart of the mean learning curves; dashed lines at 0.98 and 1.0 × full pool.
std::string LearningCurveSvg(const std::map<std::string, al::StrategySummary>& summary,
                             double full_acc, const std::string& title) {
  const double w = 860, h = 520, left = 70, right = 190, top = 40, bottom = 60;
  const bool has_full = !std::isnan(full_acc);  // NaN: --no-full-pool
  double x_max = 1, y_min = 1, y_max = has_full ? std::max(full_acc, 0.0) : 0.0;
  for (const auto& [name, s] : summary) {
    for (const auto& [l, a] : s.mean_curve) {
      x_max = std::max(x_max, static_cast<double>(l));
      y_min = std::min(y_min, a);
      y_max = std::max(y_max, a);
    }
  }
  y_min = std::max(0.0, std::floor(y_min * 20) / 20);
  y_max = std::min(1.0, std::ceil(y_max * 20 + 0.001) / 20);
  if (y_max <= y_min) y_max = y_min + 0.05;
  auto X = [&](double v) { return left + v / x_max * (w - left - right); };
  auto Y = [&](double v) { return top + (y_max - v) / (y_max - y_min) * (h - top - bottom); };
  static const char* kColors[] = {"#222222", "#d62728", "#1f77b4", "#2ca02c", "#9467bd",
                                  "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"};
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
    << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' "
       "fill='white'/>\n<text x='"
    << left << "' y='22' font-size='14'>" << title << "</text>\n";
  o << "<line x1='" << left << "' y1='" << Y(y_min) << "' x2='" << X(x_max) << "' y2='" << Y(y_min)
    << "' stroke='black'/>\n<line x1='" << left << "' y1='" << Y(y_min) << "' x2='" << left
    << "' y2='" << Y(y_max) << "' stroke='black'/>\n";
  for (int t = 0; t <= 5; ++t) {
    const double xv = x_max * t / 5, yv = y_min + (y_max - y_min) * t / 5;
    o << "<text x='" << X(xv) << "' y='" << Y(y_min) + 18 << "' text-anchor='middle'>"
      << static_cast<long long>(xv) << "</text>\n";
    o << "<text x='" << left - 6 << "' y='" << Y(yv) + 4 << "' text-anchor='end'>" << Fmt(yv)
      << "</text>\n";
  }
  o << "<text x='" << (left + X(x_max)) / 2 << "' y='" << h - 15
    << "' text-anchor='middle'>labels bought</text>\n";
  o << "<text x='16' y='" << (top + Y(y_min)) / 2 << "' transform='rotate(-90 16 "
    << (top + Y(y_min)) / 2 << ")' text-anchor='middle'>mean test accuracy</text>\n";
  for (double tau : {0.98, 1.0}) {
    const double yv = tau * full_acc;
    if (!has_full || yv < y_min || yv > y_max) continue;
    o << "<line x1='" << left << "' y1='" << Y(yv) << "' x2='" << X(x_max) << "' y2='" << Y(yv)
      << "' stroke='#888' stroke-dasharray='5,4'/>\n<text x='" << X(x_max) + 4 << "' y='"
      << Y(yv) + 4 << "' fill='#666'>" << (tau == 1.0 ? "full pool" : "98% of full")
      << "</text>\n";
  }
  int i = 0;
  for (const auto& [name, s] : summary) {
    const char* color = kColors[i % 10];
    o << "<polyline fill='none' stroke='" << color << "' stroke-width='1.8' points='";
    for (const auto& [l, a] : s.mean_curve) o << X(l) << "," << Y(std::max(a, y_min)) << " ";
    o << "'/>\n<text x='" << w - right + 70 << "' y='" << top + 30 + 18 * i << "' fill='" << color
      << "'>" << name << "</text>\n";
    ++i;
  }
  o << "</svg>\n";
  return o.str();
}

// One row per (strategy, repeat, cycle).
std::string CurvesCsv(const al::SimulationResult& result) {
  std::string csv =
      "strategy,repeat,labels,accuracy,macro_f1,cycle_seconds,train_seconds,score_seconds,"
      "cycle_cpu_seconds\n";
  for (const auto& p : result.curve) {
    csv += p.strategy + "," + std::to_string(p.repeat) + "," + std::to_string(p.labels) + "," +
           Fmt(p.accuracy) + "," + Fmt(p.macro_f1) + "," + Fmt(p.cycle_seconds) + "," +
           Fmt(p.train_seconds) + "," + Fmt(p.score_seconds) + "," + Fmt(p.cycle_cpu_seconds) +
           "\n";
  }
  return csv;
}

// summary.json's "strategies": labels to target, LER against random, the stopping rule.
nlohmann::json StrategiesJson(const std::map<std::string, al::StrategySummary>& summary,
                              const al::SimulationResult& result) {
  using nlohmann::json;
  auto opt_num = [](const auto& o) -> json { return o ? json(*o) : json(nullptr); };
  json strategies = json::object();
  for (const auto& [name, s] : summary) {
    json ltt = json::object(), frac = json::object(), ler = json::object();
    for (const auto& [tau, v] : s.labels_to_target) ltt[TauKey(tau)] = opt_num(v);
    for (const auto& [tau, v] : s.pool_fraction) frac[TauKey(tau)] = opt_num(v);
    for (const auto& [tau, e] : s.ler_vs_random) {
      ler[TauKey(tau)] = {{"median", opt_num(e.median)},
                          {"ci_low", opt_num(e.ci_low)},
                          {"ci_high", opt_num(e.ci_high)},
                          {"random_censored", e.random_censored}};
    }
    std::vector<double> stop_labels, stop_acc;
    for (const auto& st : result.stops) {
      if (st.strategy != name) continue;
      stop_labels.push_back(static_cast<double>(st.labels));
      stop_acc.push_back(st.accuracy);
    }
    auto median = [](std::vector<double> v) -> json {
      if (v.empty()) return nullptr;
      std::sort(v.begin(), v.end());
      const size_t n = v.size();
      return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    };
    strategies[name] = {{"labels_to_target", ltt},
                        {"pool_fraction", frac},
                        {"ler_vs_random", ler},
                        {"cycle_seconds_median", s.cycle_seconds_median},
                        {"cycle_cpu_seconds_median", s.cycle_cpu_seconds_median},
                        {"final_labels", s.mean_curve.empty() ? 0 : s.mean_curve.back().first},
                        {"final_accuracy", s.mean_curve.empty() ? 0.0 : s.mean_curve.back().second},
                        {"stopping_rule", {{"rule", "stabilising predictions, kappa>=0.99 x3"},
                                           {"fired_in_repeats", stop_labels.size()},
                                           {"labels_median", median(stop_labels)},
                                           {"accuracy_median", median(stop_acc)}}}};
  }
  return strategies;
}

// The table on stdout.
void PrintSummary(const std::map<std::string, al::StrategySummary>& summary,
                  const al::SimulationResult& result, const al::SimulationInput& in, size_t classes,
                  const std::string& out) {
  std::printf("full-pool accuracy %.4f, oracle coverage %.4f (pool %zu, test %zu, %zu classes)\n",
              result.full_pool_accuracy, result.full_pool_oracle_coverage, in.pool.rows.size(),
              in.test.rows.size(), classes);
  std::printf("%-18s %10s %10s %10s %22s %10s\n", "strategy", "L@0.95", "L@0.98", "L@0.99",
              "LER@0.98 [95% CI]", "cycle_s");
  for (const auto& [name, s] : summary) {
    // A structured binding is captured through an init-capture: clang before 16 refuses to
    // capture it by name (C++20 allows it), and the sanitizer tiers compile with clang 14.
    auto l = [&labels = s.labels_to_target](double t) {
      auto v = labels.at(t);
      return v ? std::to_string(*v) : std::string("-");
    };
    std::string ler = "-";
    if (auto it = s.ler_vs_random.find(0.98); it != s.ler_vs_random.end() && it->second.median) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.2f [%.2f, %.2f]%s", *it->second.median,
                    *it->second.ci_low, *it->second.ci_high,
                    it->second.random_censored ? "*" : "");
      ler = buf;
    }
    std::printf("%-18s %10s %10s %10s %22s %10.4f\n", name.c_str(), l(0.95).c_str(),
                l(0.98).c_str(), l(0.99).c_str(), ler.c_str(), s.cycle_seconds_median);
  }
  std::printf("(* random never reached the target: LER is a lower bound)\nwrote %s/{curves.csv,summary.json,learning_curve.svg}\n",
              out.c_str());
}

// --multi-label: one-vs-rest models, strategies random | min-margin | mean-margin ("margin" is
// min-margin; the default list runs all three), seed set = --seed-labels x 10 random items.
Status RunMultiLabel(const SimAlArgs& a) {
  loop::MultiLabelAlOptions o;
  if (a.strategies != "random,margin") {
    o.strategies.clear();
    std::stringstream ss(a.strategies);
    for (std::string s; std::getline(ss, s, ',');) {
      if (!s.empty()) o.strategies.push_back(s == "margin" ? "min-margin" : s);
    }
  }
  o.repeats = a.repeats;
  o.seed_size = static_cast<size_t>(std::max(1, a.seed_labels)) * 10;
  o.batch = a.batch;
  o.max_labels = a.max_labels;
  o.model = a.model;
  o.model_options.c = a.c;
  o.model_options.dual_tolerance = a.dual_tolerance;
  o.model_options.threads = a.threads;
  o.model_options.seed = a.seed;
  o.seed = a.seed;
  return RunMultiLabelAlSimulation({a.pool, a.test, a.out, a.max_pool, a.max_test, a.hash_bits,
                                    a.no_char_ngrams},
                                   o);
}

Status Run(const SimAlArgs& a) {
  if (a.multi_label) return RunMultiLabel(a);
  using Clock = std::chrono::steady_clock;
  const auto t_start = Clock::now();
  io::GoldSet pool, test;
  RETURN_IF_ERROR(io::ReadGoldSet(a.pool, a.max_pool, "simulate al", &pool));
  RETURN_IF_ERROR(io::ReadGoldSet(a.test, a.max_test, "simulate al", &test));
  if (pool.texts.empty()) return InvalidArgument(a.pool + ": no records");
  if (test.texts.empty()) return InvalidArgument(a.test + ": no records");

  std::set<std::string> names(pool.labels.begin(), pool.labels.end());
  names.insert(test.labels.begin(), test.labels.end());
  const std::vector<std::string> classes(names.begin(), names.end());
  std::map<std::string, int> class_id;
  for (size_t i = 0; i < classes.size(); ++i) class_id[classes[i]] = static_cast<int>(i);

  text::FeaturizerOptions fo;
  fo.hash_bits = a.hash_bits;
  if (a.no_char_ngrams) fo.char_ngram_min = 0;
  fo.char_ngram_words = !a.token_char_ngrams;
  text::Featurizer featurizer(fo);
  std::vector<text::FeatureInput> pool_in(pool.texts.size());
  for (size_t i = 0; i < pool_in.size(); ++i) pool_in[i] = {pool.texts[i], pool.vectors[i]};
  auto pool_rows = featurizer.FitTransform(pool_in);
  if (!pool_rows.ok()) return Status(pool_rows.status().code(), a.pool + ": " + pool_rows.status().message());

  al::SimulationInput in;
  in.num_classes = static_cast<int>(classes.size());
  in.pool.rows = std::move(pool_rows).value();
  in.pool.texts = std::move(pool.texts);
  for (const auto& l : pool.labels) in.pool.labels.push_back(class_id[l]);
  for (size_t i = 0; i < test.texts.size(); ++i) {
    in.test.rows.push_back(featurizer.Transform({test.texts[i], test.vectors[i]}));
    in.test.labels.push_back(class_id[test.labels[i]]);
  }
  in.test.texts = std::move(test.texts);
  pool.vectors.clear();
  test.vectors.clear();

  // "REPR[,REPR]+MODEL": representations learnt from the pool (no labels), appended to the
  // rows of pool and test once; the classifier then sees sparse n-grams and blocks together.
  ASSIGN_OR_RETURN(model::ModelSpec spec, model::ParseModelSpec(a.model));
  double repr_seconds = 0;
  if (!spec.representations.empty()) {
    const auto t_repr = Clock::now();
    std::vector<model::Example> pex(in.pool.rows.size()), tex(in.test.rows.size());
    for (size_t i = 0; i < pex.size(); ++i) pex[i] = {&in.pool.rows[i], in.pool.texts[i]};
    for (size_t i = 0; i < tex.size(); ++i) tex[i] = {&in.test.rows[i], in.test.texts[i]};
    model::RepresentationOptions ro;
    ro.dims = a.repr_dims;
    ro.seed = a.seed;
    ro.threads = a.threads;
    ro.text_dim = featurizer.text_dim();
    ASSIGN_OR_RETURN(auto reps, model::FitRepresentations(spec.representations, pex, ro));
    RETURN_IF_ERROR(model::AugmentRows(reps, pex, featurizer.dim(), a.repr_weight, a.threads,
                                       &in.pool.rows));
    RETURN_IF_ERROR(model::AugmentRows(reps, tex, featurizer.dim(), a.repr_weight, a.threads,
                                       &in.test.rows));
    repr_seconds = std::chrono::duration<double>(Clock::now() - t_repr).count();
    std::fprintf(stderr, "simulate al: representations %s learnt from the pool in %.1f s\n",
                 a.model.substr(0, a.model.find('+')).c_str(), repr_seconds);
  }

  al::SimulationOptions so;
  so.strategies.clear();
  std::stringstream ss(a.strategies);
  for (std::string s; std::getline(ss, s, ',');) {
    if (!s.empty()) so.strategies.push_back(s);
  }
  so.repeats = a.repeats;
  so.seed_per_class = a.seed_labels;
  so.batch = a.batch;
  so.max_labels = a.max_labels;
  so.model = spec.classifier;
  so.seed = a.seed;
  so.model_options.c = a.c;
  so.model_options.dual_tolerance = a.dual_tolerance;
  so.model_options.threads = a.threads;
  so.model_options.seed = a.seed;
  so.full_pool_reference = !a.no_full_pool;
  so.coverage_precision = a.coverage_precision;

  std::fprintf(stderr, "simulate al: pool %zu, test %zu, %zu classes, %u features, model %s\n",
               in.pool.rows.size(), in.test.rows.size(), classes.size(), featurizer.dim(),
               a.model.c_str());
  // One line per (strategy, repeat) on a pipe; a live line on a terminal.
  const bool tty = isatty(fileno(stderr));
  std::string last_key;
  auto progress = [&](const al::CurvePoint& p) {
    const std::string key = p.strategy + "/" + std::to_string(p.repeat);
    if (tty) {
      std::fprintf(stderr, "\r  %-18s repeat %d  labels %6zu  acc %.4f  cycle %.3fs   ",
                   p.strategy.c_str(), p.repeat, p.labels, p.accuracy, p.cycle_seconds);
    } else if (key != last_key) {
      std::fprintf(stderr, "  %s repeat %d\n", p.strategy.c_str(), p.repeat);
    }
    last_key = key;
    std::fflush(stderr);
  };
  ASSIGN_OR_RETURN(auto result, al::RunSimulation(in, so, progress));
  if (tty) std::fprintf(stderr, "\n");

  al::SummaryOptions sopt;
  sopt.seed = a.seed;
  const auto summary =
      al::Summarize(result.curve, result.full_pool_accuracy, in.pool.rows.size(), sopt);

  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) return IoError(a.out + ": " + ec.message());

  const std::string csv = CurvesCsv(result);
  RETURN_IF_ERROR(AtomicWriteFile(a.out + "/curves.csv", csv));

  using nlohmann::json;
  const json strategies = StrategiesJson(summary, result);
  const double wall = std::chrono::duration<double>(Clock::now() - t_start).count();
  json j = {{"pool_size", in.pool.rows.size()},
            {"test_size", in.test.rows.size()},
            {"classes", classes.size()},
            {"full_pool_accuracy", result.full_pool_accuracy},
            {"full_pool_macro_f1", result.full_pool_macro_f1},
            {"full_pool_oracle_coverage", result.full_pool_oracle_coverage},
            {"coverage_precision", a.coverage_precision},
            {"full_pool_train_seconds", result.full_pool_train_seconds},
            {"strategies", strategies},
            {"settings",
             {{"model", a.model}, {"repeats", a.repeats}, {"seed_labels_per_class", a.seed_labels},
              {"batch", a.batch}, {"max_labels", a.max_labels}, {"seed", a.seed}, {"c", a.c},
              {"dual_tolerance", a.dual_tolerance}, {"char_ngrams_of", a.token_char_ngrams ? "tokens" : "words"},
              {"hash_bits", a.hash_bits}, {"char_ngrams", !a.no_char_ngrams},
              {"max_pool", a.max_pool}, {"max_test", a.max_test}, {"threads", a.threads},
              {"full_pool_reference", !a.no_full_pool}, {"wall_seconds", wall},
              {"representation_seconds", repr_seconds}, {"repr_dims", a.repr_dims},
              {"repr_weight", a.repr_weight}}}};
  RETURN_IF_ERROR(AtomicWriteFile(a.out + "/summary.json", j.dump(2) + "\n"));
  RETURN_IF_ERROR(AtomicWriteFile(
      a.out + "/learning_curve.svg",
      LearningCurveSvg(summary, result.full_pool_accuracy,
                       std::filesystem::path(a.pool).parent_path().filename().string() +
                           " — mean test accuracy over " + std::to_string(a.repeats) +
                           " repeats (" + a.model + ", batch " + std::to_string(a.batch) + ")")));

  PrintSummary(summary, result, in, classes.size(), a.out);
  return Status::Ok();
}

}  // namespace

void RegisterSimulateAl(CLI::App& simulate, GlobalOptions&, int* exit_code) {
  static SimAlArgs a;
  auto* cmd = simulate.add_subcommand(
      "al", "Protocol 1: label efficiency of active-learning strategies vs random order");
  cmd->add_option("--pool", a.pool, "Pool JSONL with gold labels (hidden until bought)")
      ->required();
  cmd->add_option("--test", a.test, "Test JSONL with gold labels")->required();
  cmd->add_option("--strategies", a.strategies,
                  "Comma-separated strategies (include random for LER)")
      ->capture_default_str();
  cmd->add_option("--repeats", a.repeats, "Repeats with different seeds")->capture_default_str();
  cmd->add_option("--seed-labels", a.seed_labels,
                  "Seed set size PER CLASS (cold start; fewer if a class is smaller)")
      ->capture_default_str();
  cmd->add_option("--batch", a.batch, "Labels bought per cycle")->capture_default_str();
  cmd->add_option("--max-labels", a.max_labels, "Stop each run at this many labels (0 = pool)")
      ->capture_default_str();
  cmd->add_option("--model", a.model, "Classifier (logreg, fasttext, calibrated:NAME, ...), or REPR[,REPR]+NAME with "
                  "representations learnt from the pool (lsa, ftvec, rff)")
      ->capture_default_str();
  cmd->add_option("--seed", a.seed, "Base seed")->capture_default_str();
  cmd->add_option("--repr-dims", a.repr_dims,
                  "Dimensions of each pool-learnt representation of a REPR+MODEL spec (0 = its "
                  "default)")
      ->capture_default_str();
  cmd->add_option("--repr-weight", a.repr_weight,
                  "Norm of each representation block inside a row, relative to the block it is "
                  "computed from (the n-gram block has norm 1; rff and patches: the item's own "
                  "vector norm)")
      ->capture_default_str();
  cmd->add_option("--out", a.out, "Output directory")->required();
  cmd->add_option("--c", a.c, "Inverse regularisation of linear models")->capture_default_str();
  cmd->add_option("--dual-tolerance", a.dual_tolerance,
                  "logreg's dual solver stops when no projected gradient reaches this (liblinear: 0.1)")
      ->capture_default_str();
  cmd->add_flag("--token-char-ngrams", a.token_char_ngrams,
                "Character n-grams of the letter/digit tokens (the featurizer before 2026-12-07), not of the space-separated words");
  cmd->add_option("--threads", a.threads, "Scoring threads")->capture_default_str();
  cmd->add_option("--hash-bits", a.hash_bits, "Text feature buckets = 2^bits")
      ->capture_default_str();
  cmd->add_flag("--no-char-ngrams", a.no_char_ngrams, "Word uni+bigrams only");
  cmd->add_option("--max-pool", a.max_pool, "Use only the first N pool records (0 = all)")
      ->capture_default_str();
  cmd->add_option("--max-test", a.max_test, "Use only the first N test records (0 = all)")
      ->capture_default_str();
  cmd->add_option("--coverage-precision", a.coverage_precision,
                  "Precision at which the full-pool model's oracle coverage of the test set is "
                  "reported (full_pool_oracle_coverage: the most one threshold could auto-accept)")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 1.0));
  cmd->add_flag("--no-full-pool", a.no_full_pool,
                "Skip the full-pool reference model (speed runs; full_pool_accuracy is null and "
                "no labels-to-target are computed)");
  cmd->add_flag("--multi-label", a.multi_label,
                "Multi-label data (records with \"labels\": [...]): one-vs-rest models; strategies "
                "random, min-margin, mean-margin (docs/LOOP.md, \"Multi-label projects\")");
  cmd->callback([exit_code] {
    Status st = Run(a);
    if (!st.ok()) *exit_code = Fail(st);
  });
}

}  // namespace hitloop::cli
