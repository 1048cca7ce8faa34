#pragma once
// PlanCycle: the pure, in-memory decision logic of one cycle — train on people's labels, predict
// every pool item, score novelty, certify thresholds from the audits, route, order the review
// queue with the active-learning strategy and draw the next audit sample. Both the live cycle
// (loop/cycle.h, store-backed) and `hitloop simulate loop` (loop/simulate.h) call it, so the
// benchmark and the product share one path.
//
// Training uses ONLY train_label (people's review/import/adjudicate answers): audit labels are
// never trained on (the model would fit its own audit sample) and audited or audit-pending items
// are never offered to active learning. Certification uses ONLY audit labels.
//
// Cold start: when fewer than two classes have min_labels_per_class training labels, no model is
// trained; the plan queues `seed_batch` items drawn at random (the seed-boosted ones first) and
// still draws audits. A class with fewer than min_labels_per_class labels is "cold": nothing is
// auto-accepted into it; under per-class thresholds it also needs its own certificate.
//
// Ownership: the plan owns the trained model. The input's spans must outlive the call only.
// Thread-safety: not shared; uses the model's own threads. Errors: InvalidArgument on
// inconsistent input; model/strategy errors are passed through.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/certify.h"
#include "loop/config.h"
#include "loop/router.h"
#include "model/classifier.h"
#include "model/representation.h"
#include "model/selection.h"

