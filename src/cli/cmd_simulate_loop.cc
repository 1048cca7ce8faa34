// hitloop simulate loop: the whole loop with simulated annotators.
// Output contract (outside scripts rely on it): DIR/summary.json with
//   {"pool_size", "human_labels", "audit_labels", "human_fraction", "auto_accepted",
//    "final_accuracy", "auto_accepted_precision", "estimated_precision_lower_bound",
//    "guarantee_held_fraction", "runs": [...], "cycles": [...]}
// Top-level numbers are means over the runs (auto_accepted_precision over runs that accepted
// anything). DIR/cycles.csv holds one line per cycle.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unistd.h>

#include "cli/command.h"
#include "cli/simulate_multilabel.h"
#include "cli/stats.h"
#include "core/file.h"
#include "io/gold_set.h"
#include "io/record.h"
#include "loop/model_choice.h"
#include "loop/simulate.h"
#include "text/featurizer.h"

namespace hitloop::cli {
namespace {

struct SimLoopArgs {
  std::string pool, test, out;
  double target_precision = 0.98;
  double confidence = 0.95;
  double noise = 0.0;
  int repeats = 1;
  uint64_t seed = 1;
  int batch = 0;              // 0 = max(20, 1% of the pool)
  int audit_per_cycle = 50;
  int audit_stratified = 0;
  std::string strategy = "margin";
  std::string model = "logreg";
  std::string threshold_mode = "global";
  std::string grid = "fixed";
  double test_power = 0.0;
  int64_t tolerate_errors = 0;
  std::string bound = "clopper-pearson";
  std::string audit_region = "pool";
  bool single_audit = false;
  bool plateau_without_certificate = false;
  int max_cycles = 200;
  bool rules = false;
  std::string duplicates;
  double min_gain = 0.5;
  int patience = 3;
  double max_novelty = 0.5;
  int overlap = 1;
  std::string overlap_policy = "rule";
  size_t max_pool = 0;
  int hash_bits = 18;
  bool no_char_ngrams = false;
  double c = 10.0;
  int threads = 2;
  std::string model_candidates;   // comma-separated, for --model auto
  bool train_on_accepted = false;
  bool multi_label = false;       // records carry "labels": [...] (cli/simulate_multilabel.h)
};


nlohmann::json RunJson(const loop::LoopRunResult& r) {
  return {{"run", r.run},
          {"seed", r.seed},
          {"pool_size", r.pool_size},
          {"human_labels", r.human_labels},
          {"audit_labels", r.audit_labels},
          {"human_fraction", r.human_fraction},
          {"auto_accepted", r.auto_accepted},
          {"coverage", static_cast<double>(r.auto_accepted) / static_cast<double>(r.pool_size)},
          {"remainder_by_people", r.remainder_by_people},
          {"adjudications", r.adjudications},
          {"people_items", r.people_items},
          {"people_accuracy", r.people_accuracy},
          {"answers_per_item", r.answers_per_item},
          {"final_accuracy", r.final_accuracy},
          {"auto_accepted_precision",
           r.auto_accepted_precision ? nlohmann::json(*r.auto_accepted_precision) : nlohmann::json(nullptr)},
          {"estimated_precision_lower_bound", r.estimated_precision_lower_bound},
          {"guarantee_held", r.guarantee_held},
          {"cycles", r.cycles},
          {"stop_reason", r.stop_reason},
          {"final_test_accuracy", r.final_test_accuracy},
          {"audit_second_opinions", r.audit_second_opinions},
          {"audit_adjudications", r.audit_adjudications},
          {"first_certificate_cycle", r.first_certificate_cycle},
          {"audits_to_first_certificate",
           r.audits_to_first_certificate >= 0 ? nlohmann::json(r.audits_to_first_certificate) : nlohmann::json(nullptr)},
          {"audited_items_to_first_certificate",
           r.audited_items_to_first_certificate >= 0 ? nlohmann::json(r.audited_items_to_first_certificate)
                                                     : nlohmann::json(nullptr)},
          {"certified_at_stop", r.certified_at_stop},
          {"seconds", r.seconds}};
}

// The simulator's options from the command line; `batch` is the per-cycle review batch.
Result<loop::LoopSimOptions> OptionsFromArgs(const SimLoopArgs& a, int batch) {
  loop::LoopSimOptions so;
  so.config.target_precision = a.target_precision;
  so.config.confidence = a.confidence;
  so.config.per_class = a.threshold_mode == "per-class";
  so.config.grid = a.grid;
  so.config.test_power = a.test_power;
  so.config.tolerate_errors = a.tolerate_errors;
  so.config.bound = a.bound;
  so.config.audit_region = a.audit_region;
  so.config.audit_second_opinion = !a.single_audit;
  so.config.audit_per_cycle = a.audit_per_cycle;
  so.config.audit_stratified_per_cycle = a.audit_stratified;
  so.config.review_batch = batch;
  so.config.seed_batch = batch;
  so.config.strategy = a.strategy;
  so.config.model = a.model;
  if (!a.model_candidates.empty()) {
    so.config.model_candidates.clear();
    std::stringstream mc(a.model_candidates);
    for (std::string m; std::getline(mc, m, ',');) {
      if (!m.empty()) so.config.model_candidates.push_back(m);
    }
  }
  so.config.train_on_accepted = a.train_on_accepted;
  so.config.max_novelty = a.max_novelty;
  if (a.overlap > 1) {
    loop::RoutingRule all;
    all.name = "overlap";
    all.pool = "general";
    all.overlap = a.overlap;
    so.config.routing.push_back(all);
  }
  so.noise = a.noise;
  ASSIGN_OR_RETURN(so.overlap, loop::ParseOverlapPolicy(a.overlap_policy));
  if (a.overlap > 1 && so.overlap.policy != loop::OverlapPolicy::kRule)
    return InvalidArgument("simulate loop: --overlap sets the routing rule's overlap; use it with "
                           "--overlap-policy rule (the default), or drop it");
  so.repeats = a.repeats;
  so.seed = a.seed;
  so.max_cycles = a.max_cycles;
  so.rules = a.rules;
  if (!a.duplicates.empty()) so.config.autolabel.duplicates = a.duplicates;
  so.min_gain = a.min_gain;
  so.wait_for_certificate = !a.plateau_without_certificate;
  so.patience = a.patience;
  so.model_options.c = a.c;
  so.model_options.threads = a.threads;
  so.model_options.seed = a.seed;

  return so;
}

// summary.json's "cycles" and cycles.csv (one line per cycle, its header first).
void CycleRows(const std::vector<loop::LoopCycleMetrics>& all, nlohmann::json* cycles, std::string* csv) {
  *csv =
      "run,cycle,training_size,human_labels,audit_labels,auto_accepted,requeued,remaining,"
      "certified,threshold,estimated_precision_lower_bound,realised_precision,test_accuracy,"
      "test_macro_f1,test_ece,seconds,audits_certifying,draw_threshold,oracle_accept,"
      "top_half_precision,cert_audits,cert_errors,first_tested_threshold,first_tested_audits,"
      "first_tested_errors,candidates,lowest_candidate\n";
  for (const auto& c : all) {
    cycles->push_back({{"run", c.run},
                      {"cycle", c.cycle},
                      {"training_size", c.training_size},
                      {"human_labels", c.human_labels},
                      {"audit_labels", c.audit_labels},
                      {"auto_accepted", c.auto_accepted},
                      {"rule_accepted", c.rule_accepted},
                      {"rules_certified", c.rules_certified},
                      {"requeued", c.requeued},
                      {"remaining", c.remaining},
                      {"certified", c.certified},
                      {"threshold", c.threshold},
                      {"estimated_precision_lower_bound", c.estimated_precision_lower_bound},
                      {"realised_precision", c.realised_precision},
                      {"test_accuracy", c.test.accuracy},
                      {"test_macro_f1", c.test.macro_f1},
                      {"test_ece", c.test.ece},
                      {"audits_certifying", c.audits_certifying},
                      {"draw_threshold", c.draw_threshold},
                      {"audit_window_start", c.audit_window_start},
                      {"oracle_accept", c.oracle_accept},
                      {"top_half_precision", c.top_half_precision},
                      {"cert_audits", c.cert_audits},
                      {"cert_errors", c.cert_errors},
                      {"first_tested_threshold", c.first_tested_threshold},
                      {"first_tested_audits", c.first_tested_audits},
                      {"first_tested_errors", c.first_tested_errors},
                      {"candidates", c.candidates},
                      {"lowest_candidate", c.lowest_candidate},
                      {"seconds", c.seconds}});
    char line[800];
    std::snprintf(line, sizeof(line), "%d,%d,%lld,%lld,%lld,%lld,%lld,%lld,%d,%.4f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%lld,%.4f,"
                  "%.6f,%.6f,%lld,%lld,%.6f,%lld,%lld,%d,%.6f\n",
                  c.run, c.cycle, static_cast<long long>(c.training_size),
                  static_cast<long long>(c.human_labels), static_cast<long long>(c.audit_labels),
                  static_cast<long long>(c.auto_accepted), static_cast<long long>(c.requeued),
                  static_cast<long long>(c.remaining), c.certified ? 1 : 0, c.threshold,
                  c.estimated_precision_lower_bound, c.realised_precision, c.test.accuracy,
                  c.test.macro_f1, c.test.ece, c.seconds, static_cast<long long>(c.audits_certifying),
                  c.draw_threshold, c.oracle_accept, c.top_half_precision,
                  static_cast<long long>(c.cert_audits), static_cast<long long>(c.cert_errors),
                  c.first_tested_threshold, static_cast<long long>(c.first_tested_audits),
                  static_cast<long long>(c.first_tested_errors), c.candidates, c.lowest_candidate);
    *csv += line;
  }
}

// The run's options as summary.json records them.
nlohmann::json OptionsJson(const SimLoopArgs& a, int batch) {
  using nlohmann::json;
  return json{{"pool", a.pool}, {"test", a.test}, {"target_precision", a.target_precision},
        {"confidence", a.confidence}, {"annotator_noise", a.noise}, {"repeats", a.repeats},
        {"seed", a.seed}, {"batch", batch}, {"audit_per_cycle", a.audit_per_cycle},
        {"audit_stratified", a.audit_stratified},
        {"strategy", a.strategy}, {"model", a.model}, {"model_candidates", a.model_candidates},
        {"train_on_accepted", a.train_on_accepted}, {"threshold_mode", a.threshold_mode}, {"grid", a.grid},
        {"test_power", a.test_power}, {"tolerate_errors", a.tolerate_errors}, {"bound", a.bound}, {"audit_region", a.audit_region}, {"audit_second_opinion", !a.single_audit},
        {"wait_for_certificate", !a.plateau_without_certificate},
        {"max_cycles", a.max_cycles}, {"rules", a.rules}, {"min_gain", a.min_gain}, {"patience", a.patience},
        {"max_novelty", a.max_novelty}, {"overlap", a.overlap},
        {"overlap_policy", a.overlap_policy}, {"hash_bits", a.hash_bits},
        {"remainder", "labelled by people, counted in human_labels"}};
}

// Representations learnt from the pool (no labels) that the model spec(s) need, appended to
// pool and test rows once (as the live cycle does from its saved files); their layout in *blocks.
Status AddRepresentations(const SimLoopArgs& a, const loop::LoopConfig& config,
                          const text::Featurizer& featurizer, std::span<const model::Example> pool_ex,
                          std::span<const model::Example> test_ex,
                          std::vector<text::SparseRow>* pool_rows,
                          std::vector<text::SparseRow>* test_rows,
                          std::vector<model::RepresentationBlock>* blocks) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, loop::NeededRepresentations(config));
  if (names.empty()) return Status::Ok();
  model::RepresentationOptions ro;
  ro.seed = a.seed;
  ro.threads = a.threads;
  ro.text_dim = featurizer.text_dim();
  ASSIGN_OR_RETURN(auto reps, model::FitRepresentations(names, pool_ex, ro));
  RETURN_IF_ERROR(model::AugmentRows(reps, pool_ex, featurizer.dim(), 1.0f, a.threads, pool_rows));
  RETURN_IF_ERROR(model::AugmentRows(reps, test_ex, featurizer.dim(), 1.0f, a.threads, test_rows));
  *blocks = model::BlockLayout(reps, featurizer.dim());
  return Status::Ok();
}

