// The live cycle's multi-label steps (loop/cycle_steps.h): people's label sets folded per item,
// the per-label models saved, and the plan in the cycle record.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "loop/answer.h"
#include "loop/cycle_steps.h"
#include "loop/multilabel.h"
#include "model/model_file.h"

namespace hitloop::loop {
namespace {

struct ItemSets {
  std::vector<int> audits;   // audit answers in time order
  int adjudicated = -1;      // newest adjudication
  std::vector<int> answers;  // people's review answers and imported labels, in time order
};

// The adjudication if any, else the most frequent of people's sets (ties go to the newest).
int TrainingSet(const ItemSets& s) {
  if (s.adjudicated >= 0) return s.adjudicated;
  if (s.answers.empty()) return -1;
  std::map<int, int> votes;
  for (int a : s.answers) ++votes[a];
  int best = s.answers.back();
  for (auto it = s.answers.rbegin(); it != s.answers.rend(); ++it) {
    if (votes[*it] > votes[best]) best = *it;
  }
  return best;
}

}  // namespace

Status LoadMultiLabelSets(Store& store, const Project& project, CycleInputs* in) {
  const size_t n = in->pool.size();
  std::vector<ItemSets> sets(n);
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    in->seen_annotations = std::max(in->seen_annotations, a.id);
    const auto it = in->pos.find(a.item_id);
    if (it == in->pos.end() || a.labels.empty()) return true;
    const int m = LabelSetMask(project.labels, a.labels);
    if (m < 0) return true;
    ItemSets& s = sets[it->second];
    if (a.source == LabelSource::kAudit) {
      s.audits.push_back(m);
    } else if (a.source == LabelSource::kHuman) {
      if (a.kind == "adjudicate") {
        s.adjudicated = m;
      } else if (a.kind != "gold") {
        s.answers.push_back(m);
      }
    }
    return true;
  }));
  in->train_label.assign(n, -1);
  in->audit_label.assign(n, -1);
  in->audit_pending.assign(n, 0);
  std::vector<uint8_t> adjudication_pending(n, 0);
  RETURN_IF_ERROR(store.ScanOpenQueue(project.id, [&](const QueueEntry& e) {
    const auto it = in->pos.find(e.item_id);
    if (it != in->pos.end() && e.kind == "audit") in->audit_pending[it->second] = 1;
    if (it != in->pos.end() && e.kind == "adjudicate") adjudication_pending[it->second] = 1;
    return true;
  }));
  for (size_t i = 0; i < n; ++i) {
    const ItemSets& s = sets[i];
    if (s.audits.empty()) {  // an audited item is never trained on
      in->train_label[i] = TrainingSet(s);
      continue;
    }
    const bool open = in->audit_pending[i] || adjudication_pending[i];
    in->audit_label[i] = open ? -1 : FinalAuditLabel(s.audits, s.adjudicated);
    if (in->audit_label[i] < 0) in->audit_pending[i] = 1;
  }
  in->was_auto.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const Item& it = in->pool[i];
    in->was_auto[i] = it.label_source && *it.label_source == LabelSource::kModel &&
                      in->train_label[i] < 0 && in->audit_label[i] < 0;
  }
  return Status::Ok();
}

Status SaveMultiLabelModels(const Project& project, const CyclePlan& plan, const CycleOptions& o,
                            CycleRecord* rec) {
  rec->model_version =
      project.name + "-c" + std::to_string(rec->cycle) + "-" + std::to_string(o.now);
  std::error_code ec;
  std::filesystem::create_directories(o.models_dir, ec);
  if (ec) return IoError(o.models_dir + ": " + ec.message());
  for (size_t j = 0; j < plan.label_models.size(); ++j) {
    if (!plan.label_models[j]) continue;
    // One file per label: <version>.label<j>.model (label j of the project's labels).
    const std::string path =
        o.models_dir + "/" + rec->model_version + ".label" + std::to_string(j) + ".model";
    RETURN_IF_ERROR(model::SaveModel(*plan.label_models[j], path));
    if (rec->model_path.empty()) rec->model_path = path;
  }
  return Status::Ok();
}

void RecordMultiLabelPlan(const Project& project, const CyclePlan& plan, CycleRecord* rec) {
  rec->multi_label = true;
  rec->cold_start = plan.cold_start;
  rec->model_name = plan.model_spec;
  rec->training_size = plan.training_size;
  const Certification& cert = plan.certification;
  // The set-level threshold (class 0 of the decision core) holds for every label decision.
  const double t = cert.ThresholdFor(0);
  const bool certified = std::isfinite(t);
  rec->global_certified = certified;
  rec->global_threshold = certified ? t : 0.0;
  const ThresholdCertificate& tc =
      !cert.classes.empty() && cert.classes[0].tested > 0 ? cert.classes[0] : cert.global;
  for (size_t j = 0; j < project.labels.size(); ++j) {
    ClassThresholdRecord cr;
    cr.label = project.labels[j];
    cr.certified = certified;  // the set certificate covers every label decision
    cr.threshold = certified ? t : 0.0;
    cr.audits = tc.audits;
    cr.errors = tc.errors;
    cr.error_upper = tc.error_upper;
    cr.cold = j < plan.label_cold.size() && plan.label_cold[j];
    cr.training = j < plan.label_positives.size() ? plan.label_positives[j] : 0;
    rec->classes.push_back(cr);
  }
  rec->audits_total = plan.audits_total;
  rec->audit_precision = plan.audit_precision;
  rec->requeued = plan.routing.requeued;
  rec->novel = plan.routing.novel;
  rec->cold_blocked = plan.routing.cold_blocked;
  rec->review_candidates = plan.routing.review;
  for (const AuditStratum& st : plan.strata) {
    rec->audit_strata.push_back({"set", ConfidenceBandName(st.band), st.audits, st.errors});
  }
}

}  // namespace hitloop::loop
