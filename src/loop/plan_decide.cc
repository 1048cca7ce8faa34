// DecideFromPredictions (loop/plan.h): certification, routing, the review order and the next
// audits of one cycle, from the model's predictions. PlanCycle (plan.cc) calls it; each step is a
// function below.
#include <algorithm>
#include <set>
#include <chrono>
#include <iterator>
#include <numeric>

#include "al/embedding.h"
#include "al/registry.h"
#include "core/rng.h"
#include "core/stopwatch.h"
#include "loop/audit.h"
#include "loop/audit_region.h"
#include "loop/plan.h"

namespace hitloop::loop {
namespace {

bool HumanLabeled(const PlanInput& in, size_t i) {
  return in.train_label[i] >= 0 || in.audit_label[i] >= 0;
}

bool Routable(const PlanInput& in, size_t i) {
  return !HumanLabeled(in, i) && (in.audit_pending.empty() || !in.audit_pending[i]);
}

// Pool and overlap for a review decision by the routing rules.
void AssignPool(const PlanInput& in, size_t i, std::string_view predicted, double conf,
                RouterOutput* routing, RouteDecision* d) {
  const auto& rules = in.config.routing;
  d->pool = 0;
  d->overlap = 1;
  if (rules.empty()) return;
  const int r = MatchRule(rules, in.meta_json.empty() ? std::string_view() : in.meta_json[i],
                          predicted, conf, in.detections.empty() ? nullptr : &in.detections[i]);
  if (r < 0) return;
  auto it = std::find(routing->pools.begin(), routing->pools.end(), rules[r].pool);
  if (it == routing->pools.end()) {
    routing->pools.push_back(rules[r].pool);
    it = routing->pools.end() - 1;
  }
  d->pool = static_cast<uint16_t>(it - routing->pools.begin());
  d->overlap = static_cast<uint8_t>(rules[r].overlap);
}

// Certifies every rule on the audits of its own region. A rule whose region (items carrying its
// label, audited or not) is smaller than the clean audits a certificate needs can never pay for
// itself: it is "too small" and its items go the model's way this cycle.
Status CertifyRules(const PlanInput& in, const std::vector<uint8_t>& routable, CyclePlan* plan) {
  const size_t n = in.pool.size();
  if (in.rule_label.size() != n || in.rule_id.size() != n ||
      (!in.rule_confidence.empty() && in.rule_confidence.size() != n)) {
    return InvalidArgument("loop: rule input sizes disagree");
  }
  const double eps = 1.0 - in.config.target_precision, delta = 1.0 - in.config.confidence;
  plan->rules.assign(in.rule_names.size(), RuleCertificate{});
  for (size_t r = 0; r < in.rule_names.size(); ++r) plan->rules[r].name = in.rule_names[r];
  for (size_t i = 0; i < n; ++i) {
    if (in.rule_label[i] < 0 || in.rule_id[i] >= plan->rules.size()) continue;
    RuleCertificate& rc = plan->rules[in.rule_id[i]];
    if (routable[i]) ++rc.candidates;
    if (in.audit_label[i] < 0) continue;
    ++rc.audits;
    rc.errors += in.audit_label[i] != in.rule_label[i];
  }
  for (RuleCertificate& rc : plan->rules) {
    rc.error_upper = ClopperPearsonUpper(rc.errors, rc.audits, delta);
    rc.certified = rc.audits > 0 && rc.error_upper <= eps;
    const double lower =
        rc.errors == 0 ? 0.0 : 1.0 - ClopperPearsonUpper(rc.audits - rc.errors, rc.audits, delta);
    rc.rejected = !rc.certified && (lower > eps || in.config.audit_per_cycle == 0);
    rc.too_small = !rc.certified && rc.audits + rc.candidates < MinAuditsNeeded(eps, delta);
  }
  return Status::Ok();
}

bool InRuleRegion(const PlanInput& in, const CyclePlan& plan, size_t i) {
  return !in.rule_label.empty() && in.rule_label[i] >= 0 && in.rule_id[i] < plan.rules.size() &&
         !plan.rules[in.rule_id[i]].too_small;
}

// Routes the rule regions: accepted by the rule while certified, held while pending, to people
// once rejected.
void RouteRules(const PlanInput& in, const std::vector<uint8_t>& routable, CyclePlan* plan) {
  const size_t n = in.pool.size();
  RouterOutput& ro = plan->routing;
  for (size_t i = 0; i < n; ++i) {
    if (!routable[i] || !InRuleRegion(in, *plan, i)) continue;
    RuleCertificate& rc = plan->rules[in.rule_id[i]];
    RouteDecision& d = ro.decisions[i];
    if (rc.certified) {
      d.route = Route::kAccept;
      d.predicted = in.rule_label[i];
      d.confidence = in.rule_confidence.empty() ? 1.0f : in.rule_confidence[i];
      d.rule = static_cast<int8_t>(in.rule_id[i]);
      ++rc.accepted;
    } else if (rc.rejected) {
      if (d.route != Route::kReview) {
        d.route = Route::kReview;
        if (d.predicted < 0) d.predicted = in.rule_label[i];
        AssignPool(in, i, in.labels[d.predicted], d.confidence, &ro, &d);
      }
      ++rc.to_review;
    } else {
      d.route = Route::kNone;  // waiting for the rule's audits
      ++rc.held;
    }
  }
  ro.accepted = ro.review = ro.requeued = 0;
  for (size_t i = 0; i < n; ++i) {
    const Route r = ro.decisions[i].route;
    ro.accepted += r == Route::kAccept;
    ro.review += r == Route::kReview;
    ro.requeued += r == Route::kReview && !in.was_auto.empty() && in.was_auto[i];
  }
}

// A duplicate whose group's representative is going to people waits for that answer (which
// then propagates to it) instead of being shown too.
void HoldDuplicates(const PlanInput& in, CyclePlan* plan) {
  if (in.review_rep.size() != in.pool.size()) return;
  auto& dec = plan->routing.decisions;
  for (size_t i = 0; i < dec.size(); ++i) {
    const int64_t rep = in.review_rep[i];
    if (dec[i].route != Route::kReview || rep < 0 || static_cast<size_t>(rep) >= dec.size()) continue;
    if (dec[rep].route != Route::kReview) continue;
    dec[i].route = Route::kNone;
    --plan->routing.review;
    if (!in.was_auto.empty() && in.was_auto[i]) --plan->routing.requeued;
    ++plan->held_duplicates;
  }
}

// Monitoring: per (predicted class, band) audit counts over the audited model-region items, and
// the next stratified draw — round-robin over the non-empty strata of the accepted region, in a
// random stratum order, never an item already drawn this cycle.
void DrawStratifiedAudits(const PlanInput& in, const std::vector<uint8_t>& rule_item, Rng& rng,
                          CyclePlan* plan) {
  if (plan->cold_start || plan->probs.empty()) return;
  const int k = static_cast<int>(in.labels.size());
  const size_t n = in.pool.size();
  constexpr int kBands = static_cast<int>(std::size(kConfidenceBands)) + 1;
  auto stratum_of = [&](size_t i, int* pred) {
    const float* p = plan->probs.data() + i * k;
    *pred = static_cast<int>(std::max_element(p, p + k) - p);
    return *pred * kBands + ConfidenceBand(p[*pred]);
  };
  std::vector<AuditStratum> stats(static_cast<size_t>(k) * kBands);
  for (size_t s = 0; s < stats.size(); ++s) {
    stats[s].predicted = static_cast<int>(s) / kBands;
    stats[s].band = static_cast<int>(s) % kBands;
  }
  for (size_t i = 0; i < n; ++i) {
    if (in.audit_label[i] < 0 || rule_item[i]) continue;
    int pred = 0;
    AuditStratum& st = stats[stratum_of(i, &pred)];
    ++st.audits;
    st.errors += pred != in.audit_label[i];
  }
  for (const auto& st : stats) {
    if (st.audits > 0) plan->strata.push_back(st);
  }
  const size_t budget = static_cast<size_t>(std::max(0, in.config.audit_stratified_per_cycle));
  if (budget == 0) return;
  std::vector<uint8_t> drawn(n, 0);
  for (size_t i : plan->new_audits) drawn[i] = 1;
  std::vector<std::vector<size_t>> members(stats.size());
  for (size_t i = 0; i < n; ++i) {
    const RouteDecision& d = plan->routing.decisions[i];
    if (d.route != Route::kAccept || d.rule >= 0 || drawn[i]) continue;
    int pred = 0;
    members[stratum_of(i, &pred)].push_back(i);
  }
  std::vector<size_t> order;
  for (size_t s = 0; s < members.size(); ++s) {
    if (!members[s].empty()) {
      rng.Shuffle(members[s]);
      order.push_back(s);
    }
  }
  rng.Shuffle(order);
  for (size_t round = 0; plan->stratified_audits.size() < budget; ++round) {
    bool any = false;
    for (size_t s : order) {
      if (round >= members[s].size() || plan->stratified_audits.size() >= budget) continue;
      plan->stratified_audits.push_back(members[s][round]);
      any = true;
    }
    if (!any) break;
  }
}

// DecideFromPredictions' steps, in the order it runs them. Every step that draws from the cycle's
// Rng is called in the same order as before the split, so a seed gives the same plan.

// The per-item masks the steps share.
struct ItemRegions {
  std::vector<uint8_t> routable;          // not labelled by people, not awaiting an audit
  std::vector<uint8_t> audit_candidates;  // routable and outside every rule's region
  std::vector<uint8_t> rule_item;         // in the region of a rule that is not too small
};

// Step 1: the masks; the rules are certified first, since their regions depend on it.
Status ComputeRegions(const PlanInput& in, CyclePlan* plan, ItemRegions* r) {
  const size_t n = in.pool.size();
  r->routable.assign(n, 0);
  r->audit_candidates.assign(n, 0);
  r->rule_item.assign(n, 0);
  for (size_t i = 0; i < n; ++i) r->routable[i] = Routable(in, i);
  if (!in.rule_names.empty()) RETURN_IF_ERROR(CertifyRules(in, r->routable, plan));
  for (size_t i = 0; i < n; ++i) {
    r->rule_item[i] = InRuleRegion(in, *plan, i);
    // The model's audit sample is uniform over the model's region only (rule items have theirs).
    r->audit_candidates[i] = r->routable[i] && !r->rule_item[i];
  }
  return Status::Ok();
}

Status CheckAuditRegionInputs(const PlanInput& in) {
  const size_t n = in.pool.size();
  const bool regions = !in.audit_draw.empty();
  if ((regions && in.audit_draw.size() != n) ||
      (!in.audit_whole_pool.empty() && in.audit_whole_pool.size() != n) ||
      (!in.region_since.empty() && in.region_since.size() != n) ||
      (!in.item_key.empty() && in.item_key.size() != n)) {
    return InvalidArgument("loop: audit region input sizes disagree");
  }
  return Status::Ok();
}

int32_t SinceOf(const PlanInput& in, size_t i) {
  return in.region_since.empty() ? 0 : in.region_since[i];
}

// The certification options of this cycle: new classes need audits of their own, and the
// quantile grid is built from the model's confidences on the routable pool.
CertifyOptions ModelCertifyOptions(const PlanInput& in, const CyclePlan& plan,
                                   const std::vector<uint8_t>& routable) {
  const int k = static_cast<int>(in.labels.size());
  const size_t n = in.pool.size();
  const LoopConfig& cfg = in.config;
  CertifyOptions co = cfg.certify_options();
  if (!cfg.new_classes.empty()) {
    co.require_own.assign(k, 0);
    for (const auto& name : cfg.new_classes) {
      for (int c = 0; c < k; ++c) {
        if (in.labels[c] == name) co.require_own[c] = 1;
      }
    }
  }
  if (cfg.grid == "quantile") {
    // Candidates at 5% steps of the model's confidences on the routable pool: items people
    // have not labelled (audited ones included: audit_label >= 0 is not routable). Computed
    // before any audit outcome is read, so the fixed-sequence order is label-free.
    std::vector<float> conf;
    conf.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (!routable[i]) continue;
      const float* p = plan.probs.data() + i * k;
      conf.push_back(*std::max_element(p, p + k));
    }
    std::vector<double> q = QuantileThresholdGrid(conf, kQuantileGridStep);
    if (!q.empty()) co.grid = std::move(q);  // nothing routable: the fixed grid (no effect)
  }
  return co;
}

// The current model's answer on every item: its predicted class, that class's probability, and
// whether the router may accept it (Eligible, loop/router.h).
struct ModelView {
  std::vector<int> pred;
  std::vector<float> maxp;
  std::vector<uint8_t> eligible;
};

ModelView ViewModel(const PlanInput& in, const CyclePlan& plan) {
  const int k = static_cast<int>(in.labels.size());
  const size_t n = in.pool.size();
  ModelView v;
  v.pred.resize(n);
  v.maxp.resize(n);
  v.eligible.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const float* p = plan.probs.data() + i * k;
    v.pred[i] = static_cast<int>(std::max_element(p, p + k) - p);
    v.maxp[i] = p[v.pred[i]];
    v.eligible[i] = Eligible(v.pred[i], plan.novelty.empty() ? 0.0 : plan.novelty[i],
                             plan.cold_class, in.config.max_novelty);
  }
  return v;
}

