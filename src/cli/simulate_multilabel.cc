#include "cli/simulate_multilabel.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/stats.h"
#include "core/file.h"
#include "io/gold_set.h"
#include "loop/multilabel.h"
#include "loop/simulate_multilabel.h"
#include "text/featurizer.h"

namespace hitloop::cli {
namespace {

nlohmann::json RunJson(const loop::MultiLabelRunResult& r) {
  using nlohmann::json;
  return {{"run", r.run},
          {"seed", r.seed},
          {"pool_size", r.pool_size},
          {"human_labels", r.human_labels},
          {"audit_labels", r.audit_labels},
          {"human_fraction", r.human_fraction},
          {"auto_accepted", r.auto_accepted},
          {"coverage", static_cast<double>(r.auto_accepted) / static_cast<double>(r.pool_size)},
          {"remainder_by_people", r.remainder_by_people},
          {"final_exact_match", r.final_exact_match},
          {"final_label_accuracy", r.final_label_accuracy},
          {"auto_accepted_precision",
           r.auto_accepted_precision ? json(*r.auto_accepted_precision) : json(nullptr)},
          {"label_precision", r.label_precision},
          {"estimated_precision_lower_bound", r.estimated_precision_lower_bound},
          {"guarantee_held", r.guarantee_held},
          {"label_guarantee_held", r.label_guarantee_held},
          {"first_certificate_cycle", r.first_certificate_cycle},
          {"cycles", r.cycles},
          {"stop_reason", r.stop_reason},
          {"final_test_exact_match", r.final_test_exact_match},
          {"seconds", r.seconds}};
}

// Label names in first-seen order across pool and test; masks per record.
Status Masks(const io::MultiLabelGoldSet& set, std::vector<std::string>* names,
             std::vector<int>* masks) {
  for (const auto& labels : set.label_sets) {
    for (const auto& l : labels) {
      if (std::find(names->begin(), names->end(), l) == names->end()) names->push_back(l);
    }
  }
  if (names->size() > static_cast<size_t>(loop::kMaxMultiLabels)) {
    return InvalidArgument("simulate loop --multi-label: more than 30 labels");
  }
  for (const auto& labels : set.label_sets) masks->push_back(loop::LabelSetMask(*names, labels));
  return Status::Ok();
}

// The files read, featurised (IDF fitted on the pool) and turned into label-set masks.
struct MultiLabelData {
  std::vector<std::string> names;
  std::vector<int> pool_gold, test_gold;
  std::vector<text::SparseRow> pool_rows, test_rows;
  std::vector<model::Example> pool_ex, test_ex;
  io::MultiLabelGoldSet pool, test;
  uint32_t text_dim = 0;
};

Status LoadMultiLabelData(const MultiLabelSimFiles& f, const std::string& who, MultiLabelData* d) {
  RETURN_IF_ERROR(io::ReadMultiLabelGoldSet(f.pool, f.max_pool, who, &d->pool));
  if (!f.test.empty())
    RETURN_IF_ERROR(io::ReadMultiLabelGoldSet(f.test, f.max_test, who, &d->test));
  if (d->pool.texts.empty()) return InvalidArgument(f.pool + ": no records");
  io::MultiLabelGoldSet both;
  both.label_sets = d->pool.label_sets;
  both.label_sets.insert(both.label_sets.end(), d->test.label_sets.begin(),
                         d->test.label_sets.end());
  RETURN_IF_ERROR(Masks(both, &d->names, &d->pool_gold));
  d->test_gold.assign(d->pool_gold.begin() + static_cast<std::ptrdiff_t>(d->pool.texts.size()),
                      d->pool_gold.end());
  d->pool_gold.resize(d->pool.texts.size());
  text::FeaturizerOptions fo;
  fo.hash_bits = f.hash_bits;
  if (f.no_char_ngrams) fo.char_ngram_min = 0;
  text::Featurizer featurizer(fo);
  std::vector<text::FeatureInput> pin(d->pool.texts.size());
  for (size_t i = 0; i < pin.size(); ++i) pin[i] = {d->pool.texts[i], d->pool.vectors[i]};
  auto rows = featurizer.FitTransform(pin);
  if (!rows.ok()) return Status(rows.status().code(), f.pool + ": " + rows.status().message());
  d->pool_rows = std::move(rows).value();
  for (size_t i = 0; i < d->test.texts.size(); ++i) {
    d->test_rows.push_back(featurizer.Transform({d->test.texts[i], d->test.vectors[i]}));
  }
  d->pool_ex.resize(d->pool_rows.size());
  d->test_ex.resize(d->test_rows.size());
  for (size_t i = 0; i < d->pool_rows.size(); ++i) {
    d->pool_ex[i] = {&d->pool_rows[i], d->pool.texts[i], i + 1};
  }
  for (size_t i = 0; i < d->test_rows.size(); ++i)
    d->test_ex[i] = {&d->test_rows[i], d->test.texts[i]};
  d->text_dim = featurizer.text_dim();
  return Status::Ok();
}

loop::MultiLabelSimInput SimInput(const MultiLabelData& d) {
  loop::MultiLabelSimInput in;
  in.labels = d.names;
  in.pool = d.pool_ex;
  in.pool_gold = d.pool_gold;
  in.test = d.test_ex;
  in.test_gold = d.test_gold;
  in.text_dim = d.text_dim;
  return in;
}

}  // namespace

Status RunMultiLabelLoopSimulation(const MultiLabelSimFiles& f, loop::LoopSimOptions so) {
  MultiLabelData d;
  RETURN_IF_ERROR(LoadMultiLabelData(f, "simulate loop --multi-label", &d));
  const loop::MultiLabelSimInput in = SimInput(d);
  const std::vector<std::string>& names = d.names;
  const auto& pool_ex = d.pool_ex;
  const auto& test_ex = d.test_ex;
  if (so.config.review_batch <= 0) {
    so.config.review_batch = std::max<int>(20, static_cast<int>(pool_ex.size() / 100));
  }
  so.config.seed_batch = so.config.review_batch;
  std::fprintf(
      stderr,
      "simulate loop --multi-label: pool %zu, test %zu, %zu labels, batch %d, "
      "audits/cycle %d, target %.3f at %.3f (>= %lld clean audits), noise %.3f, %d run(s)\n",
      pool_ex.size(), test_ex.size(), names.size(), so.config.review_batch,
      so.config.audit_per_cycle, so.config.target_precision, so.config.confidence,
      static_cast<long long>(so.config.min_audits_needed()), so.noise, so.repeats);
  const bool tty = isatty(fileno(stderr));
  auto progress = [&](const loop::MultiLabelCycleMetrics& m) {
    std::fprintf(stderr,
                 "%s  run %d cycle %3d  train %6lld  human %6lld  audit %5lld  auto %7lld  "
                 "left %7lld  thr %.3f  test exact %.4f%s",
                 tty ? "\r" : "", m.run, m.cycle, static_cast<long long>(m.training_size),
                 static_cast<long long>(m.human_labels), static_cast<long long>(m.audit_labels),
                 static_cast<long long>(m.auto_accepted), static_cast<long long>(m.remaining),
                 m.threshold, m.test_exact_match, tty ? "   " : "\n");
    std::fflush(stderr);
  };
  ASSIGN_OR_RETURN(auto res, loop::SimulateMultiLabelLoop(in, so, progress));
  if (tty) std::fprintf(stderr, "\n");

  using nlohmann::json;
  std::vector<double> hf, hl, al, cov, em, la, prec, held, label_held, test_em;
  json runs = json::array();
  for (const auto& r : res.runs) {
    hf.push_back(r.human_fraction);
    hl.push_back(static_cast<double>(r.human_labels));
    al.push_back(static_cast<double>(r.audit_labels));
    cov.push_back(static_cast<double>(r.auto_accepted) / static_cast<double>(r.pool_size));
    em.push_back(r.final_exact_match);
    la.push_back(r.final_label_accuracy);
    if (r.auto_accepted_precision) prec.push_back(*r.auto_accepted_precision);
    held.push_back(r.guarantee_held ? 1.0 : 0.0);
    label_held.push_back(r.label_guarantee_held ? 1.0 : 0.0);
    test_em.push_back(r.final_test_exact_match);
    runs.push_back(RunJson(r));
  }
  json cycles = json::array();
  std::string csv =
      "run,cycle,training_size,human_labels,audit_labels,auto_accepted,remaining,certified,"
      "threshold,realised_precision,test_exact_match,seconds\n";
  for (const auto& c : res.cycles) {
    cycles.push_back({{"run", c.run},
                      {"cycle", c.cycle},
                      {"training_size", c.training_size},
                      {"human_labels", c.human_labels},
                      {"audit_labels", c.audit_labels},
                      {"auto_accepted", c.auto_accepted},
                      {"remaining", c.remaining},
                      {"certified", c.certified},
                      {"threshold", c.threshold},
                      {"realised_precision", c.realised_precision},
                      {"test_exact_match", c.test_exact_match},
                      {"seconds", c.seconds}});
    char line[256];
    std::snprintf(line, sizeof line, "%d,%d,%lld,%lld,%lld,%lld,%lld,%d,%.4f,%.4f,%.4f,%.2f\n",
                  c.run, c.cycle, static_cast<long long>(c.training_size),
                  static_cast<long long>(c.human_labels), static_cast<long long>(c.audit_labels),
                  static_cast<long long>(c.auto_accepted), static_cast<long long>(c.remaining),
                  c.certified ? 1 : 0, c.threshold, c.realised_precision, c.test_exact_match,
                  c.seconds);
    csv += line;
  }
  json summary = {{"multi_label", true},
                  {"labels", names},
                  {"pool_size", static_cast<int64_t>(pool_ex.size())},
                  {"human_fraction", Mean(hf)},
                  {"human_labels", Mean(hl)},
                  {"audit_labels", Mean(al)},
                  {"coverage", Mean(cov)},
                  {"final_exact_match", Mean(em)},
                  {"final_label_accuracy", Mean(la)},
                  {"auto_accepted_precision", prec.empty() ? json(nullptr) : json(Mean(prec))},
                  {"guarantee_held_fraction", Mean(held)},
                  {"label_guarantee_held_fraction", Mean(label_held)},
                  {"final_test_exact_match", Mean(test_em)},
                  {"min_audits_needed", so.config.min_audits_needed()},
                  {"options",
                   {{"target_precision", so.config.target_precision},
                    {"confidence", so.config.confidence},
                    {"noise", so.noise},
                    {"batch", so.config.review_batch},
                    {"audit_per_cycle", so.config.audit_per_cycle},
                    {"strategy", so.config.strategy},
                    {"model", so.config.model},
                    {"repeats", so.repeats},
                    {"seed", so.seed}}},
                  {"runs", runs},
                  {"cycles", cycles}};
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);
  if (ec) return IoError(f.out + ": " + ec.message());
  RETURN_IF_ERROR(AtomicWriteFile(f.out + "/summary.json", summary.dump(2) + "\n"));
  RETURN_IF_ERROR(AtomicWriteFile(f.out + "/cycles.csv", csv));
  std::printf(
      "pool %zu, %zu labels: human_fraction %.4f (human %.1f + audit %.1f), coverage %.4f, "
      "final exact match %.4f (label accuracy %.4f), auto-accepted exact match %s, "
      "guarantee held in %.3f of %d run(s) (every label: %.3f)\nwrote %s/summary.json\n",
      pool_ex.size(), names.size(), Mean(hf), Mean(hl), Mean(al), Mean(cov), Mean(em), Mean(la),
      prec.empty() ? "n/a" : std::to_string(Mean(prec)).c_str(), Mean(held), so.repeats,
      Mean(label_held), f.out.c_str());
  return Status::Ok();
}

