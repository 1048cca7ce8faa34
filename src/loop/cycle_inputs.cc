// LoadCycleInputs: what one cycle reads from the store (loop/cycle_steps.h).
#include <algorithm>
#include <map>

#include "autolabel/detect_items.h"
#include "loop/answer.h"
#include "loop/cycle_record.h"
#include "loop/cycle_steps.h"
#include "loop/detect.h"
#include "loop/multilabel.h"
#include "quality/project_quality.h"

namespace hitloop::loop {
namespace {

// People's answers for one pool item, folded from the annotation history.
struct ItemLabels {
  int audit = -1;                    // newest audit answer
  std::vector<int> audits;           // audit answers in time order (a second one when the first
                                     // disagreed with the model; loop/answer.h), the newest of
  std::vector<std::string> auditors; // each person: an amended audit replaces the earlier one
  int adjudicated = -1;              // newest adjudication
  int resolved = -1;                 // people's answers resolved (quality/: mv | ds | auto)
  std::vector<int> answers;          // imported labels in time order
};

// The training label: the adjudication if any, else the resolved label of people's answers
// (the project's aggregation method), else the majority of imported labels (ties go to the
// newest among the tied).
int TrainingLabel(const ItemLabels& l, int k) {
  if (l.adjudicated >= 0) return l.adjudicated;
  if (l.resolved >= 0) return l.resolved;
  if (l.answers.empty()) return -1;
  std::vector<int> votes(k, 0);
  for (int a : l.answers) ++votes[a];
  int best = l.answers.back();
  for (auto it = l.answers.rbegin(); it != l.answers.rend(); ++it) {
    if (votes[*it] > votes[best]) best = *it;
  }
  return best;
}

Status LoadConfig(const Project& project, const CycleOptions& o, LoopConfig* cfg) {
  if (project.type != TaskType::kSingleLabel && project.type != TaskType::kMultiLabel) {
    return InvalidArgument(
        "cycle: only single-label and multi-label projects are supported by the loop so far");
  }
  if (o.models_dir.empty()) return InvalidArgument("cycle: models_dir is required");
  if (project.type == TaskType::kMultiLabel) {
    if (project.labels.empty() || project.labels.size() > static_cast<size_t>(kMaxMultiLabels)) {
      return InvalidArgument("cycle: a multi-label project needs 1 to " +
                             std::to_string(kMaxMultiLabels) + " labels");
    }
    if (!o.seed_class.empty()) {
      return InvalidArgument("--seed-class: not supported for multi-label projects yet");
    }
  } else if (project.labels.size() < 2) {
    return InvalidArgument("cycle: the project needs at least 2 labels");
  }
  ASSIGN_OR_RETURN(*cfg, ParseLoopConfig(project.config_json));
  if (o.seed_class.empty()) return Status::Ok();
  if (project.LabelIndex(o.seed_class) < 0) {
    return InvalidArgument("--seed-class: '" + o.seed_class + "' is not a label of " + project.name +
                           " (add it with `hitloop project add-label` first)");
  }
  if (std::find(cfg->new_classes.begin(), cfg->new_classes.end(), o.seed_class) ==
      cfg->new_classes.end()) {
    cfg->new_classes.push_back(o.seed_class);  // the class needs its own certificate from now on
  }
  return Status::Ok();
}

// People's answers -> training and audit labels; open audits; unconfirmed machine labels.
Status LoadLabels(Store& store, const Project& project, CycleInputs* in) {
  const size_t n = in->pool.size();
  std::vector<ItemLabels> answers(n);
  quality::AnswerCollector people;  // answers by people (pool and gold items), to be resolved
  // Answers a reviewer rejected vote for nothing and decide nothing (docs/QUALITY.md).
  ASSIGN_OR_RETURN(const auto rejected, quality::RejectedAnswerIds(store, project.id));
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    in->seen_annotations = std::max(in->seen_annotations, a.id);
    // People's answers, resolved below (an import on a gold item is its known answer, not a vote).
    if (a.source == LabelSource::kHuman && a.kind != "adjudicate" &&
        !(a.kind == "import" && in->pos.find(a.item_id) == in->pos.end()) &&
        a.labels.size() == 1 && project.LabelIndex(a.labels[0]) >= 0) {
      people.Add(a.item_id, a.annotator, project.LabelIndex(a.labels[0]), rejected.count(a.id) > 0);
    }
    auto it = in->pos.find(a.item_id);
    if (it == in->pos.end() || a.labels.empty()) return true;
    const int y = project.LabelIndex(a.labels[0]);
    if (y < 0) return true;
    ItemLabels& l = answers[it->second];
    if (a.source == LabelSource::kAudit) {
      l.audit = y;
      auto same = std::find(l.auditors.begin(), l.auditors.end(), a.annotator);
      if (same != l.auditors.end()) {
        l.audits[static_cast<size_t>(same - l.auditors.begin())] = y;  // amended (loop/answer.h)
      } else {
        l.audits.push_back(y);
        l.auditors.push_back(a.annotator);
      }
    } else if (a.source == LabelSource::kHuman) {
      if (a.kind == "adjudicate") {
        if (!rejected.count(a.id)) l.adjudicated = y;
      } else if (a.kind == "import") {
        l.answers.push_back(y);
      }
    }
    return true;
  }));
  {
    std::map<int64_t, int> known;  // gold items' labels, for `auto`
    for (const Item& g : in->gold) {
      if (g.labels.size() == 1 && project.LabelIndex(g.labels[0]) >= 0) known[g.id] = project.LabelIndex(g.labels[0]);
    }
    ASSIGN_OR_RETURN(auto resolved, people.Resolve(project, known));
    for (const auto& [item, label] : resolved) {
      if (auto it = in->pos.find(item); it != in->pos.end()) answers[it->second].resolved = label;
    }
  }
  const int k = static_cast<int>(project.labels.size());
  in->train_label.assign(n, -1);
  in->audit_label.assign(n, -1);
  in->audit_pending.assign(n, 0);
  std::vector<uint8_t> adjudication_pending(n, 0);
  RETURN_IF_ERROR(store.ScanOpenQueue(project.id, [&](const QueueEntry& e) {
    auto it = in->pos.find(e.item_id);
    if (it != in->pos.end() && e.kind == "audit") in->audit_pending[it->second] = 1;
    if (it != in->pos.end() && e.kind == "adjudicate") adjudication_pending[it->second] = 1;
    return true;
  }));
  for (size_t i = 0; i < n; ++i) {
    const ItemLabels& l = answers[i];
    // An audited item is never trained on (it would bias the audit sample).
    if (l.audits.empty()) {
      in->train_label[i] = TrainingLabel(l, k);
      continue;
    }
    // The audit's final answer; undecided while its second answer or adjudication is open.
    const bool open = in->audit_pending[i] || adjudication_pending[i];
    in->audit_label[i] = open ? -1 : FinalAuditLabel(l.audits, l.adjudicated);
    if (in->audit_label[i] < 0) in->audit_pending[i] = 1;  // neither routed nor certified meanwhile
  }
  in->was_auto.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const Item& it = in->pool[i];
    in->was_auto[i] = it.label_source &&
                      (*it.label_source == LabelSource::kModel || *it.label_source == LabelSource::kRule) &&
                      in->train_label[i] < 0 && in->audit_label[i] < 0;
  }
  return Status::Ok();
}