// The window of draws certification uses (audit counts only; loop/audit_region.h): returns its
// first draw c0 and, when the input has audit regions, marks the items inside it in *in_window
// (left empty otherwise: every item is inside the audited region).
int32_t ChooseWindow(const PlanInput& in, const ItemRegions& r, const ModelView& v,
                     const CertifyOptions& co, std::vector<uint8_t>* in_window) {
  const size_t n = in.pool.size();
  int32_t c0 = 0;
  if (in.audit_draw.empty()) return c0;
  std::vector<uint8_t> counted(n, 0);
  for (size_t i = 0; i < n; ++i) {
    counted[i] = in.audit_label[i] >= 0 && !r.rule_item[i] && v.eligible[i] &&
                 (in.audit_stratified.empty() || !in.audit_stratified[i]) &&
                 v.maxp[i] >= co.grid.back();
  }
  c0 = ChooseAuditWindow(in.region_since, in.audit_draw, in.audit_whole_pool, counted,
                         in.draw_index, 2 * in.config.min_audits_needed());
  in_window->assign(n, 1);
  for (size_t i = 0; i < n; ++i) (*in_window)[i] = SinceOf(in, i) <= c0;
  return c0;
}

// Certification's evidence: the model-region audits of the uniform sample inside the window,
// seen through the current model. Counts those left outside in plan->audits_outside_window.
std::vector<AuditObservation> ModelAudits(const PlanInput& in, const ItemRegions& r,
                                          const ModelView& v, int32_t c0, CyclePlan* plan) {
  const size_t n = in.pool.size();
  const bool regions = !in.audit_draw.empty();
  std::vector<AuditObservation> obs;
  for (size_t i = 0; i < n; ++i) {
    if (in.audit_label[i] < 0 || r.rule_item[i]) continue;
    // Stratified audits over-sample some strata: only the uniform sample may certify.
    if (!in.audit_stratified.empty() && in.audit_stratified[i]) continue;
    const int32_t draw = regions ? in.audit_draw[i] : -1;
    const bool whole = !regions || in.audit_whole_pool.empty() || in.audit_whole_pool[i];
    // An audit drawn from a region that need not contain the accepted set is not a uniform
    // sample of it: it never certifies.
    if (regions && !AuditInWindow(draw, whole, SinceOf(in, i), c0)) {
      ++plan->audits_outside_window;
      continue;
    }
    AuditObservation o;
    o.predicted = v.pred[i];
    o.confidence = v.maxp[i];
    o.error = v.pred[i] != in.audit_label[i];
    o.eligible = v.eligible[i];
    o.order = AuditOrder(draw, in.item_key.empty() ? i : in.item_key[i]);
    obs.push_back(o);
  }
  return obs;
}

