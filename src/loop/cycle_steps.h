#pragma once
// The steps of one live cycle (loop/cycle.h: RunCycle calls them in this order):
//   LoadCycleInputs   (cycle_inputs.cc)   items, people's answers, open audits, detector answers,
//                                         earlier cycles
//   BuildCycleFeatures(cycle_features.cc) pool and gold rows; CycleRuleLabels, SeedBoost: what
//                                         the plan sees besides people's labels
//   AddCycleRepresentations (cycle_features.cc) pool-learnt representation blocks
//   LoadCycleRegions  (cycle_regions.cc)  the audit draws so far and their regions
//   PlanCycle         (plan.h)            train, predict, certify, route, order, draw audits
//   SaveCycleRegions  (cycle_regions.cc)  this cycle's draw, written beside the models
//   MeasureGold...    (cycle_gold.cc)     the previous and the new model on the gold split
//   ApplyCycle        (cycle_apply.cc)    predictions (staged in short transactions first),
//                                         routing, queues, config and the cycle record, in ONE
//                                         store transaction
// Internal to loop/: callers outside use RunCycle. Contracts as in loop/cycle.h.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "loop/audit_region_file.h"
#include "loop/config.h"
#include "loop/cycle.h"
#include "loop/plan.h"
#include "loop/router.h"
#include "loop/rules.h"
#include "model/classifier.h"
#include "model/representation.h"
#include "schema/types.h"
#include "store/store.h"
#include "text/featurizer.h"
#include "text/sparse.h"

