#include "loop/gold.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "preference/answer.h"
#include "preference/item.h"
#include "quality/annotator_accuracy.h"

namespace hitloop::loop {

const char* PoolAccessName(PoolAccess a) {
  switch (a) {
    case PoolAccess::kOpen: return "open";
    case PoolAccess::kQualifying: return "qualifying";
    case PoolAccess::kFlagged: return "flagged";
  }
  return "open";
}

GoldStanding StandingOf(int64_t answered, int64_t correct) {
  GoldStanding s;
  s.answered = answered;
  s.correct = correct;
  if (answered < 1) return s;
  s.accuracy = static_cast<double>(correct) / static_cast<double>(answered);
  if (auto ci = quality::BinomialInterval(correct, answered, 0.95, quality::IntervalMethod::kWilson); ci.ok()) {
    s.lower = ci->lower;
    s.upper = ci->upper;
  }
  return s;
}

PoolAccess AccessFor(const PoolPolicy& p, const GoldStanding& s) {
  if (p.flag_below > 0 && s.answered > 0 && s.upper < p.flag_below) return PoolAccess::kFlagged;
  if (p.qualify_gold > 0 && (s.answered < p.qualify_gold || s.accuracy < p.qualify_accuracy)) {
    return PoolAccess::kQualifying;
  }
  return PoolAccess::kOpen;
}

ClaimPlan PlanClaim(const GoldRouting& g, const std::vector<std::string>& pools, const GoldStanding& s,
                    double draw) {
  ClaimPlan plan;
  for (const auto& pool : pools) {
    switch (AccessFor(g.For(pool), s)) {
      case PoolAccess::kOpen: plan.open_pools.push_back(pool); break;
      case PoolAccess::kQualifying:
        if (plan.qualify_pool.empty()) plan.qualify_pool = pool;
        break;
      case PoolAccess::kFlagged: break;
    }
  }
  if (plan.qualify_pool.empty() && !plan.open_pools.empty() && draw < g.gold_rate) {
    plan.gold_pool = plan.open_pools.front();
  }
  return plan;
}

Result<std::optional<ClaimResult>> ClaimWithGold(Store& store, const GoldRouting& g, const ClaimRequest& req,
                                                 double draw) {
  ClaimRequest base = req;
  base.gold_for_pool.clear();
  if (g.active()) {
    ASSIGN_OR_RETURN(auto scores, store.GoldScores(req.project_id, req.annotator));
    const GoldStanding s = scores.empty() ? GoldStanding{} : StandingOf(scores[0].answered, scores[0].correct);
    const ClaimPlan plan = PlanClaim(g, req.pools, s, draw);
    for (const std::string& pool : {plan.qualify_pool, plan.gold_pool}) {
      if (pool.empty()) continue;
      ClaimRequest gold = base;
      gold.gold_for_pool = pool;
      ASSIGN_OR_RETURN(auto got, store.Claim(gold));
      if (got.has_value()) return got;
    }
    base.pools = plan.open_pools;
  }
  if (base.pools.empty()) return std::optional<ClaimResult>();
  ASSIGN_OR_RETURN(auto got, store.Claim(base));
  if (got.has_value() || (base.kinds.empty() && base.exclude_kinds.empty())) return got;
  base.kinds.clear();
  base.exclude_kinds.clear();
  return store.Claim(base);
}

namespace {

// Groups sorted inside ("B=A" and "A=B" are the same tie).
std::vector<std::vector<int>> CanonicalOrder(std::vector<std::vector<int>> order) {
  for (auto& g : order) std::sort(g.begin(), g.end());
  return order;
}

// A comparison item (its meta holds the responses): whether `given` orders the responses as the
// known answer does for every criterion the known answer judges. The strength and the display
// order ("shown:") are how the person answered, not what: they are not compared. nullopt when
// the item is not a comparison or its known answer does not decode (then labels are compared).
std::optional<bool> SameComparison(const Item& item, const std::vector<std::string>& given) {
  auto pi = preference::FromMetaJson(item.meta_json);
  if (!pi.ok() || pi->responses.size() < 2 || item.labels.empty()) return std::nullopt;
  const int n = static_cast<int>(pi->responses.size());
  auto known = preference::DecodeAnswer(item.labels, n);
  if (!known.ok()) return std::nullopt;
  auto got = preference::DecodeAnswer(given, n);
  if (!got.ok()) return false;
  for (const auto& k : known->judgements) {
    const auto it = std::find_if(got->judgements.begin(), got->judgements.end(),
                                 [&](const preference::Judgement& g) { return g.criterion == k.criterion; });
    if (it == got->judgements.end() || it->both_bad != k.both_bad ||
        CanonicalOrder(it->order) != CanonicalOrder(k.order)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Status ScoreGoldAnswer(Store& store, const Lease& lease, const std::string& annotator,
                       const std::vector<std::string>& labels, int64_t now) {
  ASSIGN_OR_RETURN(Item item, store.GetItem(lease.item_id));
  bool correct = false;
  if (auto compared = SameComparison(item, labels); compared.has_value()) {
    correct = *compared;
  } else {
    std::vector<std::string> known = item.labels, given = labels;
    std::sort(known.begin(), known.end());
    std::sort(given.begin(), given.end());
    correct = !known.empty() && known == given;
  }
  return store.PutGoldAnswer(lease.project_id, lease.item_id, annotator, correct, now);
}

Result<ProjectRouting> LoadProjectRouting(Store& store, const Project& project) {
  ProjectRouting out;
  ASSIGN_OR_RETURN(out.policy, ParseGoldRouting(project.config_json));
  ASSIGN_OR_RETURN(auto counts, store.QueueCounts(project.id));
  if (auto it = counts.find({kGoldPool, "review"}); it != counts.end()) out.gold_questions = it->second;
  ASSIGN_OR_RETURN(auto scores, store.GoldScores(project.id, ""));
  ASSIGN_OR_RETURN(auto users, store.ListUsers());
  std::map<std::string, std::vector<std::string>> user_pools;
  for (const User& u : users) user_pools[u.name] = u.pools;
  for (const GoldScore& sc : scores) {
    AnnotatorRouting a;
    a.annotator = sc.annotator;
    a.standing = StandingOf(sc.answered, sc.correct);
    std::set<std::string> pools;
    for (const auto& [name, p] : out.policy.pools) pools.insert(name);
    if (auto it = user_pools.find(sc.annotator); it != user_pools.end()) pools.insert(it->second.begin(), it->second.end());
    for (const std::string& pool : pools) {
      const PoolAccess access = AccessFor(out.policy.For(pool), a.standing);
      a.pools.emplace_back(pool, access);
      a.flagged |= access == PoolAccess::kFlagged;
    }
    out.annotators.push_back(std::move(a));
  }
  return out;
}

std::string ProjectRoutingToJson(const ProjectRouting& r) {
  using nlohmann::json;
  json pools = json::object();
  for (const auto& [name, p] : r.policy.pools) {
    const PoolPolicy eff = r.policy.For(name);
    pools[name] = {{"qualify_gold", eff.qualify_gold}, {"qualify_accuracy", eff.qualify_accuracy},
                   {"flag_below", eff.flag_below}};
  }
  json annotators = json::array();
  for (const AnnotatorRouting& a : r.annotators) {
    json access = json::object();
    for (const auto& [pool, acc] : a.pools) access[pool] = PoolAccessName(acc);
    annotators.push_back({{"annotator", a.annotator}, {"answered", a.standing.answered},
                          {"correct", a.standing.correct}, {"accuracy", a.standing.accuracy},
                          {"lower", a.standing.lower}, {"upper", a.standing.upper},
                          {"flagged", a.flagged}, {"pools", access}});
  }
  return json{{"gold_rate", r.policy.gold_rate}, {"flag_below", r.policy.flag_below}, {"pools", pools},
              {"gold_questions", r.gold_questions}, {"annotators", annotators}}
      .dump();
}

std::string ProjectRoutingToText(const ProjectRouting& r) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "\nGold routing: gold_rate %.3g, flag below %.3g (Wilson 95%% upper bound), %lld open gold questions\n",
                r.policy.gold_rate, r.policy.flag_below, static_cast<long long>(r.gold_questions));
  out += buf;
  for (const auto& [name, p] : r.policy.pools) {
    const PoolPolicy eff = r.policy.For(name);
    std::snprintf(buf, sizeof buf, "  pool %s: qualify after %d gold answers at >= %.3g, flag below %.3g\n",
                  name.c_str(), eff.qualify_gold, eff.qualify_accuracy, eff.flag_below);
    out += buf;
  }
  if (r.annotators.empty()) return out + "  (no gold answers counted yet)\n";
  for (const AnnotatorRouting& a : r.annotators) {
    std::snprintf(buf, sizeof buf, "  %-20s %lld/%lld correct (%.3f, 95%% CI %.3f-%.3f)%s", a.annotator.c_str(),
                  static_cast<long long>(a.standing.correct), static_cast<long long>(a.standing.answered),
                  a.standing.accuracy, a.standing.lower, a.standing.upper, a.flagged ? "  FLAGGED" : "");
    out += buf;
    for (const auto& [pool, acc] : a.pools) {
      if (acc != PoolAccess::kOpen) out += std::string("  ") + pool + ": " + PoolAccessName(acc);
    }
    out += "\n";
  }
  return out;
}

Result<int64_t> ClearGoldFlag(Store& store, int64_t project_id, const std::string& user) {
  ASSIGN_OR_RETURN(std::optional<User> u, store.FindUserByName(user));
  if (!u.has_value()) return NotFound("no user named '" + user + "'");
  return store.ClearGoldScores(project_id, user);
}

}  // namespace hitloop::loop
