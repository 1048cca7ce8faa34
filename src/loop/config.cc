#include "loop/config.h"

#include <nlohmann/json.hpp>

#include "al/registry.h"
#include "autolabel/detector_choice.h"
#include "model/registry.h"
#include "model/representation.h"
#include "store/store.h"

namespace hitloop::loop {
namespace {
using nlohmann::json;

std::string ScalarString(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

Status ParseRule(const json& j, size_t i, RoutingRule* r) {
  const std::string where = "loop.routing[" + std::to_string(i) + "]";
  if (!j.is_object()) return InvalidArgument(where + ": not an object");
  r->name = j.value("name", "rule" + std::to_string(i));
  if (!j.contains("pool") || !j["pool"].is_string() || j["pool"].get<std::string>().empty()) {
    return InvalidArgument(where + ".pool: missing or not a non-empty string");
  }
  r->pool = j["pool"].get<std::string>();
  if (j.contains("overlap")) {
    if (!j["overlap"].is_number_integer() || j["overlap"].get<int>() < 1 ||
        j["overlap"].get<int>() > 10) {
      return InvalidArgument(where + ".overlap: must be an integer in [1, 10]");
    }
    r->overlap = j["overlap"].get<int>();
  }
  if (!j.contains("when")) return Status::Ok();
  const json& w = j["when"];
  if (!w.is_object()) return InvalidArgument(where + ".when: not an object");
  if (w.contains("meta")) {
    if (!w["meta"].is_object()) return InvalidArgument(where + ".when.meta: not an object");
    for (const auto& [k, v] : w["meta"].items()) r->meta_equals.emplace_back(k, ScalarString(v));
  }
  if (w.contains("predicted")) {
    if (!w["predicted"].is_array()) return InvalidArgument(where + ".when.predicted: not an array");
    for (const auto& v : w["predicted"]) {
      if (!v.is_string()) return InvalidArgument(where + ".when.predicted: labels are strings");
      r->predicted_in.push_back(v.get<std::string>());
    }
  }
  if (w.contains("confidence")) {
    const json& c = w["confidence"];
    if (!c.is_array() || c.size() != 2 || !c[0].is_number() || !c[1].is_number() ||
        c[0].get<double>() > c[1].get<double>()) {
      return InvalidArgument(where + ".when.confidence: expected [min, max] with min <= max");
    }
    r->min_confidence = c[0].get<double>();
    r->max_confidence = c[1].get<double>();
  }
  return Status::Ok();
}

Status ParseAutolabel(const json& a, AutolabelConfig* c) {
  if (!a.is_object()) return InvalidArgument("loop.autolabel: not an object");
  for (const char* k : {"detect", "duplicates", "labeler"}) {
    if (a.contains(k) && !a[k].is_string()) {
      return InvalidArgument(std::string("loop.autolabel.") + k + ": must be a string");
    }
  }
  c->detect = a.value("detect", c->detect);
  if (auto choice = autolabel::ParseDetectorChoice(c->detect); !choice.ok()) {
    return InvalidArgument("loop.autolabel.detect: " + choice.status().message());
  }
  c->duplicates = a.value("duplicates", c->duplicates);
  if (c->duplicates != "near" && c->duplicates != "exact" && c->duplicates != "off") {
    return InvalidArgument("loop.autolabel.duplicates: must be \"near\", \"exact\" or \"off\"");
  }
  c->labeler = a.value("labeler", c->labeler);
  if (!c->labeler.empty() && c->labeler != "language" && c->labeler != "format") {
    return InvalidArgument("loop.autolabel.labeler: must be \"\", \"language\" or \"format\"");
  }
  for (auto [k, out] : {std::pair<const char*, double*>{"near_threshold", &c->near_threshold},
                        {"min_rule_confidence", &c->min_rule_confidence}}) {
    if (!a.contains(k)) continue;
    if (!a[k].is_number() || a[k].get<double>() <= 0.0 || a[k].get<double>() > 1.0) {
      return InvalidArgument(std::string("loop.autolabel.") + k + ": must be a number in (0, 1]");
    }
    *out = a[k].get<double>();
  }
  if (a.contains("strip_boilerplate")) {
    if (!a["strip_boilerplate"].is_boolean()) {
      return InvalidArgument("loop.autolabel.strip_boilerplate: must be true or false");
    }
    c->strip_boilerplate = a["strip_boilerplate"].get<bool>();
  }
  return Status::Ok();
}

// gold_rate, flag_below and pools of the "loop" object `l`.
Status ParseGold(const json& l, GoldRouting* g) {
  auto unit = [](const json& v, const std::string& where, double* out) -> Status {
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
      return InvalidArgument(where + ": must be a number in [0, 1]");
    }
    *out = v.get<double>();
    return Status::Ok();
  };
  if (l.contains("gold_rate")) RETURN_IF_ERROR(unit(l["gold_rate"], "loop.gold_rate", &g->gold_rate));
  if (l.contains("flag_below")) RETURN_IF_ERROR(unit(l["flag_below"], "loop.flag_below", &g->flag_below));
  if (!l.contains("pools")) return Status::Ok();
  if (!l["pools"].is_object()) return InvalidArgument("loop.pools: not an object (pool name -> policy)");
  for (const auto& [name, pj] : l["pools"].items()) {
    const std::string where = "loop.pools." + name;
    if (name.empty() || name == kGoldPool) return InvalidArgument(where + ": not a pool name");
    if (!pj.is_object()) return InvalidArgument(where + ": not an object");
    PoolPolicy p;
    for (const auto& [k, v] : pj.items()) {
      if (k == "qualify_gold") {
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 100000) {
          return InvalidArgument(where + ".qualify_gold: must be an integer in [0, 100000]");
        }
        p.qualify_gold = v.get<int>();
      } else if (k == "qualify_accuracy") {
        RETURN_IF_ERROR(unit(v, where + ".qualify_accuracy", &p.qualify_accuracy));
      } else if (k == "flag_below") {
        RETURN_IF_ERROR(unit(v, where + ".flag_below", &p.flag_below));
      } else {
        return InvalidArgument(where + "." + k + ": unknown (qualify_gold, qualify_accuracy, flag_below)");
      }
    }
    g->pools[name] = p;
  }
  return Status::Ok();
}

// loop.K, when present, into *out: a number in (lo, hi).
Status ParseOpenRange(const json& l, const char* k, double lo, double hi, double* out) {
  if (!l.contains(k)) return Status::Ok();
  if (!l[k].is_number() || l[k].get<double>() <= lo || l[k].get<double>() >= hi) {
    return InvalidArgument(std::string("loop.") + k + ": must be a number in (" + std::to_string(lo) + ", " +
                           std::to_string(hi) + ")");
  }
  *out = l[k].get<double>();
  return Status::Ok();
}

// loop.K, when present, into *out: an integer in [lo, 1000000].
Status ParseCount(const json& l, const char* k, int lo, int* out) {
  if (!l.contains(k)) return Status::Ok();
  if (!l[k].is_number_integer() || l[k].get<int64_t>() < lo || l[k].get<int64_t>() > 1000000) {
    return InvalidArgument(std::string("loop.") + k + ": must be an integer >= " + std::to_string(lo));
  }
  *out = l[k].get<int>();
  return Status::Ok();
}

// loop.K, when present, into *out: an array of strings (replacing the default).
Status ParseNames(const json& l, const char* k, std::vector<std::string>* out) {
  if (!l.contains(k)) return Status::Ok();
  if (!l[k].is_array()) return InvalidArgument(std::string("loop.") + k + ": not an array");
  out->clear();
  for (const auto& v : l[k]) {
    if (!v.is_string()) return InvalidArgument(std::string("loop.") + k + ": names are strings");
    out->push_back(v.get<std::string>());
  }
  return Status::Ok();
}

// A model spec's representations and its classifier, checked by their registries.
Status CheckModelSpec(const std::string& field, const std::string& spec) {
  auto p = model::ParseModelSpec(spec);
  if (!p.ok()) return InvalidArgument(field + ": " + p.status().message());
  if (auto m = model::CreateClassifier(p->classifier, model::ClassifierOptions{}); !m.ok()) {
    return InvalidArgument(field + ": " + m.status().message());
  }
  return Status::Ok();
}

// The guarantee and the audits: precision, confidence, thresholds, bound, audit sizes and region.
Status ParseCertifyFields(const json& l, LoopConfig* c) {
  RETURN_IF_ERROR(ParseOpenRange(l, "target_precision", 0.5, 1.0, &c->target_precision));
  RETURN_IF_ERROR(ParseOpenRange(l, "confidence", 0.5, 1.0, &c->confidence));
  RETURN_IF_ERROR(ParseOpenRange(l, "max_novelty", 0.0, 1e9, &c->max_novelty));
  RETURN_IF_ERROR(ParseCount(l, "audit_per_cycle", 0, &c->audit_per_cycle));
  RETURN_IF_ERROR(ParseCount(l, "audit_stratified_per_cycle", 0, &c->audit_stratified_per_cycle));
  RETURN_IF_ERROR(ParseCount(l, "review_batch", 0, &c->review_batch));
  RETURN_IF_ERROR(ParseCount(l, "seed_batch", 0, &c->seed_batch));
  RETURN_IF_ERROR(ParseCount(l, "min_labels_per_class", 1, &c->min_labels_per_class));
  if (l.contains("threshold_mode")) {
    const std::string m = l["threshold_mode"].is_string() ? l["threshold_mode"].get<std::string>() : "";
    if (m != "global" && m != "per-class") {
      return InvalidArgument("loop.threshold_mode: must be \"global\" or \"per-class\"");
    }
    c->per_class = m == "per-class";
  }
  if (l.contains("test_power")) {
    const json& v = l["test_power"];
    if (!v.is_number() || !(v.get<double>() >= 0.0 && v.get<double>() < 1.0)) {
      return InvalidArgument("loop.test_power: must be a number in [0, 1)");
    }
    c->test_power = v.get<double>();
  }
  if (l.contains("tolerate_errors")) {
    const json& v = l["tolerate_errors"];
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 20) {
      return InvalidArgument("loop.tolerate_errors: must be an integer in [0, 20]");
    }
    c->tolerate_errors = v.get<int64_t>();
  }
  if (l.contains("grid")) {
    const std::string g = l["grid"].is_string() ? l["grid"].get<std::string>() : "";
    if (g != "fixed" && g != "quantile") return InvalidArgument("loop.grid: must be \"fixed\" or \"quantile\"");
    c->grid = g;
  }
  if (l.contains("bound")) {
    const std::string b = l["bound"].is_string() ? l["bound"].get<std::string>() : "";
    if (b != "betting" && b != "clopper-pearson") {
      return InvalidArgument("loop.bound: must be \"betting\" or \"clopper-pearson\"");
    }
    c->bound = b;
  }
  if (l.contains("audit_region")) {
    const std::string r = l["audit_region"].is_string() ? l["audit_region"].get<std::string>() : "";
    if (r != "candidate" && r != "pool") {
      return InvalidArgument("loop.audit_region: must be \"candidate\" or \"pool\"");
    }
    c->audit_region = r;
  }
  if (l.contains("audit_second_opinion")) {
    if (!l["audit_second_opinion"].is_boolean()) {
      return InvalidArgument("loop.audit_second_opinion: must be true or false");
    }
    c->audit_second_opinion = l["audit_second_opinion"].get<bool>();
  }
  return Status::Ok();
}