// With audit_region "candidate", this cycle's draw region: above the lowest candidate the
// sequence can still reach. Marks its items in *draw_member (left empty: the whole pool).
void ChooseDrawRegion(const PlanInput& in, const ItemRegions& r, const ModelView& v,
                      const CertifyOptions& co, const std::vector<AuditObservation>& obs,
                      CyclePlan* plan, std::vector<uint8_t>* draw_member) {
  if (in.config.audit_region != "candidate") return;
  const size_t n = in.pool.size();
  std::vector<std::pair<float, uint8_t>> seen;
  for (const AuditObservation& a : obs) {
    if (a.eligible) seen.emplace_back(static_cast<float>(a.confidence), a.error ? 1 : 0);
  }
  std::vector<float> conf;
  for (size_t i = 0; i < n; ++i) {
    if (r.audit_candidates[i] && v.eligible[i]) conf.push_back(v.maxp[i]);
  }
  plan->draw_threshold = ChooseDrawThreshold(seen, conf, co.grid, co.epsilon, co.delta,
                                             5 * in.config.min_audits_needed());
  plan->draw_whole_pool = false;
  draw_member->assign(n, 0);
  for (size_t i = 0; i < n; ++i) (*draw_member)[i] = v.maxp[i] >= plan->draw_threshold;
}

