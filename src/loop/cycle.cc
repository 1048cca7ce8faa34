// RunCycle: the live cycle as named steps (loop/cycle_steps.h lists them and their files).
#include "loop/cycle.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "loop/cycle_steps.h"
#include "loop/external_model.h"
#include "mlbackend/protocol.h"
#include "loop/model_choice.h"
#include "loop/multilabel.h"
#include "loop/predictor.h"
#include "model/model_file.h"
#include "store/open.h"
#include "text/featurizer_file.h"

namespace hitloop::loop {
namespace {

// The project config with the seed class remembered among the new classes.
std::string NewConfig(const Project& project, const CycleOptions& o, const LoopConfig& cfg) {
  if (o.seed_class.empty()) return project.config_json;
  using nlohmann::json;
  json root = json::parse(project.config_json.empty() ? "{}" : project.config_json, nullptr, false);
  if (root.is_discarded() || !root.is_object()) root = json::object();
  if (!root.contains("loop") || !root["loop"].is_object()) root["loop"] = json::object();
  root["loop"]["new_classes"] = cfg.new_classes;
  return root.dump();
}

// What the plan decided, in the record (the apply step adds what it wrote).
void RecordPlan(const Project& project, const CyclePlan& plan, CycleRecord* rec) {
  const int k = static_cast<int>(project.labels.size());
  rec->cold_start = plan.cold_start;
  rec->model_name = plan.model_spec;
  rec->model_choice_json = ModelChoiceJson(plan.model_choice, plan.model_spec);
  rec->accepted_trained = plan.accepted_trained;
  rec->training_size = plan.training_size;
  const Certification& cert = plan.certification;
  rec->global_certified = !cert.per_class && cert.global.certified;
  rec->global_threshold = rec->global_certified ? cert.global.threshold : 0.0;
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
    rec->classes.push_back(cr);
  }
  rec->audits_total = plan.audits_total;
  rec->audit_precision = plan.audit_precision;
  rec->requeued = plan.routing.requeued;
  rec->novel = plan.routing.novel;
  rec->cold_blocked = plan.routing.cold_blocked;
  rec->review_candidates = plan.routing.review;
  rec->held_duplicates = plan.held_duplicates;
  for (const AuditStratum& st : plan.strata) {
    rec->audit_strata.push_back(
        {project.labels[st.predicted], ConfidenceBandName(st.band), st.audits, st.errors});
  }
  for (const RuleCertificate& rc : plan.rules) {
    rec->rules.push_back({rc.name, rc.candidates, rc.audits, rc.errors, rc.error_upper, rc.certified,
                          rc.rejected, rc.too_small, rc.accepted, rc.held, rc.to_review});
  }
}

Status SaveCycleModel(const Project& project, const model::Classifier& m, const CycleOptions& o,
                      CycleRecord* rec) {
  rec->model_version = project.name + "-c" + std::to_string(rec->cycle) + "-" + std::to_string(o.now);
  std::error_code ec;
  std::filesystem::create_directories(o.models_dir, ec);
  if (ec) return IoError(o.models_dir + ": " + ec.message());
  rec->model_path = o.models_dir + "/" + rec->model_version + ".model";
  return model::SaveModel(m, rec->model_path);
}

// The new model's distributions on the gold rows as the gold items' predictions.
std::vector<Prediction> GoldPredictions(const Project& project, const CycleFeatures& f,
                                        const std::vector<float>& probs, int64_t now) {
  std::vector<Prediction> out;
  const size_t k = project.labels.size();
  if (k == 0 || probs.size() != f.gold_ids.size() * k) return out;
  for (size_t i = 0; i < f.gold_ids.size(); ++i) {
    Prediction p;
    p.item_id = f.gold_ids[i];
    p.distribution.assign(probs.begin() + static_cast<std::ptrdiff_t>(i * k),
                          probs.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
    const auto top = std::max_element(p.distribution.begin(), p.distribution.end());
    p.label = project.labels[top - p.distribution.begin()];
    p.confidence = *top;
    p.created_at = now;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string DefaultModelsDir(const std::string& db_path, const std::string& project) {
  // A PostgreSQL location (postgresql://user:secret@host/db) must not become a folder name: it would
  // be an odd relative path and could carry a password onto the file system.
  if (IsPostgresLocation(db_path)) return "hitloop-models/" + project;
  return db_path + ".models/" + project;
}

Result<CycleRecord> RunCycle(Store& store, const Project& project, const CycleOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, double>> steps;
  auto lap_start = started;
  auto lap = [&](const char* name) {
    const auto now = std::chrono::steady_clock::now();
    steps.emplace_back(name, std::chrono::duration<double>(now - lap_start).count());
    lap_start = now;
  };
  ASSIGN_OR_RETURN(CycleInputs in, LoadCycleInputs(store, project, o));
  lap("load");
  ASSIGN_OR_RETURN(CycleFeatures features, BuildCycleFeatures(in, project, o.featurizer,
                                                                       o.model_options.threads));
  lap("features");
  const bool multi = project.type == TaskType::kMultiLabel;  // loop/multilabel.h
  RuleLabels rl;  // rule labels are single-label answers: none for a multi-label project
  bool duplicates_reused = false;
  if (!multi) {
    ASSIGN_OR_RETURN(rl, CycleRuleLabels(in, project, o.models_dir, &duplicates_reused));
  }
  lap("rules");
  const std::vector<double> boost = SeedBoost(in.pool, o.seed_query);
  std::vector<std::string> meta(in.pool.size());
  bool any_meta = false;
  for (size_t i = 0; i < in.pool.size(); ++i) {
    meta[i] = in.pool[i].meta_json;
    any_meta |= meta[i] != "{}" && !meta[i].empty();
  }

  const LoopConfig& cfg = in.config;
  CycleRecord rec;
  rec.cycle = in.history.empty() ? 1 : in.history.back().cycle + 1;
  rec.created_at = o.now;
  rec.pool_size = static_cast<int64_t>(in.pool.size());
  rec.model_name = cfg.model;
  rec.threshold_mode = cfg.per_class ? "per-class" : "global";
  rec.target_precision = cfg.target_precision;
  rec.confidence = cfg.confidence;
  rec.min_audits_needed = cfg.min_audits_needed();
  rec.detected = in.detected;
  rec.language_backend = in.language_backend;
  RETURN_IF_ERROR(AddCycleRepresentations(in, project, o, &features, &rec));
  rec.duplicate_groups = rl.groups;
  rec.duplicate_items = rl.grouped_items;
  rec.conflicting_groups = rl.conflicting_groups;
  rec.duplicates_reused = duplicates_reused;

  PlanInput pi;
  pi.labels = project.labels;
  pi.pool = features.pool;
  pi.train_label = in.train_label;
  pi.audit_label = in.audit_label;
  pi.audit_pending = in.audit_pending;
  pi.audit_stratified = in.audit_stratified;
  pi.was_auto = in.was_auto;
  if (any_meta) pi.meta_json = meta;
  pi.detections = in.detections;
  pi.seed_boost = boost;
  pi.text_dim = features.text_dim;
  pi.config = cfg;
  pi.model_options = o.model_options;
  pi.seed = o.seed ? o.seed : static_cast<uint64_t>(project.id) * 1000003ULL + rec.cycle;
  pi.rule_label = rl.label;
  pi.rule_id = rl.rule;
  pi.rule_confidence = rl.confidence;
  pi.review_rep = rl.review_rep;
  pi.rule_names = rl.names;
  pi.blocks = features.blocks;
  CycleRegions regions = LoadCycleRegions(in, o);
  pi.region_since = regions.since;
  pi.audit_draw = regions.draw;
  pi.audit_whole_pool = regions.whole_pool;
  pi.item_key = regions.key;
  pi.draw_index = static_cast<int32_t>(rec.cycle);
  const std::vector<int> accepted_label =
      multi ? std::vector<int>{} : AcceptedModelLabels(in, project);
  pi.accepted_label = accepted_label;
  // A connected ML backend replaces the model: its predictions are what the plan decides on.
  ASSIGN_OR_RETURN(std::optional<mlbackend::BackendSettings> backend,
                   mlbackend::LoadBackendSettings(project.config_json));
  ExternalPredictions external;
  if (backend && multi) {
    return InvalidArgument("cycle: a connected ML backend is not used for multi-label projects yet");
  }
  if (backend) {
    ASSIGN_OR_RETURN(external, PredictWithBackend(project, *backend, in.pool, in.train_label,
                                                  in.audit_label, in.audit_pending,
                                                  o.resolver ? o.resolver : net::SystemResolver()));
    pi.external_probs = external.probs;
    pi.external_novelty = external.novelty;
    pi.external_spec = external.spec;
  }
  ASSIGN_OR_RETURN(CyclePlan plan, multi ? PlanMultiLabelCycle(pi) : PlanCycle(pi));
  RETURN_IF_ERROR(SaveCycleRegions(in, plan, rec.cycle, o, &regions));
  lap("plan");

  const int k = static_cast<int>(project.labels.size());
  std::vector<Prediction> gold_predictions;
  if (multi) {
    rec.before_note = "multi-label: gold metrics are not measured yet";
    if (!plan.cold_start) RETURN_IF_ERROR(SaveMultiLabelModels(project, plan, o, &rec));
  } else {
    MeasureGoldBefore(in, features, k, o.model_options, &rec);
  }
  if (plan.model) {
    std::vector<float> gold_probs;
    RETURN_IF_ERROR(MeasureGoldAfter(*plan.model, plan.model_spec, features, k, &rec, &gold_probs));
    gold_predictions = GoldPredictions(project, features, gold_probs, o.now);
    RETURN_IF_ERROR(SaveCycleModel(project, *plan.model, o, &rec));
    // The pool's featurizer beside the model, so the model can be served (loop/predictor.h).
    RETURN_IF_ERROR(text::SaveFeaturizer(*features.featurizer, FeaturizerPathFor(rec.model_path)));
  }
  if (multi) {
    RecordMultiLabelPlan(project, plan, &rec);
  } else {
    RecordPlan(project, plan, &rec);
  }
  if (backend) rec.model_version = external.model_version;
  lap("gold and save");
  rec.step_seconds = std::move(steps);

  if (o.before_commit) o.before_commit();
  if (backend) gold_predictions.clear();  // the backend's model is not the one measured on gold
  for (Prediction& p : gold_predictions) p.model_version = rec.model_version;
  RETURN_IF_ERROR(ApplyCycle(store, project, in, plan, rl.names, NewConfig(project, o, cfg), o,
                             started, lap_start, &rec, gold_predictions,
                             /*stage_predictions=*/!backend));
  return rec;
}

}  // namespace hitloop::loop
