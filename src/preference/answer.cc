#include "preference/answer.h"

namespace hitloop::preference {
namespace {

Status Bad(std::string_view label, const std::string& why) {
  return InvalidArgument("answer '" + std::string(label) + "': " + why);
}

}  // namespace

const char* StrengthName(Strength s) {
  switch (s) {
    case Strength::kSlightly: return "slightly";
    case Strength::kClearly: return "clearly";
    case Strength::kMuch: return "much";
    case Strength::kUnknown: return "";
  }
  return "";
}

Result<Strength> ParseStrength(std::string_view s) {
  if (s.empty()) return Strength::kUnknown;
  if (s == "slightly") return Strength::kSlightly;
  if (s == "clearly") return Strength::kClearly;
  if (s == "much") return Strength::kMuch;
  return InvalidArgument("strength '" + std::string(s) + "' (expected slightly, clearly or much)");
}

Result<Answer> DecodeAnswer(const std::vector<std::string>& labels, int num_responses) {
  Answer out;
  for (const std::string& label : labels) {
    std::string_view s = label;
    if (s.starts_with("shown:")) {
      s.remove_prefix(6);
      std::vector<char> seen(num_responses, 0);
      for (char c : s) {
        const int r = c - 'A';
        if (r < 0 || r >= num_responses || seen[r]) return Bad(label, "display order must list every response once");
        seen[r] = 1;
        out.shown.push_back(r);
      }
      if (static_cast<int>(out.shown.size()) != num_responses) return Bad(label, "display order must list every response once");
      continue;
    }
    Judgement j;
    if (size_t colon = s.find(':'); colon != std::string_view::npos) {
      j.criterion = std::string(s.substr(0, colon));
      s.remove_prefix(colon + 1);
    }
    if (size_t slash = s.find('/'); slash != std::string_view::npos) {
      auto st = ParseStrength(s.substr(slash + 1));
      if (!st.ok()) return Bad(label, st.status().message());
      j.strength = *st;
      s = s.substr(0, slash);
    }
    if (s == "bad") {
      j.both_bad = true;
    } else {
      std::vector<char> seen(num_responses, 0);
      j.order.emplace_back();
      int count = 0;
      bool after_sep = true;  // a response must follow '>' / '=' (and start the order)
      for (char c : s) {
        if (c == '>' || c == '=') {
          if (after_sep) return Bad(label, std::string("'") + c + "' must sit between two responses");
          if (c == '>') j.order.emplace_back();
          after_sep = true;
        } else {
          after_sep = false;
          const int r = c - 'A';
          if (r < 0 || r >= num_responses) {
            return Bad(label, std::string("'") + c + "' is not one of the " + std::to_string(num_responses) + " responses");
          }
          if (seen[r]) return Bad(label, std::string("response ") + c + " listed twice");
          seen[r] = 1;
          ++count;
          j.order.back().push_back(r);
        }
      }
      if (after_sep) return Bad(label, "ends with a separator");
      if (count != num_responses) return Bad(label, "every response must be ranked");
    }
    for (const Judgement& other : out.judgements) {
      if (other.criterion == j.criterion) return Bad(label, "criterion '" + j.criterion + "' answered twice");
    }
    out.judgements.push_back(std::move(j));
  }
  if (out.judgements.empty()) return InvalidArgument("answer: no judgement");
  return out;
}

std::vector<std::string> EncodeAnswer(const Answer& answer) {
  std::vector<std::string> out;
  for (const Judgement& j : answer.judgements) {
    std::string s = j.criterion.empty() ? "" : j.criterion + ":";
    if (j.both_bad) {
      s += "bad";
    } else {
      for (size_t g = 0; g < j.order.size(); ++g) {
        if (g > 0) s += '>';
        for (size_t k = 0; k < j.order[g].size(); ++k) {
          if (k > 0) s += '=';
          s += static_cast<char>('A' + j.order[g][k]);
        }
      }
    }
    if (j.strength != Strength::kUnknown) s += std::string("/") + StrengthName(j.strength);
    out.push_back(std::move(s));
  }
  if (!answer.shown.empty()) {
    std::string s = "shown:";
    for (int r : answer.shown) s += static_cast<char>('A' + r);
    out.push_back(std::move(s));
  }
  return out;
}

Ranking ToRanking(const Judgement& j) { return Ranking{j.order, 1.0}; }

double PairScore(const Judgement& j, int a, int b) {
  if (j.both_bad) return -1;
  int ga = -1, gb = -1;
  for (size_t g = 0; g < j.order.size(); ++g) {
    for (int r : j.order[g]) {
      if (r == a) ga = static_cast<int>(g);
      if (r == b) gb = static_cast<int>(g);
    }
  }
  if (ga < 0 || gb < 0) return -1;
  return ga < gb ? 1.0 : ga > gb ? 0.0 : 0.5;
}

}  // namespace hitloop::preference
