// What the plan sees besides people's labels: feature rows, rule labels, the seed query's boost
// (loop/cycle_steps.h).
#include <algorithm>
#include <cctype>
#include <sstream>

#include "autolabel/boilerplate.h"
#include "loop/cycle_steps.h"
#include "loop/duplicate_cache.h"
#include "loop/model_choice.h"
#include "text/featurizer.h"

namespace hitloop::loop {
namespace {

std::string Lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::string DetectorAnswer(const Detections& d, const std::string& detector) {
  const auto it = d.find(detector);
  return it == d.end() ? "" : it->second;
}

}  // namespace

Result<CycleFeatures> BuildCycleFeatures(const CycleInputs& in, const Project& project,
                                         const text::FeaturizerOptions& options, int threads) {
  const bool strip = in.config.autolabel.strip_boilerplate;
  auto feature_text = [&](const std::string& t) -> std::string {
    return strip ? autolabel::ContentText(t, autolabel::DetectBoilerplate(t)) : t;
  };
  text::Featurizer featurizer(options);
  std::vector<std::string> stripped;
  if (strip) {
    stripped.reserve(in.pool.size());
    for (const auto& it : in.pool) stripped.push_back(feature_text(it.text));
  }
  std::vector<text::FeatureInput> fin(in.pool.size());
  for (size_t i = 0; i < in.pool.size(); ++i) {
    fin[i] = {stripped.empty() ? in.pool[i].text : stripped[i], in.pool[i].vector};
  }
  CycleFeatures f;
  ASSIGN_OR_RETURN(f.pool_rows, featurizer.FitTransform(fin, std::max(1, threads)));
  f.pool.resize(in.pool.size());
  for (size_t i = 0; i < in.pool.size(); ++i) f.pool[i] = {&f.pool_rows[i], in.pool[i].text};
  std::vector<const Item*> gold;
  for (const auto& g : in.gold) {
    if (g.labels.empty()) continue;
    const int y = project.LabelIndex(g.labels[0]);
    if (y < 0) continue;
    f.gold_rows.push_back(featurizer.Transform({feature_text(g.text), g.vector}));
    f.gold_y.push_back(y);
    f.gold_ids.push_back(g.id);
    gold.push_back(&g);
  }
  for (size_t i = 0; i < gold.size(); ++i) f.gold.push_back({&f.gold_rows[i], gold[i]->text});
  f.text_dim = featurizer.text_dim();
  f.dim = featurizer.dim();
  f.featurizer = std::make_shared<const text::Featurizer>(std::move(featurizer));
  return f;
}

Status AddCycleRepresentations(const CycleInputs& in, const Project& project,
                               const CycleOptions& o, CycleFeatures* f, CycleRecord* rec) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, NeededRepresentations(in.config));
  if (names.empty()) return Status::Ok();
  model::RepresentationOptions ro;
  ro.threads = o.model_options.threads;
  ro.seed = static_cast<uint64_t>(project.id);
  ro.text_dim = f->text_dim;
  ASSIGN_OR_RETURN(PreparedRepresentations reps,
                   PrepareRepresentations(names, o.models_dir, in.config.representation_refresh,
                                          ro, f->pool));
  RETURN_IF_ERROR(model::AugmentRows(reps.set, f->pool, f->dim, 1.0f, ro.threads, &f->pool_rows));
  RETURN_IF_ERROR(model::AugmentRows(reps.set, f->gold, f->dim, 1.0f, ro.threads, &f->gold_rows));
  f->blocks = model::BlockLayout(reps.set, f->dim);
  rec->representations_json = RepresentationsJson(reps.records);
  return Status::Ok();
}

std::vector<int> AcceptedModelLabels(const CycleInputs& in, const Project& project) {
  std::vector<int> out(in.pool.size(), -1);
  for (size_t i = 0; i < in.pool.size(); ++i) {
    const Item& it = in.pool[i];
    if (in.was_auto[i] && it.label_source && *it.label_source == LabelSource::kModel &&
        it.labels.size() == 1) {
      out[i] = project.LabelIndex(it.labels[0]);
    }
  }
  return out;
}

Result<RuleLabels> CycleRuleLabels(const CycleInputs& in, const Project& project,
                                   const std::string& models_dir, bool* duplicates_reused) {
  const size_t n = in.pool.size();
  std::vector<std::string_view> texts(n);
  for (size_t i = 0; i < n; ++i) texts[i] = in.pool[i].text;
  *duplicates_reused = false;
  CachedDuplicates dups;
  const bool duplicates = in.config.autolabel.duplicates != "off" && n > 1;
  if (duplicates) {
    ASSIGN_OR_RETURN(dups, PoolDuplicatesCached(texts, DuplicateOptionsFor(in.config.autolabel),
                                                models_dir));
    *duplicates_reused = dups.reused;
  }
  std::vector<std::string> labeler_value;
  const std::string& labeler = in.config.autolabel.labeler;
  if (!labeler.empty()) {
    labeler_value.resize(n);
    for (size_t i = 0; i < n; ++i) {
      labeler_value[i] = DetectorAnswer(in.detections[i], labeler);
      // A format answer "code:python" is the class "code" unless the project names languages.
      if (project.LabelIndex(labeler_value[i]) < 0) {
        const size_t colon = labeler_value[i].find(':');
        if (colon != std::string::npos) labeler_value[i].resize(colon);
      }
    }
  }
  RuleInput rin;
  rin.labels = project.labels;
  rin.texts = texts;
  rin.train_label = in.train_label;
  rin.labeler_value = labeler_value;
  rin.config = in.config.autolabel;
  if (duplicates) rin.duplicate_groups = &dups.groups;
  return ComputeRuleLabels(rin);
}

std::vector<double> SeedBoost(const std::vector<Item>& pool, const std::string& query) {
  if (query.empty()) return {};
  std::vector<std::string> words;
  std::istringstream ss(Lower(query));
  for (std::string w; ss >> w;) words.push_back(w);
  std::vector<double> boost(pool.size(), 0.0);
  for (size_t i = 0; i < pool.size(); ++i) {
    const std::string t = Lower(pool[i].text);
    for (const auto& w : words) boost[i] += t.find(w) != std::string::npos ? 1.0 : 0.0;
  }
  return boost;
}

}  // namespace hitloop::loop