// Detectors on items not yet detected (pool and gold), then every stored answer for the pool.
Status LoadDetections(Store& store, const Project& project, CycleInputs* in) {
  ASSIGN_OR_RETURN(autolabel::DetectorChoice choice, autolabel::ParseDetectorChoice(in->config.autolabel.detect));
  if (!in->config.autolabel.labeler.empty()) {
    RETURN_IF_ERROR(choice.Add(in->config.autolabel.labeler));  // "language" or "format"
  }
  std::vector<const Item*> all_items;
  all_items.reserve(in->pool.size() + in->gold.size());
  for (const auto& it : in->pool) all_items.push_back(&it);
  for (const auto& it : in->gold) all_items.push_back(&it);
  ASSIGN_OR_RETURN(DetectorRun run, RunDetectors(store, project, all_items, choice));
  in->detected = run.items;
  in->language_backend = run.language_backend;
  in->detections.assign(in->pool.size(), {});
  return store.ScanDetections(project.id, [&](const Detection& d) {
    const auto it = in->pos.find(d.item_id);
    if (it != in->pos.end()) in->detections[it->second][d.detector] = d.value;
    return true;
  });
}

}  // namespace

Result<CycleInputs> LoadCycleInputs(Store& store, const Project& project, const CycleOptions& o) {
  CycleInputs in;
  RETURN_IF_ERROR(LoadConfig(project, o, &in.config));
  RETURN_IF_ERROR(store.ScanItems(project.id, [&](const Item& it) {
    (it.split == Split::kGold ? in.gold : in.pool).push_back(it);
    return true;
  }));
  if (in.pool.empty()) return FailedPrecondition("cycle: the project has no pool items");
  for (size_t i = 0; i < in.pool.size(); ++i) in.pos[in.pool[i].id] = i;
  RETURN_IF_ERROR(project.type == TaskType::kMultiLabel ? LoadMultiLabelSets(store, project, &in)
                                                        : LoadLabels(store, project, &in));
  RETURN_IF_ERROR(LoadDetections(store, project, &in));
  ASSIGN_OR_RETURN(in.history, store.ListCycles(project.id));
  // Items drawn for stratified (monitoring) audits in any earlier cycle: their answers never certify.
  in.audit_stratified.assign(in.pool.size(), 0);
  for (const CycleRow& h : in.history) {
    auto r = CycleRecordFromJson(h.record_json);
    if (!r.ok()) continue;
    for (int64_t id : r->stratified_audit_items) {
      const auto f = in.pos.find(id);
      if (f != in.pos.end()) in.audit_stratified[f->second] = 1;
    }
  }
  return in;
}

}  // namespace hitloop::loop