namespace hitloop::loop {

// Everything a cycle reads from the store, folded per pool item.
struct CycleInputs {
  LoopConfig config;                           // the project's, plus options.seed_class
  std::vector<Item> pool, gold;                // gold = the gold split (never trained on)
  std::unordered_map<int64_t, size_t> pos;     // pool item id -> index
  std::vector<int> train_label, audit_label;   // per pool item: class index or -1
  std::vector<uint8_t> audit_pending;          // open audit entry
  std::vector<uint8_t> was_auto;               // carries a model/rule label nobody confirmed
  std::vector<uint8_t> audit_stratified;       // drawn for a stratified audit in an earlier cycle
  std::vector<Detections> detections;          // per pool item: the detectors' answers
  int64_t seen_annotations = 0;                // newest annotation id the plan saw
  std::vector<CycleRow> history;               // earlier cycles, oldest first
  int64_t detected = 0;                        // items newly run through the detectors
  std::string language_backend;
};

// Validates the project and options, runs the detectors on items not yet detected (their answers
// are stored, so each item is read once), and loads the rest. Errors: InvalidArgument (config,
// seed class), FailedPrecondition (no pool items), store errors.
Result<CycleInputs> LoadCycleInputs(Store& store, const Project& project, const CycleOptions& o);

// Feature rows: IDF fitted on the pool (needs no labels, so the same pool gives the same rows);
// with strip_boilerplate the features see only each text's content blocks. Gold items whose
// label is not in the label set are left out. `pool` and `gold` point into the rows.
struct CycleFeatures {
  std::vector<text::SparseRow> pool_rows, gold_rows;
  std::vector<model::Example> pool, gold;
  std::vector<int> gold_y;
  std::vector<int64_t> gold_ids;  // item id of each gold row
  uint32_t text_dim = 0;
  uint32_t dim = 0;                                  // the featurizer's columns
  std::vector<model::RepresentationBlock> blocks;    // appended by AddCycleRepresentations
  std::shared_ptr<const text::Featurizer> featurizer;  // fitted on the pool; saved beside the
                                                     // model (loop/predictor.h)
};
// `threads` hash the pool's texts in parallel (the rows are the same for any count).
Result<CycleFeatures> BuildCycleFeatures(const CycleInputs& in, const Project& project,
                                         const text::FeaturizerOptions& options, int threads = 1);

// Representations learnt from the pool that the config needs (loop/model_choice.h: loaded from
// the models directory, learnt and saved once, relearnt when the pool has grown enough), appended
// to the pool and gold rows after the featurizer's columns; f->blocks says where. Their record
// goes into rec->representations_json. Nothing to do when the config needs none.
Status AddCycleRepresentations(const CycleInputs& in, const Project& project,
                               const CycleOptions& o, CycleFeatures* f, CycleRecord* rec);

// Per pool item: the class the loop currently auto-accepts by the model (unconfirmed model
// label), else -1 (PlanInput::accepted_label, trained on with loop.train_on_accepted).
std::vector<int> AcceptedModelLabels(const CycleInputs& in, const Project& project);

// Rule labels: duplicates of people's labels and the labeler detector's answers (loop/rules.h).
// The pool's duplicate groups come through the cache in `models_dir` (loop/duplicate_cache.h);
// `*duplicates_reused` says whether they were read back rather than searched.
Result<RuleLabels> CycleRuleLabels(const CycleInputs& in, const Project& project,
                                   const std::string& models_dir, bool* duplicates_reused);

// Per pool item: how many words of `query` its text contains (empty when the query is empty).
std::vector<double> SeedBoost(const std::vector<Item>& pool, const std::string& query);

// Audit regions (loop/audit_region.h): the draws so far and each pool item's run in their
// regions, as PlanInput wants them (all "whole pool" when no region state exists yet).
struct CycleRegions {
  AuditRegionState state;
  std::vector<int32_t> since, draw;      // PlanInput::region_since, audit_draw
  std::vector<uint8_t> whole_pool;       // PlanInput::audit_whole_pool
  std::vector<uint64_t> key;             // PlanInput::item_key (the item id)
};
CycleRegions LoadCycleRegions(const CycleInputs& in, const CycleOptions& o);
// Records this cycle's draws (the first plan.model_audits of plan.new_audits are the model
// region's) and writes the state after cycle `cycle` beside the models, before the transaction.
Status SaveCycleRegions(const CycleInputs& in, const CyclePlan& plan, int64_t cycle,
                        const CycleOptions& o, CycleRegions* r);

// Gold metrics of the newest earlier cycle's model (loaded and validated from its file, seeing
// the gold rows as its recorded model spec did) into rec->before, or the reason there are none
// into rec->before_note. Never fails the cycle.
void MeasureGoldBefore(const CycleInputs& in, const CycleFeatures& f, int k,
                       const model::ClassifierOptions& options, CycleRecord* rec);
// Gold metrics of the new model (model spec `spec`) into rec->after (nothing without gold items);
// its class distributions on the gold rows into `*gold_probs` (row-major, k per row) when given:
// the cycle stores them as the gold items' predictions, so a gold question shows a pre-label
// like any review task (loop/gold.h).
Status MeasureGoldAfter(const model::Classifier& model, const std::string& spec,
                        const CycleFeatures& f, int k, CycleRecord* rec,
                        std::vector<float>* gold_probs = nullptr);

// The plan's outcome written in one transaction: predictions, auto-accepted and withdrawn
// labels, the review and audit queues, the new config (when it differs) and the cycle record
// (rec's counters are filled here; rec->cycle becomes the number the store gave it). Items
// people answered since LoadCycleInputs are left to them. `started` times rec->seconds;
// rec->step_seconds gets "stage" and "final" from `lap_start` on.
// `gold_predictions` (the new model on the gold items) are stored too, and every gold item with
// a known answer gets its gold-question entry (Store::EnsureGoldQueue).
// `stage_predictions` (rec->model_version is this cycle's own, new version): the pool's
// predictions are written before the final transaction in short ones, hidden until it publishes
// them (Store::StagePredictions), so claims never wait for a whole pool's predictions; otherwise
// (an ML backend's version, which earlier cycles may share) they are written inside it.
// Review entries beyond the first o.review_chunk (highest priority first) are queued after the
// final transaction, o.review_chunk per transaction (rec->step_seconds gets "after: queue").
Status ApplyCycle(Store& store, const Project& project, const CycleInputs& in,
                  const CyclePlan& plan, const std::vector<std::string>& rule_names,
                  const std::string& new_config, const CycleOptions& o,
                  std::chrono::steady_clock::time_point started,
                  std::chrono::steady_clock::time_point lap_start, CycleRecord* rec,
                  const std::vector<Prediction>& gold_predictions, bool stage_predictions);

// Multi-label projects (cycle_multilabel.cc, loop/multilabel.h). LoadMultiLabelSets folds people's
// answers into label-set masks: train_label = the adjudication, else the most frequent of people's
// sets (ties to the newest); audit_label = FinalAuditLabel over the audit sets; as LoadCycleInputs
// does for single-label projects.
Status LoadMultiLabelSets(Store& store, const Project& project, CycleInputs* in);
// One model file per warm label beside the models (<version>.label<j>.model); rec->model_path
// names the first.
Status SaveMultiLabelModels(const Project& project, const CyclePlan& plan, const CycleOptions& o,
                            CycleRecord* rec);
void RecordMultiLabelPlan(const Project& project, const CyclePlan& plan, CycleRecord* rec);

}  // namespace hitloop::loop
