#include "loop/cycle.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "autolabel/boilerplate.h"
#include "autolabel/detect_items.h"
#include "loop/answer.h"
#include "loop/audit_region.h"
#include "loop/audit_region_file.h"
#include "loop/config.h"
#include "loop/detect.h"
#include "loop/plan.h"
#include "loop/rules.h"
#include "model/model_file.h"

namespace hitloop::loop {
namespace {

using nlohmann::json;

// People's answers for one pool item, folded from the annotation history.
struct ItemLabels {
  int audit = -1;                    // newest audit answer
  std::vector<int> audits;           // audit answers in time order (a second one when the first
                                     // disagreed with the model; loop/answer.h)
  int adjudicated = -1;              // newest adjudication
  std::vector<int> answers;          // human answers in time order (review, label, import)
};

// The training label: the adjudication if any, else the majority of people's answers (ties go to
// the newest answer among the tied).
int TrainingLabel(const ItemLabels& l, int k) {
  if (l.adjudicated >= 0) return l.adjudicated;
  if (l.answers.empty()) return -1;
  std::vector<int> votes(k, 0);
  for (int a : l.answers) ++votes[a];
  int best = l.answers.back();
  for (auto it = l.answers.rbegin(); it != l.answers.rend(); ++it) {
    if (votes[*it] > votes[best]) best = *it;
  }
  return best;
}

std::string Lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

json MetricsJson(const std::optional<GoldMetrics>& m) {
  if (!m) return nullptr;
  return {{"n", m->n}, {"accuracy", m->accuracy}, {"macro_f1", m->macro_f1}, {"ece", m->ece}};
}

}  // namespace

const char* RuleStateName(bool certified, bool rejected, bool too_small) {
  return certified ? "certified" : rejected ? "rejected" : too_small ? "too_small" : "pending";
}

std::string DefaultModelsDir(const std::string& db_path, const std::string& project) {
  return db_path + ".models/" + project;
}

std::string CycleRecordToJson(const CycleRecord& r) {
  json classes = json::array();
  for (const auto& c : r.classes) {
    classes.push_back({{"label", c.label},
                       {"certified", c.certified},
                       {"threshold", c.certified ? json(c.threshold) : json(nullptr)},
                       {"audits", c.audits},
                       {"errors", c.errors},
                       {"error_upper", c.error_upper},
                       {"cold", c.cold},
                       {"training", c.training}});
  }
  json strata = json::array();
  for (const auto& x : r.audit_strata) {
    strata.push_back({{"label", x.label},
                      {"band", x.band},
                      {"audits", x.audits},
                      {"errors", x.errors},
                      {"precision", x.audits ? 1.0 - static_cast<double>(x.errors) / x.audits : 0.0}});
  }
  json rules = json::array();
  for (const auto& x : r.rules) {
    rules.push_back({{"name", x.name},
                     {"candidates", x.candidates},
                     {"audits", x.audits},
                     {"errors", x.errors},
                     {"error_upper", x.error_upper},
                     {"certified", x.certified},
                     {"rejected", x.rejected},
                     {"too_small", x.too_small},
                     {"accepted", x.accepted},
                     {"held", x.held},
                     {"to_review", x.to_review}});
  }
  return json{{"cycle", r.cycle},
              {"created_at", r.created_at},
              {"model_version", r.model_version},
              {"model_path", r.model_path},
              {"model", r.model_name},
              {"cold_start", r.cold_start},
              {"training_size", r.training_size},
              {"pool_size", r.pool_size},
              {"gold_before", MetricsJson(r.before)},
              {"gold_before_note", r.before_note},
              {"gold_after", MetricsJson(r.after)},
              {"threshold_mode", r.threshold_mode},
              {"target_precision", r.target_precision},
              {"confidence", r.confidence},
              {"min_audits_needed", r.min_audits_needed},
              {"global_certified", r.global_certified},
              {"global_threshold", r.global_certified ? json(r.global_threshold) : json(nullptr)},
              {"classes", classes},
              {"auto_accepted", r.auto_accepted},
              {"newly_accepted", r.newly_accepted},
              {"queued_review", r.queued_review},
              {"review_candidates", r.review_candidates},
              {"audits_queued", r.audits_queued},
              {"stratified_audit_items", r.stratified_audit_items},
              {"audit_strata", strata},
              {"requeued", r.requeued},
              {"novel", r.novel},
              {"cold_blocked", r.cold_blocked},
              {"audits_total", r.audits_total},
              {"audit_precision",
               {{"estimate", r.audit_precision.estimate},
                {"lower_bound", r.audit_precision.lower_bound},
                {"audits", r.audit_precision.audits},
                {"errors", r.audit_precision.errors}}},
              {"queued_by_pool", r.queued_by_pool},
              {"detected", r.detected},
              {"language_backend", r.language_backend},
              {"duplicate_groups", r.duplicate_groups},
              {"duplicate_items", r.duplicate_items},
              {"conflicting_groups", r.conflicting_groups},
              {"held_duplicates", r.held_duplicates},
              {"rules", rules},
              {"rule_accepted", r.rule_accepted},
              {"seconds", r.seconds}}
      .dump();
}

Result<CycleRecord> RunCycle(Store& store, const Project& project, const CycleOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (project.type != TaskType::kSingleLabel) {
    return InvalidArgument("cycle: only single-label projects are supported by the loop so far");
  }
  if (o.models_dir.empty()) return InvalidArgument("cycle: models_dir is required");
  const int k = static_cast<int>(project.labels.size());
  if (k < 2) return InvalidArgument("cycle: the project needs at least 2 labels");
  ASSIGN_OR_RETURN(LoopConfig cfg, ParseLoopConfig(project.config_json));
  if (!o.seed_class.empty()) {
    if (project.LabelIndex(o.seed_class) < 0) {
      return InvalidArgument("--seed-class: '" + o.seed_class + "' is not a label of " + project.name +
                             " (add it with `hitloop project add-label` first)");
    }
    if (std::find(cfg.new_classes.begin(), cfg.new_classes.end(), o.seed_class) ==
        cfg.new_classes.end()) {
      // Remember it: the class needs its own certificate from now on.
      cfg.new_classes.push_back(o.seed_class);
    }
  }

  // Items.
  std::vector<Item> pool, gold;
  RETURN_IF_ERROR(store.ScanItems(project.id, [&](const Item& it) {
    (it.split == Split::kGold ? gold : pool).push_back(it);
    return true;
  }));
  if (pool.empty()) return FailedPrecondition("cycle: the project has no pool items");
  std::unordered_map<int64_t, size_t> pos;
  for (size_t i = 0; i < pool.size(); ++i) pos[pool[i].id] = i;

  // People's answers.
  std::vector<ItemLabels> answers(pool.size());
  int64_t seen_annotations = 0;  // the newest annotation this cycle planned with
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    seen_annotations = std::max(seen_annotations, a.id);
    auto it = pos.find(a.item_id);
    if (it == pos.end() || a.labels.empty()) return true;
    const int y = project.LabelIndex(a.labels[0]);
    if (y < 0) return true;
    ItemLabels& l = answers[it->second];
    if (a.source == LabelSource::kAudit) {
      l.audit = y;
      l.audits.push_back(y);
    } else if (a.source == LabelSource::kHuman) {
      if (a.kind == "adjudicate") {
        l.adjudicated = y;
      } else {
        l.answers.push_back(y);
      }
    }
    return true;
  }));
  std::vector<int> train_label(pool.size(), -1), audit_label(pool.size(), -1);
  std::vector<uint8_t> audit_pending(pool.size(), 0), was_auto(pool.size(), 0);
  std::vector<uint8_t> adjudication_pending(pool.size(), 0);
  RETURN_IF_ERROR(store.ScanOpenQueue(project.id, [&](const QueueEntry& e) {
    auto it = pos.find(e.item_id);
    if (it != pos.end() && e.kind == "audit") audit_pending[it->second] = 1;
    if (it != pos.end() && e.kind == "adjudicate") adjudication_pending[it->second] = 1;
    return true;
  }));
  for (size_t i = 0; i < pool.size(); ++i) {
    const ItemLabels& l = answers[i];
    // An audited item is never trained on (it would bias the audit sample).
    if (l.audits.empty()) {
      train_label[i] = TrainingLabel(l, k);
      continue;
    }
    // The audit's final answer; undecided while its second answer or adjudication is open.
    const bool open = audit_pending[i] || adjudication_pending[i];
    audit_label[i] = open ? -1 : FinalAuditLabel(l.audits, l.adjudicated);
    if (audit_label[i] < 0) audit_pending[i] = 1;  // neither routed nor certified meanwhile
  }
  for (size_t i = 0; i < pool.size(); ++i) {
    was_auto[i] = pool[i].label_source &&
                  (*pool[i].label_source == LabelSource::kModel ||
                   *pool[i].label_source == LabelSource::kRule) &&
                  train_label[i] < 0 && audit_label[i] < 0;
  }

  // Detectors (format, language, boilerplate) for items not yet detected; their answers are
  // kept, so each item is read once. Then rule labels (duplicates, the labeler detector).
  CycleRecord rec;
  ASSIGN_OR_RETURN(autolabel::DetectorChoice choice, autolabel::ParseDetectorChoice(cfg.autolabel.detect));
  if (!cfg.autolabel.labeler.empty()) {
    (cfg.autolabel.labeler == "language" ? choice.language : choice.format) = true;
  }
  std::vector<const Item*> all_items;
  all_items.reserve(pool.size() + gold.size());
  for (const auto& it : pool) all_items.push_back(&it);
  for (const auto& it : gold) all_items.push_back(&it);
  ASSIGN_OR_RETURN(DetectorRun detector_run, RunDetectors(store, project, all_items, choice));
  rec.detected = detector_run.items;
  rec.language_backend = detector_run.language_backend;
  std::unordered_map<int64_t, std::map<std::string, std::string>> detected;
  RETURN_IF_ERROR(store.ScanDetections(project.id, [&](const Detection& d) {
    detected[d.item_id][d.detector] = d.value;
    return true;
  }));
  auto detection = [&](int64_t id, const char* d) -> std::string {
    const auto f = detected.find(id);
    if (f == detected.end()) return "";
    const auto g = f->second.find(d);
    return g == f->second.end() ? "" : g->second;
  };

  // Features: IDF fitted on the pool (needs no labels), so the same pool gives the same rows.
  // With strip_boilerplate the features see only each text's content blocks.
  auto feature_text = [&](const std::string& t) -> std::string {
    if (!cfg.autolabel.strip_boilerplate) return t;
    return autolabel::ContentText(t, autolabel::DetectBoilerplate(t));
  };
  text::Featurizer featurizer(o.featurizer);
  std::vector<std::string> stripped;
  if (cfg.autolabel.strip_boilerplate) {
    stripped.reserve(pool.size());
    for (const auto& it : pool) stripped.push_back(feature_text(it.text));
  }
  std::vector<text::FeatureInput> fin(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) {
    fin[i] = {stripped.empty() ? pool[i].text : stripped[i], pool[i].vector};
  }
  ASSIGN_OR_RETURN(std::vector<text::SparseRow> rows, featurizer.FitTransform(fin));
  std::vector<model::Example> ex(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) ex[i] = {&rows[i], pool[i].text};
  std::vector<text::SparseRow> gold_rows;
  std::vector<model::Example> gold_ex;
  std::vector<int> gold_y;
  for (const auto& g : gold) {
    if (g.labels.empty()) continue;
    const int y = project.LabelIndex(g.labels[0]);
    if (y < 0) continue;
    gold_rows.push_back(featurizer.Transform({feature_text(g.text), g.vector}));
    gold_y.push_back(y);
  }
  for (size_t i = 0; i < gold_rows.size(); ++i) gold_ex.push_back({&gold_rows[i], ""});
  for (size_t i = 0, j = 0; i < gold.size() && j < gold_ex.size(); ++i) {
    if (gold[i].labels.empty() || project.LabelIndex(gold[i].labels[0]) < 0) continue;
    gold_ex[j++].text = gold[i].text;
  }

  std::vector<std::string> meta(pool.size());
  bool any_meta = false;
  bool rules_read_detections = false;
  for (const auto& r : cfg.routing) {
    for (const auto& [field, value] : r.meta_equals) {
      rules_read_detections |= field == "_language" || field == "_format";
    }
  }
  for (size_t i = 0; i < pool.size(); ++i) {
    meta[i] = pool[i].meta_json;
    if (rules_read_detections) {
      // Routing rules may test the detectors' answers as "_language" / "_format".
      json m = json::parse(meta[i].empty() ? "{}" : meta[i], nullptr, false);
      if (m.is_discarded() || !m.is_object()) m = json::object();
      m["_language"] = detection(pool[i].id, "language");
      m["_format"] = detection(pool[i].id, "format");
      meta[i] = m.dump();
    }
    any_meta |= meta[i] != "{}" && !meta[i].empty();
  }

  // Rule labels: duplicates of people's labels, the labeler detector's answers.
  std::vector<std::string_view> texts(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) texts[i] = pool[i].text;
  std::vector<std::string> labeler_value;
  if (!cfg.autolabel.labeler.empty()) {
    labeler_value.resize(pool.size());
    for (size_t i = 0; i < pool.size(); ++i) {
      labeler_value[i] = detection(pool[i].id, cfg.autolabel.labeler.c_str());
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
  rin.train_label = train_label;
  rin.labeler_value = labeler_value;
  rin.config = cfg.autolabel;
  ASSIGN_OR_RETURN(RuleLabels rl, ComputeRuleLabels(rin));
  rec.duplicate_groups = rl.groups;
  rec.duplicate_items = rl.grouped_items;
  rec.conflicting_groups = rl.conflicting_groups;
  std::vector<double> boost;
  if (!o.seed_query.empty()) {
    std::vector<std::string> words;
    std::istringstream ss(Lower(o.seed_query));
    for (std::string w; ss >> w;) words.push_back(w);
    boost.assign(pool.size(), 0.0);
    for (size_t i = 0; i < pool.size(); ++i) {
      const std::string t = Lower(pool[i].text);
      for (const auto& w : words) boost[i] += t.find(w) != std::string::npos ? 1.0 : 0.0;
    }
  }

  ASSIGN_OR_RETURN(std::vector<CycleRow> history, store.ListCycles(project.id));
  // Items drawn for stratified (monitoring) audits in any earlier cycle: their answers never certify.
  std::vector<uint8_t> audit_stratified(pool.size(), 0);
  for (const CycleRow& h : history) {
    const json r = json::parse(h.record_json, nullptr, false);
    if (r.is_discarded() || !r.contains("stratified_audit_items")) continue;
    for (const auto& id : r["stratified_audit_items"]) {
      if (!id.is_number_integer()) continue;
      const auto f = pos.find(id.get<int64_t>());
      if (f != pos.end()) audit_stratified[f->second] = 1;
    }
  }
  rec.cycle = history.empty() ? 1 : history.back().cycle + 1;
  rec.created_at = o.now;
  rec.pool_size = static_cast<int64_t>(pool.size());
  rec.model_name = cfg.model;
  rec.threshold_mode = cfg.per_class ? "per-class" : "global";
  rec.target_precision = cfg.target_precision;
  rec.confidence = cfg.confidence;
  rec.min_audits_needed = cfg.min_audits_needed();

  // Audit regions (loop/audit_region.h): the draws so far and each item's run in their regions.
  AuditRegionState regions = LoadAuditRegions(o.models_dir, history.empty() ? 0 : history.back().cycle);
  std::vector<int32_t> region_since(pool.size(), 0), audit_draw(pool.size(), -1);
  std::vector<uint8_t> audit_whole_pool(pool.size(), 0);
  std::vector<uint64_t> item_key(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) {
    item_key[i] = static_cast<uint64_t>(pool[i].id);
    if (regions.origin == AuditRegionState::Origin::kNone) continue;  // no region draws yet
    const auto s = regions.since.find(pool[i].id);  // new items were in no earlier region
    region_since[i] = s == regions.since.end() ? kNotInRegion : s->second;
    const auto d = regions.draws.find(pool[i].id);
    if (d != regions.draws.end()) {
      audit_draw[i] = d->second.first;
      audit_whole_pool[i] = d->second.second;
    }
  }

  PlanInput pi;
  pi.labels = project.labels;
  pi.pool = ex;
  pi.train_label = train_label;
  pi.audit_label = audit_label;
  pi.audit_pending = audit_pending;
  pi.audit_stratified = audit_stratified;
  pi.was_auto = was_auto;
  if (any_meta) pi.meta_json = meta;
  pi.seed_boost = boost;
  pi.text_dim = featurizer.text_dim();
  pi.config = cfg;
  pi.model_options = o.model_options;
  pi.seed = o.seed ? o.seed : static_cast<uint64_t>(project.id) * 1000003ULL + rec.cycle;
  pi.rule_label = rl.label;
  pi.rule_id = rl.rule;
  pi.rule_confidence = rl.confidence;
  pi.review_rep = rl.review_rep;
  pi.rule_names = rl.names;
  pi.region_since = region_since;
  pi.audit_draw = audit_draw;
  pi.audit_whole_pool = audit_whole_pool;
  pi.item_key = item_key;
  pi.draw_index = static_cast<int32_t>(rec.cycle);
  ASSIGN_OR_RETURN(CyclePlan plan, PlanCycle(pi));
  {
    std::vector<int64_t> ids(pool.size());
    for (size_t i = 0; i < pool.size(); ++i) ids[i] = pool[i].id;
    for (size_t j = 0; j < plan.new_audits.size(); ++j) {
      const bool model_draw = j < plan.model_audits;
      regions.draws[pool[plan.new_audits[j]].id] = {
          model_draw ? static_cast<int32_t>(rec.cycle) : kNotAModelDraw,
          static_cast<uint8_t>(model_draw && plan.draw_whole_pool)};
    }
    RETURN_IF_ERROR(SaveAuditRegions(o.models_dir, rec.cycle, ids, plan.region_since_next, regions.draws));
  }

  // Gold metrics: the previous model (validated load) and the new one.
  if (!history.empty() && !gold_ex.empty()) {
    std::string prev_path;
    json prev = json::parse(history.back().record_json, nullptr, false);
    if (!prev.is_discarded() && prev.contains("model_path") && prev["model_path"].is_string()) {
      prev_path = prev["model_path"].get<std::string>();
    }
    if (prev_path.empty()) {
      rec.before_note = "previous cycle had no model (cold start)";
    } else {
      auto prev_model = model::LoadModel(prev_path, o.model_options);
      if (!prev_model.ok()) {
        rec.before_note = "previous model not usable: " + prev_model.status().ToString();
      } else if ((*prev_model)->num_classes() != k) {
        rec.before_note = "previous model has a different label set";
      } else {
        std::vector<float> probs(gold_ex.size() * k);
        const Status st = (*prev_model)->Predict(gold_ex, probs);
        if (st.ok()) {
          rec.before = ComputeGoldMetrics(probs, gold_y, k);
        } else {
          rec.before_note = "previous model failed to predict: " + st.ToString();
        }
      }
    }
  } else if (gold_ex.empty()) {
    rec.before_note = "no gold split";
  } else {
    rec.before_note = "first cycle";
  }
  rec.cold_start = plan.cold_start;
  rec.training_size = plan.training_size;
  if (plan.model) {
    if (!gold_ex.empty()) {
      std::vector<float> probs(gold_ex.size() * k);
      RETURN_IF_ERROR(plan.model->Predict(gold_ex, probs));
      rec.after = ComputeGoldMetrics(probs, gold_y, k);
    }
    rec.model_version = project.name + "-c" + std::to_string(rec.cycle) + "-" + std::to_string(o.now);
    std::error_code ec;
    std::filesystem::create_directories(o.models_dir, ec);
    if (ec) return IoError(o.models_dir + ": " + ec.message());
    rec.model_path = o.models_dir + "/" + rec.model_version + ".model";
    RETURN_IF_ERROR(model::SaveModel(*plan.model, rec.model_path));
  }
  const Certification& cert = plan.certification;
  rec.global_certified = !cert.per_class && cert.global.certified;
  rec.global_threshold = rec.global_certified ? cert.global.threshold : 0.0;
  for (int c = 0; c < k; ++c) {
    ClassThresholdRecord cr;
    cr.label = project.labels[c];
    const double t = cert.ThresholdFor(c);
    cr.certified = std::isfinite(t);
    cr.threshold = cr.certified ? t : 0.0;
    const ThresholdCertificate& tc =
        c < static_cast<int>(cert.classes.size()) && cert.classes[c].tested > 0 ? cert.classes[c]
                                                                                : cert.global;
    cr.audits = tc.audits;
    cr.errors = tc.errors;
    cr.error_upper = tc.error_upper;
    cr.cold = plan.cold_class[c];
    cr.training = plan.training_per_class[c];
    rec.classes.push_back(cr);
  }
  rec.audits_total = plan.audits_total;
  rec.audit_precision = plan.audit_precision;
  rec.requeued = plan.routing.requeued;
  rec.novel = plan.routing.novel;
  rec.cold_blocked = plan.routing.cold_blocked;
  rec.review_candidates = plan.routing.review;
  rec.held_duplicates = plan.held_duplicates;
  for (const AuditStratum& st : plan.strata) {
    rec.audit_strata.push_back({project.labels[st.predicted], ConfidenceBandName(st.band), st.audits, st.errors});
  }
  for (const RuleCertificate& rc : plan.rules) {
    rec.rules.push_back({rc.name, rc.candidates, rc.audits, rc.errors, rc.error_upper, rc.certified,
                         rc.rejected, rc.too_small, rc.accepted, rc.held, rc.to_review});
  }

  // Apply, in one transaction: predictions, routing, queues, the cycle record, the new config.
  std::string new_config = project.config_json;
  if (!o.seed_class.empty()) {
    json root = json::parse(project.config_json.empty() ? "{}" : project.config_json, nullptr, false);
    if (root.is_discarded() || !root.is_object()) root = json::object();
    if (!root.contains("loop") || !root["loop"].is_object()) root["loop"] = json::object();
    root["loop"]["new_classes"] = cfg.new_classes;
    new_config = root.dump();
  }
  const std::vector<RoutingRule>& rules = cfg.routing;
  if (o.before_commit) o.before_commit();
  Status st = store.InTransaction([&]() -> Status {
    if (plan.model) {
      for (size_t i = 0; i < pool.size(); ++i) {
        Prediction p;
        p.item_id = pool[i].id;
        p.model_version = rec.model_version;
        p.distribution.assign(plan.probs.begin() + static_cast<std::ptrdiff_t>(i * k),
                              plan.probs.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
        const auto top = std::max_element(p.distribution.begin(), p.distribution.end());
        p.label = project.labels[top - p.distribution.begin()];
        p.confidence = *top;
        p.created_at = o.now;
        RETURN_IF_ERROR(store.PutPrediction(p));
      }
    }
    // People kept labelling while the model trained (a cycle on a big project takes minutes):
    // items they answered since the plan's snapshot are theirs now. They are not queued again,
    // audited, or given a machine label; the next cycle trains on their answers.
    std::vector<uint8_t> answered_since(pool.size(), 0);
    RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
      auto it = pos.find(a.item_id);
      if (it != pos.end() && (a.source == LabelSource::kHuman || a.source == LabelSource::kAudit)) {
        answered_since[it->second] = 1;
      }
      return true;
    }, seen_annotations));
    RETURN_IF_ERROR(store.ClearQueue(project.id, "review"));
    std::set<size_t> to_review;
    for (size_t i : plan.review_order) {
      if (!answered_since[i]) to_review.insert(i);
    }
    for (size_t i = 0; i < pool.size(); ++i) {
      if (answered_since[i]) continue;
      const RouteDecision& d = plan.routing.decisions[i];
      if (d.route == Route::kAccept) {
        ++rec.auto_accepted;
        const bool by_rule = d.rule >= 0 && static_cast<size_t>(d.rule) < rl.names.size();
        rec.rule_accepted += by_rule;
        const std::string& label = project.labels[d.predicted];
        const LabelSource source = by_rule ? LabelSource::kRule : LabelSource::kModel;
        const std::string annotator = by_rule ? "rule:" + rl.names[d.rule] : rec.model_version;
        const bool same = was_auto[i] && pool[i].labels.size() == 1 && pool[i].labels[0] == label &&
                          *pool[i].label_source == source &&
                          (!by_rule || pool[i].label_annotator == annotator);
        if (same) continue;
        ++rec.newly_accepted;
        Annotation a;
        a.item_id = pool[i].id;
        a.labels = {label};
        a.source = source;
        a.annotator = annotator;
        a.confidence = d.confidence;
        a.created_at = o.now;
        a.kind = "label";
        RETURN_IF_ERROR(store.AppendAnnotation(a).status());
      } else if (was_auto[i] && !audit_pending[i]) {
        // The loop no longer vouches for this label: withdraw it; people see the item when it is
        // routed to review (a held item waits for its rule's audits or its group's answer). An
        // item waiting for its audit keeps its label until the audit answers.
        RETURN_IF_ERROR(store.WithdrawAutoLabel(pool[i].id));
        if (d.route == Route::kReview) to_review.insert(i);  // (answered_since items skipped above)
      }
    }
    for (size_t i : to_review) {
      const RouteDecision& d = plan.routing.decisions[i];
      QueueEntry e;
      e.project_id = project.id;
      e.item_id = pool[i].id;
      e.kind = "review";
      e.pool = plan.routing.pools[d.pool];
      e.overlap = d.overlap;
      e.priority = plan.priority[i] + (was_auto[i] ? 1.0 : 0.0);
      RETURN_IF_ERROR(store.Enqueue(e).status());
      ++rec.queued_review;
      ++rec.queued_by_pool[e.pool];
    }
    std::vector<size_t> audits = plan.new_audits;
    audits.insert(audits.end(), plan.stratified_audits.begin(), plan.stratified_audits.end());
    for (size_t i : plan.stratified_audits) {
      if (!answered_since[i]) rec.stratified_audit_items.push_back(pool[i].id);
    }
    for (size_t i : audits) {
      if (answered_since[i]) continue;
      QueueEntry e;
      e.project_id = project.id;
      e.item_id = pool[i].id;
      e.kind = "audit";
      // Audits go to the pool the rules would send the item to (experts audit medical items).
      e.pool = cfg.default_pool;
      e.overlap = 1;
      if (!rules.empty() && !plan.probs.empty()) {
        const float* p = plan.probs.data() + i * k;
        const int pred = static_cast<int>(std::max_element(p, p + k) - p);
        const int r = MatchRule(rules, pool[i].meta_json, project.labels[pred], p[pred]);
        if (r >= 0) e.pool = rules[r].pool;
      }
      e.priority = 1e9;  // audits first: the guarantee depends on them
      RETURN_IF_ERROR(store.Enqueue(e).status());
      ++rec.audits_queued;
    }
    if (new_config != project.config_json) {
      RETURN_IF_ERROR(store.SetProjectConfig(project.id, new_config));
    }
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSIGN_OR_RETURN(rec.cycle, store.AppendCycle(project.id, o.now, CycleRecordToJson(rec)));
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return rec;
}

}  // namespace hitloop::loop