// Routes the pool through the certified thresholds and the routing rules.
Status RouteByModel(const PlanInput& in, const ItemRegions& r, const ModelView& v,
                    const std::vector<uint8_t>& in_window, CyclePlan* plan) {
  const LoopConfig& cfg = in.config;
  RouterInput ri;
  ri.num_classes = static_cast<int>(in.labels.size());
  ri.labels = in.labels;
  ri.probs = plan->probs;
  ri.novelty = plan->novelty;
  ri.routable = r.routable;
  ri.was_auto = in.was_auto;
  ri.meta_json = in.meta_json;
  ri.detections = in.detections;
  ri.cold = plan->cold_class;
  ri.in_audit_window = in_window;
  ri.certification = &plan->certification;
  ri.max_novelty = cfg.max_novelty;
  ri.rules = &cfg.routing;
  ri.default_pool = cfg.default_pool;
  ASSIGN_OR_RETURN(plan->routing, RouteItems(ri));
  for (size_t i = 0; i < in_window.size(); ++i) {
    plan->outside_window_blocked += r.routable[i] && !in_window[i] && v.eligible[i] &&
                                    v.maxp[i] >= plan->certification.ThresholdFor(v.pred[i]);
  }
  return Status::Ok();
}

// Step 2 (a model exists): certify its thresholds from the audits, choose this cycle's draw
// region (*draw_member, left empty for the whole pool) and route the pool.
Status CertifyAndRoute(const PlanInput& in, const ItemRegions& r, CyclePlan* plan,
                       std::vector<uint8_t>* draw_member) {
  const int k = static_cast<int>(in.labels.size());
  CertifyOptions co = ModelCertifyOptions(in, *plan, r.routable);
  const ModelView v = ViewModel(in, *plan);
  std::vector<uint8_t> in_window;  // empty = every item is inside the audited region
  const int32_t c0 = ChooseWindow(in, r, v, co, &in_window);
  plan->audit_window_start = c0;
  // Certification from audit labels only, seen through the current model.
  std::vector<AuditObservation> obs = ModelAudits(in, r, v, c0, plan);
  plan->audits_total = static_cast<int64_t>(obs.size());
  plan->certification = Certify(obs, k, co);
  plan->threshold_grid = co.grid;
  plan->audit_precision =
      AcceptedRegionPrecision(obs, plan->certification, co.delta, co.epsilon, co.bound);
  ChooseDrawRegion(in, r, v, co, obs, plan, draw_member);
  return RouteByModel(in, r, v, in_window, plan);
}