Status Run(const SimLoopArgs& a) {
  if (a.multi_label) {
    ASSIGN_OR_RETURN(loop::LoopSimOptions so, OptionsFromArgs(a, a.batch));
    return RunMultiLabelLoopSimulation({a.pool, a.test, a.out, a.max_pool, 0, a.hash_bits,
                                        a.no_char_ngrams},
                                       so);
  }
  io::GoldSet pool, test;
  RETURN_IF_ERROR(io::ReadGoldSet(a.pool, a.max_pool, "simulate loop", &pool));
  if (!a.test.empty()) RETURN_IF_ERROR(io::ReadGoldSet(a.test, 0, "simulate loop", &test));
  if (pool.texts.empty()) return InvalidArgument(a.pool + ": no records");
  std::set<std::string> names(pool.labels.begin(), pool.labels.end());
  names.insert(test.labels.begin(), test.labels.end());
  const std::vector<std::string> classes(names.begin(), names.end());
  if (classes.size() < 2) return InvalidArgument(a.pool + ": need at least 2 classes");
  std::map<std::string, int> id;
  for (size_t i = 0; i < classes.size(); ++i) id[classes[i]] = static_cast<int>(i);

  text::FeaturizerOptions fo;
  fo.hash_bits = a.hash_bits;
  if (a.no_char_ngrams) fo.char_ngram_min = 0;
  text::Featurizer featurizer(fo);
  std::vector<text::FeatureInput> pin(pool.texts.size());
  for (size_t i = 0; i < pin.size(); ++i) pin[i] = {pool.texts[i], pool.vectors[i]};
  auto rows = featurizer.FitTransform(pin);
  if (!rows.ok()) return Status(rows.status().code(), a.pool + ": " + rows.status().message());
  std::vector<text::SparseRow> pool_rows = std::move(rows).value(), test_rows;
  for (size_t i = 0; i < test.texts.size(); ++i) {
    test_rows.push_back(featurizer.Transform({test.texts[i], test.vectors[i]}));
  }
  pool.vectors.clear();
  test.vectors.clear();
  std::vector<model::Example> pool_ex(pool_rows.size()), test_ex(test_rows.size());
  std::vector<int> pool_gold, test_gold;
  for (size_t i = 0; i < pool_rows.size(); ++i) {
    pool_ex[i] = {&pool_rows[i], pool.texts[i]};
    pool_gold.push_back(id[pool.labels[i]]);
  }
  for (size_t i = 0; i < test_rows.size(); ++i) {
    test_ex[i] = {&test_rows[i], test.texts[i]};
    test_gold.push_back(id[test.labels[i]]);
  }
  bool any_meta = false;
  for (const auto& m : pool.meta) any_meta |= m != "{}";

  loop::LoopSimInput in;
  in.labels = classes;
  in.pool = pool_ex;
  in.pool_gold = pool_gold;
  if (any_meta) in.pool_meta = pool.meta;
  in.test = test_ex;
  in.test_gold = test_gold;
  in.text_dim = featurizer.text_dim();

  const int batch = a.batch > 0 ? a.batch : std::max<int>(20, static_cast<int>(pool_ex.size() / 100));
  ASSIGN_OR_RETURN(loop::LoopSimOptions so, OptionsFromArgs(a, batch));
  RETURN_IF_ERROR(AddRepresentations(a, so.config, featurizer, pool_ex, test_ex, &pool_rows,
                                     &test_rows, &in.blocks));
  std::fprintf(stderr,
               "simulate loop: pool %zu, test %zu, %zu classes, batch %d, audits/cycle %d, "
               "target %.3f at %.3f (>= %lld clean audits), noise %.3f, %d run(s)\n",
               pool_ex.size(), test_ex.size(), classes.size(), batch, a.audit_per_cycle,
               a.target_precision, a.confidence,
               static_cast<long long>(so.config.min_audits_needed()),
               a.noise, a.repeats);
  const bool tty = isatty(fileno(stderr));
  auto progress = [&](const loop::LoopCycleMetrics& m) {
    std::fprintf(stderr,
                 "%s  run %d cycle %3d  train %6lld  human %6lld  audit %5lld  auto %7lld  "
                 "left %7lld  thr %.3f  test %.4f%s",
                 tty ? "\r" : "", m.run, m.cycle, static_cast<long long>(m.training_size),
                 static_cast<long long>(m.human_labels), static_cast<long long>(m.audit_labels),
                 static_cast<long long>(m.auto_accepted), static_cast<long long>(m.remaining),
                 m.threshold, m.test.accuracy, tty ? "   " : "\n");
    std::fflush(stderr);
  };
  ASSIGN_OR_RETURN(auto res, loop::SimulateLoop(in, so, progress));
  if (tty) std::fprintf(stderr, "\n");

  using nlohmann::json;
  std::vector<double> hl, al, hf, aa, fa, prec, lb, held, cov, a2fc, second, adjud, pacc, api;
  int64_t certified_at_stop = 0;
  json runs = json::array();
  for (const auto& r : res.runs) {
    if (r.audits_to_first_certificate >= 0) a2fc.push_back(static_cast<double>(r.audits_to_first_certificate));
    second.push_back(static_cast<double>(r.audit_second_opinions));
    adjud.push_back(static_cast<double>(r.audit_adjudications));
    pacc.push_back(r.people_accuracy);
    api.push_back(r.answers_per_item);
    certified_at_stop += r.certified_at_stop;
    hl.push_back(static_cast<double>(r.human_labels));
    al.push_back(static_cast<double>(r.audit_labels));
    hf.push_back(r.human_fraction);
    aa.push_back(static_cast<double>(r.auto_accepted));
    cov.push_back(static_cast<double>(r.auto_accepted) / static_cast<double>(r.pool_size));
    fa.push_back(r.final_accuracy);
    if (r.auto_accepted_precision) prec.push_back(*r.auto_accepted_precision);
    lb.push_back(r.estimated_precision_lower_bound);
    held.push_back(r.guarantee_held ? 1.0 : 0.0);
    runs.push_back(RunJson(r));
  }
  json cycles = json::array();
  std::string csv;
  CycleRows(res.cycles, &cycles, &csv);
  json summary = {
      {"pool_size", static_cast<int64_t>(pool_ex.size())},
      {"human_labels", Mean(hl)},
      {"audit_labels", Mean(al)},
      {"human_fraction", Mean(hf)},
      {"auto_accepted", Mean(aa)},
      {"coverage", Mean(cov)},
      {"final_accuracy", Mean(fa)},
      {"people_accuracy", Mean(pacc)},
      {"answers_per_item", Mean(api)},
      {"auto_accepted_precision", prec.empty() ? json(nullptr) : json(Mean(prec))},
      {"estimated_precision_lower_bound", Mean(lb)},
      {"guarantee_held_fraction", Mean(held)},
      {"min_audits_needed", so.config.min_audits_needed()},
      {"audits_to_first_certificate",
       a2fc.empty() ? json(nullptr) : json(Mean(a2fc))},
      {"audits_to_first_certificate_median", a2fc.empty() ? json(nullptr) : json(Median(a2fc))},
      {"runs_certified", static_cast<int64_t>(a2fc.size())},
      {"runs_certified_at_stop", certified_at_stop},
      {"audit_second_opinions", Mean(second)},
      {"audit_adjudications", Mean(adjud)},
      {"options", OptionsJson(a, batch)},
      {"runs", runs},
      {"cycles", cycles}};
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) return IoError(a.out + ": " + ec.message());
  RETURN_IF_ERROR(AtomicWriteFile(a.out + "/summary.json", summary.dump(2) + "\n"));
  RETURN_IF_ERROR(AtomicWriteFile(a.out + "/cycles.csv", csv));
  std::printf("pool %zu: human_fraction %.4f (human %.1f + audit %.1f), auto-accepted %.1f "
              "(coverage %.4f), final_accuracy %.4f, auto_accepted_precision %s, guarantee held "
              "in %.3f of %d run(s)\nwrote %s/summary.json\n",
              pool_ex.size(), Mean(hf), Mean(hl), Mean(al), Mean(aa), Mean(cov), Mean(fa),
              prec.empty() ? "n/a" : std::to_string(Mean(prec)).c_str(), Mean(held), a.repeats,
              a.out.c_str());
  std::printf("people's labels (review and remainder): accuracy %.4f, %.3f answers per item "
              "(overlap policy %s)\n", Mean(pacc), Mean(api), a.overlap_policy.c_str());
  if (a2fc.empty()) {
    std::printf("audits to first certificate: none certified in %d run(s)\n", a.repeats);
  } else {
    std::printf("audits to first certificate: mean %.1f, median %.1f (%zu of %d run(s) certified; "
                "%lld still certified at the stop)\n",
                Mean(a2fc), Median(a2fc), a2fc.size(), a.repeats, static_cast<long long>(certified_at_stop));
  }
  return Status::Ok();
}

}  // namespace

