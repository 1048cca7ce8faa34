#pragma once
// The preference project's quality report, one section per criterion (the overall judgement when
// the project has none): what `hitloop quality NAME`, the quality route (and so the dashboard)
// and `hitloop report` show for pairwise and ranking projects.
//
// Per criterion:
//   - answers, ties, both-bad, annotators;
//   - inter-annotator pair agreement (preference/evaluation.h PairAgreement);
//   - position bias: P(left wins) with its 95% Wilson interval (preference/position_bias.h);
//   - the reward model's held-out pair accuracy by the strength people gave (not given /
//     slightly / clearly / much): a model trained on the other comparisons of the seeded split
//     `reward train --holdout H --seed S` uses, so the figures are never in-sample; skipped when
//     fewer than `min_comparisons` comparisons have a winner;
//   - the most disputed prompts: items with two or more answers, ordered by the share of answers
//     that agree with the item's resolved order (preference/aggregate.h), lowest first.
// Thread-safety: reads the store (one Store per thread); the result is plain data.
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "preference/evaluation.h"
#include "preference/position_bias.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::preference {

struct PreferenceReportOptions {
  double holdout = 0.2;
  uint64_t seed = 1;
  int64_t min_comparisons = 20;  // decided comparisons needed before a model is measured
  size_t top_disputed = 10;
  int threads = 1;
};

struct StrengthAccuracy {
  std::string strength;  // "" (not given), slightly, clearly, much
  int64_t pairs = 0;     // held-out directed pairs
  double accuracy = 0.0; // equal rewards count half
};

struct DisputedPrompt {
  std::string item;      // external id
  std::string prompt;    // the last user turn, at most 200 characters (cut at a UTF-8 boundary)
  int64_t answers = 0;
  double agreement = 0;  // share of answers equal to the resolved order
  std::string resolved;  // the resolved order, e.g. "B>A", "A=B", "bad"
};

struct CriterionReport {
  std::string criterion;  // "" = overall
  int64_t answers = 0, ties = 0, both_bad = 0, annotators = 0;
  Agreement agreement;
  PositionBias position_bias;
  bool model_measured = false;
  int64_t train_pairs = 0;
  PairAccuracy heldout;                  // all held-out pairs
  std::vector<StrengthAccuracy> by_strength;
  std::vector<DisputedPrompt> disputed;
};

struct PreferenceReport {
  std::string project;
  std::vector<CriterionReport> criteria;
};

// FailedPrecondition for a project that is not pairwise/ranking; Corruption for undecodable data.
Result<PreferenceReport> BuildPreferenceReport(Store& store, const Project& project,
                                               const PreferenceReportOptions& options = {});

std::string PreferenceReportToJson(const PreferenceReport& report);
std::string PreferenceReportToText(const PreferenceReport& report);

}  // namespace hitloop::preference