// Step 2 (cold start): nothing is certified; every routable item goes to people.
void RouteColdStart(const PlanInput& in, const ItemRegions& r, CyclePlan* plan) {
  const int k = static_cast<int>(in.labels.size());
  const size_t n = in.pool.size();
  const LoopConfig& cfg = in.config;
  plan->certification = Certify({}, k, cfg.certify_options());
  plan->routing.pools = {cfg.default_pool};
  plan->routing.decisions.assign(n, RouteDecision{});
  for (size_t i = 0; i < n; ++i) {
    if (!r.routable[i]) continue;
    RouteDecision& d = plan->routing.decisions[i];
    d.route = Route::kReview;
    ++plan->routing.review;
    // No prediction yet: rules on metadata still pick the pool and overlap (predicted class
    // "" and confidence 0 for the other conditions).
    AssignPool(in, i, "", 0.0, &plan->routing, &d);
    if (!in.was_auto.empty() && in.was_auto[i]) ++plan->routing.requeued;
  }
}

// The AL strategy's pick of `need` of the `rest` review items (indices into rest).
Result<std::vector<size_t>> PickByStrategy(const PlanInput& in, const CyclePlan& plan,
                                           const std::vector<size_t>& rest, size_t need,
                                           Rng& rng) {
  const int k = static_cast<int>(in.labels.size());
  const size_t n = in.pool.size();
  const LoopConfig& cfg = in.config;
  ASSIGN_OR_RETURN(auto strategy, al::CreateStrategy(cfg.strategy));
  const auto req = strategy->requirements();
  if (req.committee) {
    return InvalidArgument("loop: strategy '" + cfg.strategy +
                           "' needs a committee, which the loop does not build yet");
  }
  std::vector<float> cand(rest.size() * k);
  for (size_t j = 0; j < rest.size(); ++j) {
    std::copy_n(plan.probs.data() + rest[j] * k, k, cand.data() + j * k);
  }
  al::ScoringContext ctx;
  ctx.num_candidates = rest.size();
  ctx.num_classes = k;
  ctx.probs = cand;
  al::RowMatrix emb, lab_emb;
  if (req.embedding) {
    std::vector<const text::SparseRow*> rows, lab;
    for (size_t i : rest) rows.push_back(in.pool[i].features);
    for (size_t i = 0; i < n; ++i) {
      if (in.train_label[i] >= 0) lab.push_back(in.pool[i].features);
    }
    emb = al::Embed(rows);
    lab_emb = al::Embed(lab);
    ctx.embedding = &emb;
    ctx.labeled_embedding = &lab_emb;
  }
  return strategy->Select(ctx, need, rng);
}

