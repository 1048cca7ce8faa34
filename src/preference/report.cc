#include "preference/report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "preference/aggregate.h"
#include "preference/reward_model.h"

namespace hitloop::preference {
namespace {

// At most `max` bytes of `s`, never cutting a UTF-8 sequence; control characters become spaces
// (the text is shown on terminals and pages).
std::string Snippet(std::string_view s, size_t max) {
  size_t end = s.size();
  if (end > max) {
    end = max;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  }
  std::string out(s.substr(0, end));
  for (char& ch : out) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
  }
  return end < s.size() ? out + "…" : out;
}

std::string OrderText(const Judgement& j) {
  Judgement plain = j;
  plain.criterion.clear();
  plain.strength = Strength::kUnknown;
  return EncodeAnswer(Answer{{plain}, {}}).front();
}

// Held-out reward-model accuracy, overall and by the strength people gave.
Status MeasureModel(const ProjectPreferences& data, const PreferenceReportOptions& o, CriterionReport* out) {
  int64_t decided = 0;
  for (const auto& c : data.comparisons) decided += !c.judgement.both_bad && !c.judgement.IsTie();
  if (decided < o.min_comparisons) return Status::Ok();
  const size_t n = data.comparisons.size();
  const std::vector<char> test = HoldOut(n, o.holdout, o.seed);
  std::vector<char> train(n);
  for (size_t k = 0; k < n; ++k) train[k] = !test[k];
  const auto pairs = TrainingPairs(data, train);
  if (pairs.empty()) return Status::Ok();
  RewardOptions ro;
  ro.seed = o.seed;
  ro.threads = o.threads;
  ASSIGN_OR_RETURN(RewardModel model, RewardModel::Train(pairs, ro));
  auto score = [&](size_t item, int r) {
    return model.Score(LastUserTurn(data.items[item]), data.items[item].responses[r].text);
  };
  out->model_measured = true;
  out->train_pairs = static_cast<int64_t>(pairs.size());
  out->heldout = ScorePairs(data, test, score);
  for (Strength s : {Strength::kUnknown, Strength::kSlightly, Strength::kClearly, Strength::kMuch}) {
    std::vector<char> use(n, 0);
    for (size_t k = 0; k < n; ++k) use[k] = test[k] && data.comparisons[k].judgement.strength == s;
    const PairAccuracy acc = ScorePairs(data, use, score);
    if (acc.pairs > 0) out->by_strength.push_back({StrengthName(s), acc.pairs, acc.accuracy});
  }
  return Status::Ok();
}

Status FindDisputed(const ProjectPreferences& data, const PreferenceReportOptions& o, CriterionReport* out) {
  std::map<size_t, std::vector<Judgement>> by_item;
  for (const auto& c : data.comparisons) by_item[c.item].push_back(c.judgement);
  std::vector<DisputedPrompt> all;
  for (const auto& [item, judgements] : by_item) {
    if (judgements.size() < 2) continue;
    const int k = static_cast<int>(data.items[item].responses.size());
    ASSIGN_OR_RETURN(ResolvedJudgement r, ResolveJudgements(judgements, k));
    const std::string resolved = OrderText(r.judgement);
    int64_t agree = 0;
    for (const Judgement& j : judgements) agree += OrderText(j) == resolved;
    DisputedPrompt d;
    d.item = data.external_ids[item];
    d.prompt = Snippet(LastUserTurn(data.items[item]), 200);
    d.answers = static_cast<int64_t>(judgements.size());
    d.agreement = static_cast<double>(agree) / static_cast<double>(judgements.size());
    d.resolved = resolved;
    all.push_back(std::move(d));
  }
  std::stable_sort(all.begin(), all.end(), [](const DisputedPrompt& a, const DisputedPrompt& b) {
    if (a.agreement != b.agreement) return a.agreement < b.agreement;
    return a.answers > b.answers;
  });
  // Only items where people did not all agree are disputed.
  for (auto& d : all) {
    if (out->disputed.size() >= o.top_disputed || d.agreement >= 1.0) break;
    out->disputed.push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace

Result<PreferenceReport> BuildPreferenceReport(Store& store, const Project& project,
                                               const PreferenceReportOptions& options) {
  PreferenceReport report;
  report.project = project.name;
  std::vector<std::string> criteria = project.labels;
  if (project.type != TaskType::kPairwisePreference || criteria.empty()) criteria = {""};
  for (const std::string& criterion : criteria) {
    ASSIGN_OR_RETURN(ProjectPreferences data, LoadProjectPreferences(store, project, criterion));
    CriterionReport c;
    c.criterion = criterion;
    std::set<std::string> people;
    for (const auto& cmp : data.comparisons) {
      ++c.answers;
      c.ties += cmp.judgement.IsTie();
      c.both_bad += cmp.judgement.both_bad;
      people.insert(cmp.annotator);
    }
    c.annotators = static_cast<int64_t>(people.size());
    c.agreement = PairAgreement(data);
    ASSIGN_OR_RETURN(c.position_bias, MeasurePositionBias(data));
    RETURN_IF_ERROR(MeasureModel(data, options, &c));
    RETURN_IF_ERROR(FindDisputed(data, options, &c));
    report.criteria.push_back(std::move(c));
  }
  return report;
}

std::string PreferenceReportToJson(const PreferenceReport& report) {
  nlohmann::ordered_json criteria = nlohmann::ordered_json::array();
  for (const auto& c : report.criteria) {
    nlohmann::ordered_json j = {{"criterion", c.criterion}, {"answers", c.answers}, {"ties", c.ties},
                                {"both_bad", c.both_bad}, {"annotators", c.annotators},
                                {"agreement_pairs", c.agreement.pairs}};
    if (c.agreement.pairs > 0) j["pair_agreement"] = c.agreement.rate;
    const auto& b = c.position_bias;
    j["position_bias"] = {{"decided", b.decided}, {"left_wins", b.left_wins}, {"p_left", b.p_left},
                          {"lower", b.interval.lower}, {"upper", b.interval.upper},
                          {"order_unknown", b.order_unknown}};
    if (c.model_measured) {
      nlohmann::ordered_json by = nlohmann::ordered_json::array();
      for (const auto& s : c.by_strength) {
        by.push_back({{"strength", s.strength.empty() ? "not given" : s.strength}, {"pairs", s.pairs},
                      {"accuracy", s.accuracy}});
      }
      j["reward_model"] = {{"train_pairs", c.train_pairs}, {"heldout_pairs", c.heldout.pairs},
                           {"heldout_pair_accuracy", c.heldout.accuracy}, {"by_strength", by}};
    }
    nlohmann::ordered_json disputed = nlohmann::ordered_json::array();
    for (const auto& d : c.disputed) {
      disputed.push_back({{"item", d.item}, {"prompt", d.prompt}, {"answers", d.answers},
                          {"agreement", d.agreement}, {"resolved", d.resolved}});
    }
    j["disputed"] = disputed;
    criteria.push_back(std::move(j));
  }
  nlohmann::ordered_json out = {{"project", report.project}, {"kind", "preferences"}, {"criteria", criteria}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string PreferenceReportToText(const PreferenceReport& report) {
  std::string out;
  char buf[512];
  for (const auto& c : report.criteria) {
    out += c.criterion.empty() ? "overall judgement\n" : "criterion " + c.criterion + "\n";
    std::snprintf(buf, sizeof(buf), "  answers %lld (%lld ties, %lld both bad) from %lld people\n",
                  static_cast<long long>(c.answers), static_cast<long long>(c.ties),
                  static_cast<long long>(c.both_bad), static_cast<long long>(c.annotators));
    out += buf;
    if (c.agreement.pairs > 0) {
      std::snprintf(buf, sizeof(buf), "  pair agreement %.4f on %lld pairs judged by two people\n", c.agreement.rate,
                    static_cast<long long>(c.agreement.pairs));
    } else {
      std::snprintf(buf, sizeof(buf), "  pair agreement n/a (no pair judged by two people)\n");
    }
    out += buf;
    const auto& b = c.position_bias;
    if (b.decided > 0) {
      std::snprintf(buf, sizeof(buf), "  position bias P(left wins) %.4f, 95%% interval [%.4f, %.4f], %lld decided%s\n",
                    b.p_left, b.interval.lower, b.interval.upper, static_cast<long long>(b.decided),
                    b.interval.lower > 0.5 || b.interval.upper < 0.5 ? " (biased)" : "");
    } else {
      std::snprintf(buf, sizeof(buf), "  position bias n/a (no decided answer with a recorded display order)\n");
    }
    out += buf;
    if (c.model_measured) {
      std::snprintf(buf, sizeof(buf), "  reward model held-out pair accuracy %.4f on %lld pairs (trained on %lld)\n",
                    c.heldout.accuracy, static_cast<long long>(c.heldout.pairs),
                    static_cast<long long>(c.train_pairs));
      out += buf;
      for (const auto& s : c.by_strength) {
        std::snprintf(buf, sizeof(buf), "    strength %-10s %.4f on %lld pairs\n",
                      s.strength.empty() ? "not given" : s.strength.c_str(), s.accuracy,
                      static_cast<long long>(s.pairs));
        out += buf;
      }
    } else {
      out += "  reward model: too few decided comparisons to measure\n";
    }
    if (c.disputed.empty()) {
      out += "  disputed prompts: none (no item with two or more differing answers)\n";
    } else {
      out += "  most disputed prompts (share of answers agreeing with the resolved order):\n";
      for (const auto& d : c.disputed) {
        std::snprintf(buf, sizeof(buf), "    %.2f of %lld  %s  resolved %s  ", d.agreement,
                      static_cast<long long>(d.answers), d.item.c_str(), d.resolved.c_str());
        out += buf;
        out += Snippet(d.prompt, 80);
        out += "\n";
      }
    }
  }
  return out;
}

}  // namespace hitloop::preference
