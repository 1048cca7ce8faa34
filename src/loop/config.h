#pragma once
// The loop's settings, stored under the "loop" key of a project's config JSON
// (Store::SetProjectConfig). Other keys of the config belong to other modules and are preserved.
//
//   {"loop": {
//      "target_precision": 0.98, "confidence": 0.95,      // epsilon = 1 - target, delta = 1 - conf
//      "threshold_mode": "global" | "per-class",
//      "audit_per_cycle": 50, "audit_stratified_per_cycle": 20, "review_batch": 100, "seed_batch": 50,
//      "strategy": "margin", "model": "logreg", "max_novelty": 0.5,
//      "min_labels_per_class": 2, "new_classes": ["label", ...], "grid": "quantile" | "fixed",
//      "model": "auto" | SPEC, "model_candidates": ["logreg", "lsa+logreg"],
//      "representations": ["lsa", ...], "representation_refresh": 0.25, "train_on_accepted": false,
//      "bound": "betting" | "clopper-pearson", "audit_region": "candidate" | "pool",
//      "audit_second_opinion": true,
//      "default_pool": "general",
//      "routing": [ {"name": "medical", "when": {"meta": {"domain": "medical"},
//                                                "predicted": ["spam"], "confidence": [0.0, 0.9]},
//                    "pool": "experts", "overlap": 2}, ... ],
//      "autolabel": {"detect": "format,language,boilerplate", "duplicates": "near" | "exact" | "off",
//                    "near_threshold": 0.8, "labeler": "" | "language" | "format",
//                    "min_rule_confidence": 0.5, "strip_boilerplate": false},
//      "gold_rate": 0.0, "flag_below": 0.0,
//      "pools": {"experts": {"qualify_gold": 5, "qualify_accuracy": 0.8, "flag_below": 0.6}}}}
// Gold questions, qualification and flagging: loop/gold.h, docs/QUALITY.md.
// Routing rules may also test the detectors' answers as meta fields "_language" and "_format".
//
// Thread-safety: value types. Errors: ParseLoopConfig returns InvalidArgument naming the field.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "loop/certify.h"