namespace hitloop::loop {

// Confidence bands of the stratified audit sample: [0, 0.5), [0.5, 0.8), [0.8, 0.9), [0.9, 0.95),
// [0.95, 0.99), [0.99, 1].
inline constexpr double kConfidenceBands[] = {0.5, 0.8, 0.9, 0.95, 0.99};
int ConfidenceBand(double confidence);             // 0..5
std::string ConfidenceBandName(int band);          // "[0.95,0.99)"

struct PlanInput {
  std::vector<std::string> labels;             // class names, size k
  std::span<const model::Example> pool;        // n pool items
  std::span<const int> train_label;            // n: people's label for training, or -1
  std::span<const int> audit_label;            // n: audit label, or -1
  std::span<const uint8_t> audit_pending;      // n or empty: open audit entry
  std::span<const uint8_t> audit_stratified;   // n or empty: the audit came from a stratified
                                               // draw (monitoring only, never certifies)
  std::span<const uint8_t> was_auto;           // n or empty: currently auto-accepted
  std::span<const std::string> meta_json;      // n or empty
  std::span<const Detections> detections;      // n or empty: the detectors' answers (router.h)
  std::span<const double> seed_boost;          // n or empty: > 0 = cold-start seed-query match
  uint32_t text_dim = 0;                       // featurizer text block size (novelty)
  LoopConfig config;
  model::ClassifierOptions model_options;
  uint64_t seed = 1;                           // audit draw and tie-breaks
  // Audit regions (loop/audit_region.h); all empty = every audit counts as a whole-pool draw.
  std::span<const int32_t> region_since;       // n or empty: first draw of the item's run of
                                               // memberships in the draw regions (empty = all 0)
  std::span<const int32_t> audit_draw;         // n or empty: the draw an audit came from, -1 unknown
  std::span<const uint8_t> audit_whole_pool;   // n or empty: that draw was from the whole pool
  std::span<const uint64_t> item_key;          // n or empty: stable key per item (audit order);
                                               // empty = the position
  int32_t draw_index = 0;                      // index of this cycle's draw (draws so far)
  // Rule labels (loop/rules.h); all empty = no rules. Items with a rule label form their rule's
  // region: never auto-accepted by the model, audited on their own uniform sample, accepted by
  // the rule while its certificate holds, held (not queued) while it is pending, sent to people
  // once it is rejected (its error rate is above epsilon with confidence 1 - delta). A rule whose
  // region is smaller than MinAuditsNeeded is left to the model (auditing it would cost more
  // than it saves).
  std::span<const int> rule_label;             // n or empty: class index or -1
  std::span<const uint8_t> rule_id;            // n or empty: index into rule_names
  std::span<const float> rule_confidence;      // n or empty
  std::span<const int64_t> review_rep;         // n or empty: held-back duplicate's representative
  std::vector<std::string> rule_names;
  // Representation blocks present in the pool rows (loop/model_choice.h); empty = plain rows.
  // The model spec used (config.model, or the one "auto" picks) sees exactly its own blocks.
  std::vector<model::RepresentationBlock> blocks;
  // n or empty: the class of each item the loop currently auto-accepts by the model under a
  // certificate, else -1. Trained on when config.train_on_accepted (never certified with).
  std::span<const int> accepted_label;
  // n x k or empty: predictions of an external model (loop/external_model.h). When set, nothing
  // is trained and no class is cold: these are the predictions certified, routed and audited,
  // with external_novelty (n or empty) as the novelty scores and external_spec as model_spec.
  std::span<const float> external_probs;
  std::span<const double> external_novelty;
  std::string external_spec;
};

struct RuleCertificate {
  std::string name;
  int64_t candidates = 0;      // routable items carrying this rule's label
  int64_t audits = 0, errors = 0;
  double error_upper = 1.0;    // Clopper-Pearson (1 - delta) upper bound on the error rate
  bool certified = false;      // error_upper <= epsilon
  bool rejected = false;       // lower bound > epsilon (or no audits will ever come)
  bool too_small = false;      // region smaller than the audits a certificate needs: the model
                               // routes its items (no rule audits, nothing held)
  int64_t accepted = 0, held = 0, to_review = 0;
};

// Audits of the accepted region in one (predicted class, confidence band) stratum, seen through
// the current model: a monitoring estimate, not a guarantee.
struct AuditStratum {
  int predicted = 0;
  int band = 0;
  int64_t audits = 0, errors = 0;
};

struct CyclePlan {
  std::unique_ptr<model::Classifier> model;    // null on a cold start
  bool cold_start = false;
  std::vector<uint8_t> cold_class;             // k
  std::vector<int64_t> training_per_class;     // k
  int64_t training_size = 0;
  std::vector<float> probs;                    // n x k (empty on a cold start)
  std::vector<double> novelty;                 // n (empty on a cold start)
  Certification certification;
  std::vector<double> threshold_grid;          // the candidates tested this cycle (descending)
  PrecisionEstimate audit_precision;           // audits in the accepted region
  int64_t audits_total = 0;                    // audit labels available to certification
  RouterOutput routing;                        // decisions for every pool item
  std::vector<double> priority;                // n: review priority (higher first), 0 otherwise
  std::vector<size_t> review_order;            // review items, highest priority first
  std::vector<size_t> new_audits;              // positions to audit next (uniform + rules)
  size_t model_audits = 0;                     // the first model_audits of new_audits are the
                                               // model region's draw (the rest: rule regions)
  bool draw_whole_pool = true;                 // this cycle's model draw was from the whole pool
  double draw_threshold = 0.0;                 // else: its region is confidence >= this
  int64_t draw_region_size = 0;                // routable items in this cycle's draw region
  std::vector<int32_t> region_since_next;      // n: region runs after this cycle's draw
  int32_t audit_window_start = 0;              // c0 of the audits certification used
  int64_t audits_outside_window = 0;           // audit answers certification could not use
  int64_t outside_window_blocked = 0;          // confident enough, outside the audited region
  std::vector<size_t> stratified_audits;       // positions to audit next (stratified monitoring)
  std::vector<AuditStratum> strata;            // non-empty strata of the accepted region
  std::vector<RuleCertificate> rules;          // one per PlanInput::rule_names
  int64_t held_duplicates = 0;                 // not shown: their group's representative is
                                               // in review (shown once, not N times)
  double seconds_train = 0, seconds_predict = 0, seconds_route = 0;
  std::string model_spec;                      // the model used ("lsa+logreg", ...)
  std::optional<model::SelectionResult> model_choice;  // set when config.model is "auto"
  double seconds_choice = 0;
  int64_t accepted_trained = 0;                // auto-accepted labels trained on
  std::vector<text::SparseRow> view_rows;      // pool rows as model_spec sees them, when they
                                               // differ from PlanInput::pool
  // Multi-label projects only (loop/multilabel.h; empty otherwise): per-label probabilities
  // (n x L, aligned with PlanInput::labels), the predicted label set per item (a mask), one
  // binary model per label (null while the label is cold) and its training counts.
  std::vector<float> label_probs;
  std::vector<int> label_sets;
  std::vector<std::unique_ptr<model::Classifier>> label_models;
  std::vector<int64_t> label_positives, label_negatives;
  std::vector<uint8_t> label_cold;
  bool multi_label() const { return !label_positives.empty(); }
};

Result<CyclePlan> PlanCycle(const PlanInput& in);

// The decision core without training: certification + routing + AL order from given
// probabilities. PlanCycle calls it; the speed benchmark times it on 1M items.
Status DecideFromPredictions(const PlanInput& in, CyclePlan* plan);

}  // namespace hitloop::loop