// Step 3, the review order: seed-query matches first, then the AL strategy (or random on a cold
// start). Sets plan->review_order and plan->priority.
Status OrderReview(const PlanInput& in, Rng& rng, CyclePlan* plan) {
  const size_t n = in.pool.size();
  const LoopConfig& cfg = in.config;
  std::vector<size_t> review;
  for (size_t i = 0; i < n; ++i) {
    if (plan->routing.decisions[i].route == Route::kReview) review.push_back(i);
  }
  const size_t want = std::min(review.size(), static_cast<size_t>(
                                                  plan->cold_start ? cfg.seed_batch : cfg.review_batch));
  std::vector<size_t> order;
  std::vector<uint8_t> taken(n, 0);
  if (!in.seed_boost.empty()) {
    std::vector<size_t> boosted;
    for (size_t i : review) {
      if (in.seed_boost[i] > 0) boosted.push_back(i);
    }
    std::stable_sort(boosted.begin(), boosted.end(),
                     [&](size_t a, size_t b) { return in.seed_boost[a] > in.seed_boost[b]; });
    for (size_t i : boosted) {
      if (order.size() >= want) break;
      order.push_back(i);
      taken[i] = 1;
    }
  }
  if (order.size() < want) {
    std::vector<size_t> rest;
    for (size_t i : review) {
      if (!taken[i]) rest.push_back(i);
    }
    const size_t need = std::min(rest.size(), want - order.size());
    std::vector<size_t> picked;
    if (plan->cold_start) {
      rng.Shuffle(rest);
      picked.resize(need);
      std::iota(picked.begin(), picked.end(), size_t{0});
    } else if (need > 0) {
      ASSIGN_OR_RETURN(picked, PickByStrategy(in, *plan, rest, need, rng));
    }
    for (size_t j : picked) order.push_back(rest[j]);
  }
  plan->priority.assign(n, 0.0);
  for (size_t r = 0; r < order.size(); ++r) {
    plan->priority[order[r]] = static_cast<double>(order.size() - r);
  }
  plan->review_order = std::move(order);
  return Status::Ok();
}