namespace hitloop::loop {

// One routing rule: every given condition must hold; the first matching rule wins.
struct RoutingRule {
  std::string name;
  std::vector<std::pair<std::string, std::string>> meta_equals;  // meta[field] == value (string form)
  std::vector<std::string> predicted_in;                         // empty = any predicted class
  double min_confidence = 0.0;                                   // band [min, max]
  double max_confidence = 1.0;
  std::string pool = "general";
  int overlap = 1;                                               // annotators per item (>= 1)
};

// Rule labelers and detectors in the cycle (autolabel/, loop/rules.h).
struct AutolabelConfig {
  std::string detect = "format,language,boilerplate";  // detectors run on not-yet-detected items
  std::string duplicates = "near";  // near | exact | off: duplicate groups, propagation, suppression
  double near_threshold = 0.8;      // Jaccard similarity for near-duplicates
  std::string labeler;              // "" | "language" | "format": a detector whose answer is a class
  double min_rule_confidence = 0.5; // the labeler's answers below this are not rule labels
  bool strip_boilerplate = false;   // features see only the content blocks of each text
};

// What a pool asks of the people who get its tasks, measured on gold questions (loop/gold.h).
struct PoolPolicy {
  int qualify_gold = 0;           // gold answers needed before the pool's real tasks (0 = none)
  double qualify_accuracy = 0.0;  // ... at least this accuracy on them
  double flag_below = -1.0;       // flag when the Wilson 95% upper bound is below (-1 = project's)
};

// Gold questions mixed into people's work, qualification and flagging (loop/gold.h).
struct GoldRouting {
  double gold_rate = 0.0;   // share of claims that hand out a gold question (0 = none)
  double flag_below = 0.0;  // every pool: flag when the Wilson 95% upper bound is below (0 = off)
  std::map<std::string, PoolPolicy> pools;
  // Whether any of it is switched on (else claims do not read gold scores at all).
  bool active() const;
  // The pool's policy, with the project-wide flag threshold when it sets none.
  PoolPolicy For(const std::string& pool) const;
};

struct LoopConfig {
  double target_precision = 0.98;
  double confidence = 0.95;
  bool per_class = false;
  int audit_per_cycle = 50;
  // Monitoring audits of auto-accepted labels, spread over (predicted class x confidence band)
  // strata (loop/plan.h kConfidenceBands). Their answers never enter certification (which needs a
  // uniform sample); they give per-stratum precision estimates in the cycle record.
  int audit_stratified_per_cycle = 20;
  int review_batch = 100;     // review entries the cycle keeps queued (the AL batch)
  int seed_batch = 50;        // random items queued on a cold start
  std::string strategy = "margin";
  std::string model = "logreg";
  double max_novelty = 0.5;   // novelty score above this -> people (see loop/novelty.h)
  int min_labels_per_class = 2;
  std::string default_pool = "general";
  std::vector<RoutingRule> routing;
  // Classes added mid-project (`hitloop cycle --seed-class`): each needs its own certificate
  // before anything is auto-accepted into it, even in global mode (loop/certify.h).
  std::vector<std::string> new_classes;
  // Candidate thresholds (loop/certify.h): "fixed" (default) = DefaultThresholdGrid() (0.999 ...
  // 0.5); "quantile" = the confidences at which the current model would accept the top 5%, 10%,
  // ..., 100% of the routable pool (computed from the model's confidences on items people have
  // not labelled, never from audit labels, so the fixed-sequence argument holds). Fixed is the
  // default again since 100 paired spam runs: it paid 0.0086 less of the pool (SE 0.0031), while
  // quantile certified ~20 audits earlier (bench/RESULTS.md, docs/LOOP.md "Grid").
  std::string grid = "fixed";
  // Power skip (CertifyOptions::min_power, loop/certify.h): a threshold candidate is tested only
  // when, by the model's own confidences on its audited items, it would pass with at least this
  // probability; 0 tests every candidate with enough audits. Label-free, so the guarantee holds
  // at any value.
  double test_power = 0.0;
  // Error tolerance (CertifyOptions::tolerate_errors, loop/certify.h): a threshold candidate is
  // tested only when its region holds enough audits to pass with this many audit errors (CP at
  // 0.02 / 0.05: 0 -> 149, 1 -> 236, 2 -> 314), so one wrong-looking item in a barely audited top
  // region no longer ends the sequence. Counts only, so the guarantee holds at any value; also
  // raises min_audits_needed(). Default and measurements: docs/LOOP.md, "Error tolerance".
  int64_t tolerate_errors = 0;
  // The upper bound on the accepted region's error rate (loop/certify.h): "clopper-pearson" (exact
  // at a fixed sample size, default) or "betting" (anytime-valid confidence sequence). The default
  // is Clopper-Pearson because on the spam benchmark betting + candidate-region audits cost more
  // people's labels (bench/RESULTS.md, "The loop"); both keep the guarantee.
  std::string bound = "clopper-pearson";
  // Where the uniform audits are drawn (loop/audit_region.h): "pool" = uniformly from every item
  // people have not labelled (default), "candidate" = uniformly from the items the current model
  // might be certified to accept.
  std::string audit_region = "pool";
  // An audit answer that disagrees with the model's label gets a second person; when the two
  // disagree, an adjudicator's answer is final. Certification reads the final answer.
  bool audit_second_opinion = true;
  AutolabelConfig autolabel;
  // Model choice per project (loop/model_choice.h): with "model": "auto" each cycle compares
  // these model specs ("logreg", "lsa+logreg", ...) by cross-validation on the training labels
  // and trains the one with the largest estimated certifiable coverage (the best CV accuracy
  // when none has any). Any other "model" overrides the choice.
  std::vector<std::string> model_candidates = {"logreg", "lsa+logreg"};
  // Representations learnt from the pool (model/representation.h) to build even when no model
  // spec names them; relearnt when the pool grows by more than representation_refresh.
  std::vector<std::string> representations;
  double representation_refresh = 0.25;
  // Semi-supervision: also train on the labels the loop auto-accepted under a certificate
  // (never on rule labels; they never enter certification, which uses audit answers only).
  bool train_on_accepted = false;
  GoldRouting gold;

  CertifyOptions certify_options() const;
  // Clean audits a certificate needs at this epsilon, delta and bound.
  int64_t min_audits_needed() const;
};

// Parses the "loop" object of `config_json` (missing key or fields = defaults).
Result<LoopConfig> ParseLoopConfig(const std::string& config_json);
// Only the gold-routing keys of the "loop" object (gold_rate, flag_below, pools), validated as
// ParseLoopConfig does: the claim path reads these without parsing the rest.
Result<GoldRouting> ParseGoldRouting(const std::string& config_json);
// Returns `config_json` with its "loop" key replaced by `loop_json` (validated first).
Result<std::string> MergeLoopConfig(const std::string& config_json, const std::string& loop_json);
std::string LoopConfigToJson(const LoopConfig& c);

}  // namespace hitloop::loop