void RegisterSimulateLoop(CLI::App& simulate, GlobalOptions& /*globals*/, int* exit_code) {
  auto args = std::make_shared<SimLoopArgs>();
  auto* cmd = simulate.add_subcommand(
      "loop", "The whole loop (train, certify, route, audit) with simulated annotators");
  cmd->add_option("--pool", args->pool, "Pool JSONL with gold labels")->required();
  cmd->add_option("--test", args->test, "Test JSONL with gold labels (model metrics per cycle)");
  cmd->add_option("--target-precision", args->target_precision, "1 - epsilon")->capture_default_str();
  cmd->add_option("--confidence", args->confidence, "1 - delta")->capture_default_str();
  cmd->add_option("--annotator-noise", args->noise, "Probability a simulated answer is wrong")
      ->capture_default_str();
  cmd->add_option("--repeats", args->repeats, "Seeded runs")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Base seed")->capture_default_str();
  cmd->add_option("--out", args->out, "Output directory")->required();
  cmd->add_option("--batch", args->batch, "Review answers per cycle (0 = max(20, 1% of pool))");
  cmd->add_option("--audit-stratified", args->audit_stratified,
                  "Stratified monitoring audits per cycle (class x confidence band; never certify; "
                  "the live loop's default is 20, the simulator's 0 so earlier figures reproduce)")
      ->capture_default_str();
  cmd->add_option("--audit-per-cycle", args->audit_per_cycle, "Audits drawn per cycle")
      ->capture_default_str();
  cmd->add_option("--strategy", args->strategy, "Active-learning strategy")->capture_default_str();
  cmd->add_option("--model", args->model,
                  "Model spec (model/registry.h; REPR,...+NAME with pool-learnt representations, "
                  "model/representation.h), or auto: chosen each cycle among --model-candidates")
      ->capture_default_str();
  cmd->add_option("--model-candidates", args->model_candidates,
                  "Comma-separated model specs compared by --model auto (default logreg,lsa+logreg)");
  cmd->add_flag("--train-on-accepted", args->train_on_accepted,
                "Semi-supervision: also train on the certified auto-accepted labels");
  cmd->add_option("--threshold-mode", args->threshold_mode, "global | per-class")
      ->check(CLI::IsMember({"global", "per-class"}))
      ->capture_default_str();
  cmd->add_option("--grid", args->grid, "Threshold candidates: fixed (0.999 ... 0.5) | quantile (5% steps of the pool's confidences) (loop/config.h)")
      ->check(CLI::IsMember({"fixed", "quantile"}))
      ->capture_default_str();
  cmd->add_option("--test-power", args->test_power,
                  "Test a threshold candidate only when the model's confidences give it at least this "
                  "chance to pass (0 = every candidate with enough audits; loop/certify.h)")
      ->check(CLI::Range(0.0, 0.999))
      ->capture_default_str();
  cmd->add_option("--tolerate-errors", args->tolerate_errors,
                  "Test a threshold candidate only when its audits could certify it with this many "
                  "errors (0 = from the fewest clean audits; loop/certify.h)")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  cmd->add_option("--bound", args->bound,
                  "Upper bound on the accepted error rate: betting (anytime-valid) | clopper-pearson")
      ->check(CLI::IsMember({"betting", "clopper-pearson"}))
      ->capture_default_str();
  cmd->add_option("--audit-region", args->audit_region,
                  "Where certifying audits are drawn: candidate (the region the model may be certified "
                  "to accept) | pool (every item people have not labelled)")
      ->check(CLI::IsMember({"candidate", "pool"}))
      ->capture_default_str();
  cmd->add_flag("--single-audit", args->single_audit,
                "One answer per audit (no second person when the first disagrees with the model)");
  cmd->add_flag("--plateau-without-certificate", args->plateau_without_certificate,
                "Let the coverage plateau stop a run before a reachable certificate (the earlier rule)");
  cmd->add_option("--max-cycles", args->max_cycles, "Stop after this many cycles")->capture_default_str();
  cmd->add_flag("--rules", args->rules,
                "Rule labels from duplicates of people's labels, certified on their own audits, and "
                "near-duplicate groups shown once (as the live cycle does)");
  cmd->add_option("--duplicates", args->duplicates, "With --rules: near (default) | exact | off")
      ->check(CLI::IsMember({"near", "exact", "off"}));
  cmd->add_option("--min-gain", args->min_gain, "Plateau: stop when the best coverage grew by less than this x batch over --patience cycles")
      ->capture_default_str();
  cmd->add_option("--patience", args->patience, "Cycles the gain is measured over")->capture_default_str();
  cmd->add_option("--max-novelty", args->max_novelty, "Novelty cut-off (loop/novelty.h)")
      ->capture_default_str();
  cmd->add_option("--overlap", args->overlap, "Annotators per review item (disagreement -> adjudicator)")
      ->capture_default_str();
  cmd->add_option("--overlap-policy", args->overlap_policy,
                  "Who answers a review item: rule (the routing rule's --overlap, adjudicator on any "
                  "disagreement) | 1 | fixed:N (plurality of N, adjudicator on a tie) | 2+1 (two, a "
                  "third only when they disagree)")
      ->capture_default_str();
  cmd->add_option("--max-pool", args->max_pool, "Use only the first N pool records (0 = all)");
  cmd->add_option("--hash-bits", args->hash_bits, "Text feature buckets = 2^bits")->capture_default_str();
  cmd->add_flag("--no-char-ngrams", args->no_char_ngrams, "Word features only (faster)");
  cmd->add_option("--c", args->c, "Inverse regularisation of linear models")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Model threads")->capture_default_str();
  cmd->add_flag("--multi-label", args->multi_label,
                "Multi-label data (records with \"labels\": [...]): one model per label, "
                "set-level certificate (docs/LOOP.md, \"Multi-label projects\")");
  cmd->callback([args, exit_code] {
    const Status st = Run(*args);
    *exit_code = st.ok() ? 0 : Fail(st);
  });
}

}  // namespace hitloop::cli