// What the loop trains and how it picks: strategy, model (or candidates), representations, pool,
// new classes. Names are checked by the registries that will create them (one rule each).
Status ParseModelFields(const json& l, LoopConfig* c) {
  for (const char* k : {"strategy", "model", "default_pool"}) {
    if (l.contains(k) && (!l[k].is_string() || l[k].get<std::string>().empty())) {
      return InvalidArgument(std::string("loop.") + k + ": must be a non-empty string");
    }
  }
  c->strategy = l.value("strategy", c->strategy);
  c->model = l.value("model", c->model);
  c->default_pool = l.value("default_pool", c->default_pool);
  if (auto s = al::CreateStrategy(c->strategy); !s.ok()) {
    return InvalidArgument("loop.strategy: " + s.status().message());
  }
  // The model ("auto" or a spec REPR+MODEL) is checked below, with the candidates.
  if (l.contains("new_classes")) {
    if (!l["new_classes"].is_array()) return InvalidArgument("loop.new_classes: not an array");
    for (const auto& v : l["new_classes"]) {
      if (!v.is_string()) return InvalidArgument("loop.new_classes: labels are strings");
      c->new_classes.push_back(v.get<std::string>());
    }
  }
  RETURN_IF_ERROR(ParseNames(l, "model_candidates", &c->model_candidates));
  RETURN_IF_ERROR(ParseNames(l, "representations", &c->representations));
  if (c->model == "auto" && c->model_candidates.empty()) {
    return InvalidArgument("loop.model_candidates: \"model\": \"auto\" needs at least one");
  }
  for (const auto& spec : c->model_candidates) RETURN_IF_ERROR(CheckModelSpec("loop.model_candidates", spec));
  if (c->model != "auto") RETURN_IF_ERROR(CheckModelSpec("loop.model", c->model));
  for (const auto& r : c->representations) {
    if (auto p = model::CreateRepresentation(r, {}); !p.ok()) {
      return InvalidArgument("loop.representations: " + p.status().message());
    }
  }
  if (l.contains("representation_refresh")) {
    if (!l["representation_refresh"].is_number() || l["representation_refresh"].get<double>() < 0) {
      return InvalidArgument("loop.representation_refresh: must be a number >= 0");
    }
    c->representation_refresh = l["representation_refresh"].get<double>();
  }
  if (l.contains("train_on_accepted")) {
    if (!l["train_on_accepted"].is_boolean()) {
      return InvalidArgument("loop.train_on_accepted: must be true or false");
    }
    c->train_on_accepted = l["train_on_accepted"].get<bool>();
  }
  return Status::Ok();
}

}  // namespace

