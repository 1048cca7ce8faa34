#pragma once
// One person's answer to a comparison, and how it is kept in an Annotation's labels (no schema
// change: annotations already hold a list of strings).
//
// Encoding, one label per criterion plus one for the display order:
//   "[criterion:]ORDER[/strength]"   ORDER: responses as letters A..I, best first, '>' between
//                                    groups and '=' inside a tied group: "B>A", "A=B", "C>A=B>D";
//                                    "bad" = both (all) bad. strength: slightly | clearly | much.
//   "shown:BA"                       the order the responses were shown in (left to right).
// Examples: ["A>B"], ["harmlessness:B>A/much", "helpfulness:A=B", "shown:BA"].
// Thread-safety: pure functions.
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "preference/plackett_luce.h"

namespace hitloop::preference {

enum class Strength { kUnknown = 0, kSlightly = 1, kClearly = 2, kMuch = 3 };
const char* StrengthName(Strength s);  // "" | "slightly" | "clearly" | "much"
Result<Strength> ParseStrength(std::string_view s);

struct Judgement {
  std::string criterion;                // "" = overall
  std::vector<std::vector<int>> order;  // response indices, best group first; empty when both_bad
  bool both_bad = false;
  Strength strength = Strength::kUnknown;

  // Pairwise view: +1 A (response 0) better, -1 B better, 0 tie; only for two-response items.
  bool IsTie() const { return !both_bad && order.size() == 1; }
};

struct Answer {
  std::vector<Judgement> judgements;
  std::vector<int> shown;  // display order (response indices, left to right); empty = unknown
};

// Parses an annotation's labels for an item with `num_responses` responses. InvalidArgument names
// the bad label. Every response must appear exactly once in an order.
Result<Answer> DecodeAnswer(const std::vector<std::string>& labels, int num_responses);
std::vector<std::string> EncodeAnswer(const Answer& answer);

// The ranking of a judgement for Plackett–Luce (weight 1); requires !both_bad.
Ranking ToRanking(const Judgement& j);

// Pairwise outcome of responses a and b under a judgement: 1 a better, 0 b better, 0.5 tie;
// -1 when the judgement is both_bad.
double PairScore(const Judgement& j, int a, int b);

}  // namespace hitloop::preference