Status RunMultiLabelAlSimulation(const MultiLabelSimFiles& f, const loop::MultiLabelAlOptions& o) {
  MultiLabelData d;
  RETURN_IF_ERROR(LoadMultiLabelData(f, "simulate al --multi-label", &d));
  if (d.test_ex.empty()) return InvalidArgument("simulate al --multi-label: --test is required");
  std::fprintf(stderr,
               "simulate al --multi-label: pool %zu, test %zu, %zu labels, batch %zu, "
               "seed %zu, up to %zu labels, %d repeat(s)\n",
               d.pool_ex.size(), d.test_ex.size(), d.names.size(), o.batch, o.seed_size,
               o.max_labels, o.repeats);
  ASSIGN_OR_RETURN(auto points, loop::SimulateMultiLabelAl(SimInput(d), o));
  using nlohmann::json;
  std::string csv = "strategy,repeat,labels,exact_match,label_accuracy\n";
  // Per strategy and label count: the mean over repeats; the curve's mean is its area per label.
  std::map<std::string, std::map<size_t, std::vector<double>>> em, la;
  for (const auto& p : points) {
    char line[160];
    std::snprintf(line, sizeof line, "%s,%d,%zu,%.4f,%.4f\n", p.strategy.c_str(), p.repeat,
                  p.labels, p.exact_match, p.label_accuracy);
    csv += line;
    em[p.strategy][p.labels].push_back(p.exact_match);
    la[p.strategy][p.labels].push_back(p.label_accuracy);
  }
  json strategies = json::object();
  for (const std::string& s : o.strategies) {
    json curve = json::array();
    std::vector<double> means;
    for (const auto& [labels, v] : em[s]) {
      curve.push_back(
          {{"labels", labels}, {"exact_match", Mean(v)}, {"label_accuracy", Mean(la[s][labels])}});
      means.push_back(Mean(v));
    }
    strategies[s] = {{"mean_exact_match", Mean(means)},
                     {"final_exact_match", means.empty() ? 0.0 : means.back()},
                     {"curve", curve}};
    std::printf("%-12s exact match: mean over the curve %.4f, at %zu labels %.4f\n", s.c_str(),
                Mean(means), em[s].empty() ? 0 : em[s].rbegin()->first,
                means.empty() ? 0.0 : means.back());
  }
  json summary = {{"multi_label", true},
                  {"labels", d.names},
                  {"pool_size", d.pool_ex.size()},
                  {"test_size", d.test_ex.size()},
                  {"options",
                   {{"batch", o.batch},
                    {"seed_size", o.seed_size},
                    {"max_labels", o.max_labels},
                    {"repeats", o.repeats},
                    {"seed", o.seed},
                    {"model", o.model}}},
                  {"strategies", strategies}};
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);
  if (ec) return IoError(f.out + ": " + ec.message());
  RETURN_IF_ERROR(AtomicWriteFile(f.out + "/summary.json", summary.dump(2) + "\n"));
  RETURN_IF_ERROR(AtomicWriteFile(f.out + "/curves.csv", csv));
  std::printf("wrote %s/summary.json\n", f.out.c_str());
  return Status::Ok();
}

}  // namespace hitloop::cli