bool GoldRouting::active() const {
  if (gold_rate > 0 || flag_below > 0) return true;
  for (const auto& [name, p] : pools) {
    if (p.qualify_gold > 0 || p.flag_below > 0) return true;
  }
  return false;
}

PoolPolicy GoldRouting::For(const std::string& pool) const {
  PoolPolicy p;
  if (auto it = pools.find(pool); it != pools.end()) p = it->second;
  if (p.flag_below < 0) p.flag_below = flag_below;
  return p;
}

Result<GoldRouting> ParseGoldRouting(const std::string& config_json) {
  GoldRouting g;
  json root = json::parse(config_json.empty() ? "{}" : config_json, nullptr, false);
  if (!root.is_object() || !root.contains("loop") || !root["loop"].is_object()) return g;
  try {
    RETURN_IF_ERROR(ParseGold(root["loop"], &g));
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("loop: ") + e.what());
  }
  return g;
}

CertifyOptions LoopConfig::certify_options() const {
  CertifyOptions o;
  o.epsilon = 1.0 - target_precision;
  o.delta = 1.0 - confidence;
  o.per_class = per_class;
  o.bound = bound == "clopper-pearson" ? Bound::kClopperPearson : Bound::kBetting;
  o.min_power = test_power;
  o.tolerate_errors = tolerate_errors;
  return o;
}

