#pragma once
// The correction report (`hitloop report`, and the server's admin route): where people corrected
// the model ("model said X, people said Y"), broken down by pair, class, source, pool and
// annotator; "systematic corrections" (pairs whose correction rate is high and significant:
// training-data gaps); and the cycle history. One data structure, two renderings: JSON and one
// self-contained HTML page with inline SVG charts (every untrusted string escaped).
//
// What counts: every answer by people (review, audit, adjudicate, label; imports excluded) on a
// pool item for which the model had a view — the auto-accepted label the item carried before the
// answer if any, otherwise the model's latest prediction for the item.
// Thread-safety: BuildReport borrows the store (one Store per thread); rendering is pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "preference/report.h"
#include "quality/project_quality.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::report {

struct Tally {
  int64_t answers = 0;       // people's answers compared with the model
  int64_t corrections = 0;   // of which the people's label differs
  double rate() const { return answers ? static_cast<double>(corrections) / answers : 0.0; }
};

struct ConfusedPair {
  std::string model_label, people_label;
  int64_t count = 0;
  int64_t model_said = 0;    // answers where the model said model_label
  double rate = 0.0;         // count / model_said
  double rate_lower = 0.0;   // Clopper-Pearson 95% lower bound on the rate
  bool systematic = false;
};

struct CycleSummary {
  int64_t cycle = 0;
  int64_t created_at = 0;
  std::string model_version;
  int64_t training_size = 0;
  double accuracy_before = -1, accuracy_after = -1, macro_f1_after = -1, ece_after = -1;  // -1 = n/a
  int64_t auto_accepted = 0, queued_review = 0, audits_queued = 0, requeued = 0;
  double precision_lower_bound = 0;
  double global_threshold = -1;
  int64_t audits_total = 0, min_audits_needed = 0;  // the certificate's audits and the least it needs
};

// Audits per (the current model's predicted class, confidence band), from the newest cycle.
struct StratumSummary {
  std::string label, band;
  int64_t audits = 0, errors = 0;
};

// One rule labeler's state in the newest cycle (loop/rules.h).
struct RuleSummary {
  std::string name;
  int64_t candidates = 0, audits = 0, errors = 0, accepted = 0;
  double error_upper = 1.0;
  std::string state;  // certified | rejected | pending
};

struct Report {
  std::string project;
  std::vector<std::string> labels;
  Tally overall;
  std::map<std::string, Tally> by_class;      // the model's label
  std::map<std::string, Tally> by_source;     // review | audit | adjudicate | label
  std::map<std::string, Tally> by_pool;
  std::map<std::string, Tally> by_annotator;
  std::map<std::string, Tally> by_model_view; // auto-accepted | predicted
  std::vector<ConfusedPair> pairs;            // sorted by count, descending
  std::vector<CycleSummary> cycles;
  std::vector<StratumSummary> strata;         // newest cycle
  std::vector<RuleSummary> rules;             // newest cycle
  // Detector answers over all items: detector -> value -> items ("language" -> "en" -> 812).
  std::map<std::string, std::map<std::string, int64_t>> detections;
  // Several people per item: agreement with intervals and per-annotator quality (quality/, the
  // same numbers as `hitloop quality`). Empty for projects that are not single-label.
  std::optional<quality::QualityReport> quality;
  // Pairwise and ranking projects: agreement, position bias, the reward model by strength and the
  // most disputed prompts per criterion (preference/report.h, the same as `hitloop quality`).
  std::optional<preference::PreferenceReport> preferences;
};

// Systematic: at least `min_count` corrections and a 95% lower bound on the pair's rate above
// `min_rate`.
struct ReportOptions {
  int64_t min_count = 5;
  double min_rate = 0.05;
};

Result<Report> BuildReport(Store& store, const Project& project, const ReportOptions& options = {});
std::string ReportToJson(const Report& r);
std::string ReportToHtml(const Report& r);
// HTML-escapes & < > " ' (exposed for tests).
std::string HtmlEscape(std::string_view s);

}  // namespace hitloop::report