// Step 4, the next audits: the model's uniform sample over this cycle's draw region (the items
// not labelled by people the current model might be certified to accept; the whole pool on a
// cold start), the stratified draw, then each live rule's own uniform sample.
void DrawNextAudits(const PlanInput& in, const std::vector<uint8_t>& draw_member, Rng& rng,
                    ItemRegions* r, CyclePlan* plan) {
  const size_t n = in.pool.size();
  const LoopConfig& cfg = in.config;
  if (!draw_member.empty()) {
    for (size_t i = 0; i < n; ++i) {
      r->audit_candidates[i] = r->audit_candidates[i] && draw_member[i];
    }
  }
  for (size_t i = 0; i < n; ++i) plan->draw_region_size += r->audit_candidates[i];
  plan->new_audits =
      SampleAudits(r->audit_candidates, static_cast<size_t>(cfg.audit_per_cycle), rng);
  plan->model_audits = plan->new_audits.size();
  plan->region_since_next = AdvanceRegionRuns(in.region_since, draw_member, in.draw_index, n);
  DrawStratifiedAudits(in, r->rule_item, rng, plan);
  // Each live rule: its own uniform sample — the full rate while pending, a tenth (at least one)
  // to keep watching a certified rule; none for a rejected one.
  for (size_t ri = 0; ri < plan->rules.size(); ++ri) {
    const RuleCertificate& rc = plan->rules[ri];
    if (rc.rejected || rc.too_small) continue;
    const size_t want = rc.certified ? std::max(1, cfg.audit_per_cycle / 10) : cfg.audit_per_cycle;
    std::vector<uint8_t> cand(n, 0);
    for (size_t i = 0; i < n; ++i) {
      cand[i] = r->routable[i] && r->rule_item[i] && in.rule_id[i] == ri;
    }
    for (size_t i : SampleAudits(cand, want, rng)) plan->new_audits.push_back(i);
  }
}

// Step 5: an item drawn for an audit this cycle leaves the review batch. The audit draw stays
// uniform over its region (the guarantee needs it); the review batch, an AL choice anyway, just
// goes without it. Without this the live cycle queued the item twice, as audit and review, two
// people labelled it, and the audited item became a training label. The review order keeps its
// other items in their order and is not refilled (the simulator already skipped such items, so
// its results are unchanged).
void DropAuditsFromReview(CyclePlan* plan) {
  std::set<size_t> audited(plan->new_audits.begin(), plan->new_audits.end());
  audited.insert(plan->stratified_audits.begin(), plan->stratified_audits.end());
  if (audited.empty()) return;
  std::vector<size_t> kept;
  kept.reserve(plan->review_order.size());
  for (size_t i : plan->review_order) {
    if (audited.count(i)) {
      plan->priority[i] = 0.0;
    } else {
      kept.push_back(i);
    }
  }
  for (size_t r = 0; r < kept.size(); ++r) plan->priority[kept[r]] = static_cast<double>(kept.size() - r);
  plan->review_order = std::move(kept);
}

}  // namespace

Status DecideFromPredictions(const PlanInput& in, CyclePlan* plan) {
  const auto t0 = SteadyClock::now();
  Rng rng(in.seed * 0x9E3779B97F4A7C15ULL + 17);
  ItemRegions regions;
  RETURN_IF_ERROR(ComputeRegions(in, plan, &regions));
  RETURN_IF_ERROR(CheckAuditRegionInputs(in));
  std::vector<uint8_t> draw_member;  // empty = this cycle draws from the whole pool
  if (!plan->cold_start) {
    RETURN_IF_ERROR(CertifyAndRoute(in, regions, plan, &draw_member));
  } else {
    RouteColdStart(in, regions, plan);
  }
  if (!in.rule_names.empty()) RouteRules(in, regions.routable, plan);
  HoldDuplicates(in, plan);
  RETURN_IF_ERROR(OrderReview(in, rng, plan));
  DrawNextAudits(in, draw_member, rng, &regions, plan);
  DropAuditsFromReview(plan);
  plan->seconds_route = SecondsSince(t0);
  return Status::Ok();
}

}  // namespace hitloop::loop