int64_t LoopConfig::min_audits_needed() const {
  const CertifyOptions o = certify_options();
  return MinAuditsToTolerate(o.tolerate_errors, o.epsilon, o.delta, o.bound);
}

Result<LoopConfig> ParseLoopConfig(const std::string& config_json) {
  LoopConfig c;
  json root = json::parse(config_json, nullptr, false);
  if (root.is_discarded() || !root.is_object()) return InvalidArgument("config: not a JSON object");
  if (!root.contains("loop")) return c;
  const json& l = root["loop"];
  if (!l.is_object()) return InvalidArgument("loop: not an object");
  try {
    RETURN_IF_ERROR(ParseCertifyFields(l, &c));
    RETURN_IF_ERROR(ParseModelFields(l, &c));
    if (l.contains("autolabel")) RETURN_IF_ERROR(ParseAutolabel(l["autolabel"], &c.autolabel));
    RETURN_IF_ERROR(ParseGold(l, &c.gold));
    if (l.contains("routing")) {
      if (!l["routing"].is_array()) return InvalidArgument("loop.routing: not an array");
      for (size_t i = 0; i < l["routing"].size(); ++i) {
        RoutingRule r;
        RETURN_IF_ERROR(ParseRule(l["routing"][i], i, &r));
        c.routing.push_back(std::move(r));
      }
    }
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("loop: ") + e.what());
  }
  return c;
}

Result<std::string> MergeLoopConfig(const std::string& config_json, const std::string& loop_json) {
  json root = json::parse(config_json.empty() ? "{}" : config_json, nullptr, false);
  if (root.is_discarded() || !root.is_object()) root = json::object();
  json l = json::parse(loop_json, nullptr, false);
  if (l.is_discarded() || !l.is_object()) return InvalidArgument("loop config: not a JSON object");
  if (l.contains("loop") && l.size() == 1) l = l["loop"];
  root["loop"] = l;
  const std::string merged = root.dump();
  RETURN_IF_ERROR(ParseLoopConfig(merged).status());
  return merged;
}

std::string LoopConfigToJson(const LoopConfig& c) {
  json rules = json::array();
  for (const auto& r : c.routing) {
    json meta = json::object();
    for (const auto& [k, v] : r.meta_equals) meta[k] = v;
    rules.push_back({{"name", r.name},
                     {"when", {{"meta", meta},
                               {"predicted", r.predicted_in},
                               {"confidence", {r.min_confidence, r.max_confidence}}}},
                     {"pool", r.pool},
                     {"overlap", r.overlap}});
  }
  json pools = json::object();
  for (const auto& [name, p] : c.gold.pools) {
    pools[name] = {{"qualify_gold", p.qualify_gold}, {"qualify_accuracy", p.qualify_accuracy}};
    if (p.flag_below >= 0) pools[name]["flag_below"] = p.flag_below;
  }
  return json{{"target_precision", c.target_precision},
              {"confidence", c.confidence},
              {"threshold_mode", c.per_class ? "per-class" : "global"},
              {"audit_per_cycle", c.audit_per_cycle},
              {"audit_stratified_per_cycle", c.audit_stratified_per_cycle},
              {"review_batch", c.review_batch},
              {"seed_batch", c.seed_batch},
              {"strategy", c.strategy},
              {"model", c.model},
              {"max_novelty", c.max_novelty},
              {"min_labels_per_class", c.min_labels_per_class},
              {"default_pool", c.default_pool},
              {"new_classes", c.new_classes},
              {"grid", c.grid},
              {"test_power", c.test_power},
              {"tolerate_errors", c.tolerate_errors},
              {"model_candidates", c.model_candidates},
              {"representations", c.representations},
              {"representation_refresh", c.representation_refresh},
              {"train_on_accepted", c.train_on_accepted},
              {"bound", c.bound},
              {"audit_region", c.audit_region},
              {"audit_second_opinion", c.audit_second_opinion},
              {"autolabel", {{"detect", c.autolabel.detect},
                             {"duplicates", c.autolabel.duplicates},
                             {"near_threshold", c.autolabel.near_threshold},
                             {"labeler", c.autolabel.labeler},
                             {"min_rule_confidence", c.autolabel.min_rule_confidence},
                             {"strip_boilerplate", c.autolabel.strip_boilerplate}}},
              {"routing", rules},
              {"gold_rate", c.gold.gold_rate},
              {"flag_below", c.gold.flag_below},
              {"pools", pools}}
      .dump();
}

}  // namespace hitloop::loop
