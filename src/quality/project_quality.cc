#include "quality/project_quality.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace hitloop::quality {

using nlohmann::json;

Result<AggregateMethod> ProjectAggregateMethod(const Project& project) {
  json cfg = json::parse(project.config_json, nullptr, false);
  if (!cfg.is_object()) return AggregateMethod::kAuto;
  auto q = cfg.find("quality");
  if (q == cfg.end() || !q->is_object()) return AggregateMethod::kAuto;
  auto a = q->find("aggregate");
  if (a == q->end() || a->is_null()) return AggregateMethod::kAuto;
  if (!a->is_string()) return InvalidArgument("quality.aggregate: expected mv, ds or auto");
  return ParseAggregateMethod(a->get<std::string>());
}

Result<std::string> SetAggregateMethod(const std::string& config_json, AggregateMethod method) {
  json cfg = json::parse(config_json.empty() ? "{}" : config_json, nullptr, false);
  if (!cfg.is_object()) return InvalidArgument("project config: not a JSON object");
  if (!cfg.contains("quality") || !cfg["quality"].is_object()) cfg["quality"] = json::object();
  cfg["quality"]["aggregate"] = AggregateMethodName(method);
  return cfg.dump();
}

Result<std::unordered_set<int64_t>> RejectedAnswerIds(Store& store, int64_t project_id) {
  ASSIGN_OR_RETURN(std::vector<Review> reviews, store.ListReviews(project_id, 0));
  std::unordered_map<int64_t, bool> newest_rejects;  // answer -> its newest verdict is reject
  for (const Review& r : reviews) newest_rejects[r.annotation_id] = r.verdict == "reject";  // id order
  std::unordered_set<int64_t> out;
  for (const auto& [id, rejected] : newest_rejects) {
    if (rejected) out.insert(id);
  }
  return out;
}

Result<ProjectAnswers> LoadProjectAnswers(Store& store, const Project& project) {
  if (project.type != TaskType::kSingleLabel) {
    return FailedPrecondition("quality: only single-label projects are covered so far");
  }
  ProjectAnswers out;
  ASSIGN_OR_RETURN(const std::unordered_set<int64_t> rejected, RejectedAnswerIds(store, project.id));
  std::unordered_set<int64_t> gold_items;
  std::unordered_map<int64_t, int> gold_current;  // a gold item's current label
  RETURN_IF_ERROR(store.ScanItems(
      project.id,
      [&](const Item& it) {
        if (it.split == Split::kGold) {
          gold_items.insert(it.id);
          if (it.labels.size() == 1 && project.LabelIndex(it.labels[0]) >= 0) {
            gold_current[it.id] = project.LabelIndex(it.labels[0]);
          }
        }
        return true;
      },
      /*with_vectors=*/false));
  // Newest answer per (item, annotator); newest import on a gold item; newest adjudication.
  // Answers are collected compactly (annotators interned) and deduplicated by one sort: a
  // project may hold millions of them.
  struct Entry {
    int64_t item_id, created_at, id, time_ms;
    int32_t annotator, category;
    bool audit;
  };
  std::vector<Entry> entries;
  std::unordered_map<std::string, int32_t> annotator_ids;
  std::vector<std::string> annotator_names;
  std::unordered_map<int64_t, std::pair<int64_t, int>> gold_import, adjudication;  // id, category
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    if (a.source != LabelSource::kHuman && a.source != LabelSource::kAudit) return true;
    if (a.labels.size() != 1) return true;
    const int c = project.LabelIndex(a.labels[0]);
    if (c < 0) return true;
    if (a.kind == "adjudicate") {
      if (!rejected.count(a.id)) adjudication[a.item_id] = {a.id, c};  // newest not rejected
      return true;
    }
    if (a.kind == "import" && gold_items.count(a.item_id) > 0) {
      gold_import[a.item_id] = {a.id, c};
      return true;
    }
    auto [it, fresh] = annotator_ids.emplace(a.annotator, static_cast<int32_t>(annotator_names.size()));
    if (fresh) annotator_names.push_back(a.annotator);
    entries.push_back({a.item_id, a.created_at, a.id, a.time_spent_ms, it->second, c,
                       a.source == LabelSource::kAudit});
    return true;
  }));
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    return std::tie(x.item_id, x.annotator, x.created_at, x.id) <
           std::tie(y.item_id, y.annotator, y.created_at, y.id);
  });
  // Keep each person's newest answer per item; a rejected one still replaces their older ones,
  // but votes for nothing (it goes to out.rejected).
  std::unordered_set<int64_t> answered;
  std::vector<uint8_t> counted(annotator_names.size(), 0);  // annotator has a counted answer
  size_t kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (i + 1 < entries.size() && entries[i + 1].item_id == e.item_id &&
        entries[i + 1].annotator == e.annotator) {
      continue;  // a newer answer by the same person follows
    }
    if (!gold_items.empty() && gold_items.count(e.item_id) > 0) answered.insert(e.item_id);
    if (!rejected.empty() && rejected.count(e.id) > 0) {
      out.rejected.push_back({e.item_id, annotator_names[e.annotator], project.labels[e.category], e.time_ms,
                              e.audit ? LabelSourceName(LabelSource::kAudit) : LabelSourceName(LabelSource::kHuman),
                              e.id});
      continue;
    }
    counted[e.annotator] = 1;
    entries[kept++] = e;
  }
  entries.resize(kept);
  std::sort(out.rejected.begin(), out.rejected.end(), [](const Rating& x, const Rating& y) {
    return std::tie(x.item_id, x.annotator) < std::tie(y.item_id, y.annotator);
  });
  // The table, laid out as BuildRatingTable lays it out (rows by item id, columns by annotator
  // name, a row's ratings by column) but built straight from the entries: no strings per answer.
  RatingTable& t = out.table;
  t.categories = project.labels;
  std::vector<int32_t> by_name;
  for (size_t i = 0; i < counted.size(); ++i) {
    if (!counted[i]) continue;
    if (annotator_names[i].empty()) return InvalidArgument("quality: an answer has an empty annotator");
    by_name.push_back(static_cast<int32_t>(i));
  }
  std::sort(by_name.begin(), by_name.end(),
            [&](int32_t a, int32_t b) { return annotator_names[a] < annotator_names[b]; });
  std::vector<int32_t> column(annotator_names.size(), -1);
  for (size_t c = 0; c < by_name.size(); ++c) {
    column[by_name[c]] = static_cast<int32_t>(c);
    t.annotators.push_back(annotator_names[by_name[c]]);
  }
  for (Entry& e : entries) e.annotator = column[e.annotator];
  t.row_start.reserve(entries.size() / 2 + 2);
  t.rater.reserve(entries.size());
  t.value.reserve(entries.size());
  t.time_ms.reserve(entries.size());
  t.audit.reserve(entries.size());
  t.answer_id.reserve(entries.size());
  for (size_t begin = 0; begin < entries.size();) {
    size_t end = begin + 1;
    while (end < entries.size() && entries[end].item_id == entries[begin].item_id) ++end;
    std::sort(entries.begin() + static_cast<std::ptrdiff_t>(begin), entries.begin() + static_cast<std::ptrdiff_t>(end),
              [](const Entry& x, const Entry& y) { return x.annotator < y.annotator; });
    t.items.push_back(entries[begin].item_id);
    t.row_start.push_back(static_cast<int32_t>(t.value.size()));
    for (size_t j = begin; j < end; ++j) {
      t.rater.push_back(entries[j].annotator);
      t.value.push_back(entries[j].category);
      t.time_ms.push_back(entries[j].time_ms);
      t.audit.push_back(entries[j].audit ? 1 : 0);
      t.answer_id.push_back(entries[j].id);
    }
    begin = end;
  }
  t.row_start.push_back(static_cast<int32_t>(t.value.size()));
  entries = {};
  for (int64_t id : gold_items) {
    if (auto g = gold_import.find(id); g != gold_import.end()) {
      out.gold[id] = g->second.second;
    } else if (auto c = gold_current.find(id); c != gold_current.end() && !answered.count(id)) {
      out.gold[id] = c->second;  // labelled some other way and nobody answered it since
    }
  }
  for (const auto& [id, a] : adjudication) out.adjudicated[id] = a.second;
  return out;
}

Result<ProjectResolution> ResolveProject(const ProjectAnswers& answers,
                                         std::optional<AggregateMethod> method,
                                         const Project& project) {
  AggregateMethod m = AggregateMethod::kAuto;
  if (method) {
    m = *method;
  } else {
    ASSIGN_OR_RETURN(m, ProjectAggregateMethod(project));
  }
  ProjectResolution out;
  const RatingTable& t = answers.table;
  if (t.num_items() > 0) {
    ASSIGN_OR_RETURN(out.resolution, Resolve(t, m, answers.gold));
    const char* name = AggregateMethodName(out.resolution.method);
    for (int row = 0; row < t.num_items(); ++row) {
      out.items[t.items[row]] = {out.resolution.labels[row], out.resolution.confidence[row], name};
    }
  } else {
    out.resolution.method = m == AggregateMethod::kDawidSkene ? m : AggregateMethod::kMajority;
    out.resolution.reason = "no answers";
  }
  for (const auto& [id, c] : answers.adjudicated) out.items[id] = {c, 1.0, "adjudicated"};
  // A gold item's resolved label is its known answer.
  for (const auto& [id, c] : answers.gold) {
    if (out.items.count(id)) out.items[id] = {c, 1.0, "gold"};
  }
  return out;
}

namespace {
constexpr int32_t kRejectedCategory = -2;  // AnswerCollector: a rejected answer (votes for nothing)
}  // namespace

void AnswerCollector::Add(int64_t item_id, const std::string& annotator, int category, bool rejected) {
  auto [it, fresh] = ids_.emplace(annotator, static_cast<int32_t>(names_.size()));
  if (fresh) names_.push_back(annotator);
  answers_.push_back({item_id, it->second, rejected ? kRejectedCategory : category});
}

Result<std::unordered_map<int64_t, int>> AnswerCollector::Resolve(
    const Project& project, const std::map<int64_t, int>& gold) const {
  std::unordered_map<int64_t, int> out;
  if (answers_.empty()) return out;
  const int k = static_cast<int>(project.labels.size());
  // Columns by annotator name, as BuildRatingTable lays them out.
  std::vector<int32_t> by_name(names_.size());
  for (size_t i = 0; i < by_name.size(); ++i) by_name[i] = static_cast<int32_t>(i);
  std::sort(by_name.begin(), by_name.end(), [&](int32_t a, int32_t b) { return names_[a] < names_[b]; });
  std::vector<int32_t> column(names_.size());
  for (size_t i = 0; i < by_name.size(); ++i) column[by_name[i]] = static_cast<int32_t>(i);
  // Sort by (item, column), newest last within a pair; keep the newest.
  std::vector<uint32_t> order(answers_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Answer& x = answers_[a];
    const Answer& y = answers_[b];
    if (x.item != y.item) return x.item < y.item;
    if (column[x.annotator] != column[y.annotator]) return column[x.annotator] < column[y.annotator];
    return a < b;
  });
  RatingTable t;
  t.categories = project.labels;
  for (int32_t i : by_name) t.annotators.push_back(names_[i]);
  t.row_start.push_back(0);
  for (size_t n = 0; n < order.size(); ++n) {
    const Answer& a = answers_[order[n]];
    if (a.category != kRejectedCategory && (a.category < 0 || a.category >= k)) {
      return InvalidArgument("quality: category out of range");
    }
    if (n + 1 < order.size()) {
      const Answer& next = answers_[order[n + 1]];
      if (next.item == a.item && next.annotator == a.annotator) continue;  // a newer one follows
    }
    if (a.category == kRejectedCategory) continue;  // the person's newest answer was rejected
    if (t.items.empty() || t.items.back() != a.item) {
      if (!t.items.empty()) t.row_start.push_back(static_cast<int32_t>(t.value.size()));
      t.items.push_back(a.item);
    }
    t.rater.push_back(column[a.annotator]);
    t.value.push_back(a.category);
    t.time_ms.push_back(0);
    t.audit.push_back(0);
    t.answer_id.push_back(0);
  }
  if (t.items.empty()) return out;  // every answer was rejected
  t.row_start.push_back(static_cast<int32_t>(t.value.size()));
  ASSIGN_OR_RETURN(AggregateMethod method, ProjectAggregateMethod(project));
  ASSIGN_OR_RETURN(Resolution r, quality::Resolve(t, method, gold));
  out.reserve(t.items.size());
  for (int row = 0; row < t.num_items(); ++row) out[t.items[row]] = r.labels[row];
  return out;
}

Result<QualityReport> BuildQualityReport(const Project& project, const ProjectAnswers& answers,
                                         const QualityOptions& options) {
  QualityReport q;
  q.project = project.name;
  q.labels = project.labels;
  const RatingTable& t = answers.table;
  q.items = t.num_items();
  q.answers = t.num_ratings();
  q.annotators = t.num_annotators();
  q.rejected_answers = static_cast<int64_t>(answers.rejected.size());
  if (options.method) {
    q.requested = *options.method;
  } else {
    ASSIGN_OR_RETURN(q.requested, ProjectAggregateMethod(project));
  }
  if (t.num_items() == 0) {
    q.resolution.reason = "no answers yet";
    return q;
  }
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  ASSIGN_OR_RETURN(q.resolution, Resolve(t, q.requested, answers.gold));
  const auto t1 = Clock::now();
  ASSIGN_OR_RETURN(AgreementSummary agreement, SummarizeAgreement(t, options.agreement));
  q.agreement = std::move(agreement);
  q.resolve_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  q.agreement_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();

  const int k = t.num_categories();
  std::vector<AnnotatorQuality> per(t.num_annotators());
  std::vector<std::vector<int64_t>> times(t.num_annotators());
  std::vector<Rating> gold_ratings;
  for (int a = 0; a < t.num_annotators(); ++a) {
    per[a].annotator = t.annotators[a];
    per[a].confusion.assign(k, std::vector<int64_t>(k, 0));
  }
  for (int row = 0; row < t.num_items(); ++row) {
    // An adjudicated item's resolved label is the adjudication.
    int resolved = q.resolution.labels[row];
    if (auto adj = answers.adjudicated.find(t.items[row]); adj != answers.adjudicated.end()) {
      resolved = adj->second;
    }
    auto known = answers.gold.find(t.items[row]);
    const bool gold = known != answers.gold.end();
    if (gold) resolved = known->second;  // a gold item's resolved label is its known answer
    for (int32_t j = t.row_start[row]; j < t.row_start[row + 1]; ++j) {
      AnnotatorQuality& a = per[t.rater[j]];
      ++a.answers;
      a.agree_with_resolved += t.value[j] == resolved;
      ++a.confusion[resolved][t.value[j]];
      if (t.time_ms[j] > 0) times[t.rater[j]].push_back(t.time_ms[j]);
      if (gold) gold_ratings.push_back({t.items[row], t.annotators[t.rater[j]], t.categories[t.value[j]]});
    }
  }
  std::map<int64_t, std::string> gold_labels;
  for (const auto& [id, c] : answers.gold) gold_labels[id] = t.categories[c];
  ASSIGN_OR_RETURN(std::vector<AnnotatorAccuracy> acc, AccuracyOnGold(gold_ratings, gold_labels));
  for (AnnotatorAccuracy& a : acc) {
    int col = t.AnnotatorIndex(a.annotator);
    if (col >= 0) per[col].gold = std::move(a);
  }
  for (int a = 0; a < t.num_annotators(); ++a) {
    std::vector<int64_t>& d = times[a];
    if (d.empty()) continue;
    std::sort(d.begin(), d.end());
    size_t mid = d.size() / 2;
    per[a].median_time_ms = d.size() % 2 == 1 ? static_cast<double>(d[mid])
                                               : (static_cast<double>(d[mid - 1]) + d[mid]) / 2.0;
  }
  // Rejected answers: counted apart, per person (one who has nothing else gets a row of their own).
  for (const Rating& r : answers.rejected) {
    auto it = std::find_if(per.begin(), per.end(), [&](const AnnotatorQuality& a) { return a.annotator == r.annotator; });
    if (it == per.end()) {
      AnnotatorQuality a;
      a.annotator = r.annotator;
      a.confusion.assign(k, std::vector<int64_t>(k, 0));
      per.push_back(std::move(a));
      it = per.end() - 1;
    }
    ++it->rejected;
  }
  std::sort(per.begin(), per.end(), [](const AnnotatorQuality& a, const AnnotatorQuality& b) { return a.annotator < b.annotator; });
  q.per_annotator = std::move(per);
  return q;
}

Result<QualityReport> ProjectQuality(Store& store, const Project& project,
                                     const QualityOptions& options) {
  ASSIGN_OR_RETURN(ProjectAnswers answers, LoadProjectAnswers(store, project));
  return BuildQualityReport(project, answers, options);
}

namespace {

json EstimateJson(const Estimate& e) {
  if (!e.defined) return {{"value", nullptr}, {"reason", e.reason}};
  return {{"value", e.stats.value},
          {"lower", e.lower},
          {"upper", e.upper},
          {"observed", e.stats.observed_agreement},
          {"chance", e.stats.chance_agreement},
          {"items", e.stats.items_used},
          {"replicates", e.replicates}};
}

std::string Fixed(double v, int prec = 3) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.*f", prec, v);
  return b;
}

std::string EstimateText(const Estimate& e) {
  if (!e.defined) return "n/a (" + e.reason + ")";
  return Fixed(e.stats.value) + "  [" + Fixed(e.lower) + ", " + Fixed(e.upper) + "]";
}

}  // namespace

namespace {

// A JSON number as nlohmann's dump writes it (so the text is the same as before).
void AppendNumber(std::string* out, double d) {
  char buf[64];
  if (!std::isfinite(d)) {
    out->append("null");
    return;
  }
  char* end = nlohmann::detail::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, end);
}

void AppendString(std::string* out, const std::string& s) { out->append(json(s).dump()); }

// EstimateJson's object, written directly with its keys in nlohmann's (sorted) order, plus the
// pair's a, b and shared: a project with 500 annotators has 124,750 pairs, and building them as
// json values was a fifth of `hitloop quality`'s CPU.
void AppendPairJson(std::string* out, const PairAgreement& p) {
  const Estimate& e = p.kappa;
  out->append("{\"a\":");
  AppendString(out, p.a);
  out->append(",\"b\":");
  AppendString(out, p.b);
  if (!e.defined) {
    out->append(",\"reason\":");
    AppendString(out, e.reason);
    out->append(",\"shared\":");
    out->append(std::to_string(p.shared));
    out->append(",\"value\":null}");
    return;
  }
  out->append(",\"chance\":");
  AppendNumber(out, e.stats.chance_agreement);
  out->append(",\"items\":");
  out->append(std::to_string(e.stats.items_used));
  out->append(",\"lower\":");
  AppendNumber(out, e.lower);
  out->append(",\"observed\":");
  AppendNumber(out, e.stats.observed_agreement);
  out->append(",\"replicates\":");
  out->append(std::to_string(e.replicates));
  out->append(",\"shared\":");
  out->append(std::to_string(p.shared));
  out->append(",\"upper\":");
  AppendNumber(out, e.upper);
  out->append(",\"value\":");
  AppendNumber(out, e.stats.value);
  out->push_back('}');
}

// Stands for the pairs' array in the json value until the text is spliced in.
constexpr char kPairsPlaceholder[] = "\x01cohen_kappa_pairs\x01";

}  // namespace

std::string QualityToJson(const QualityReport& q,
                          const std::vector<std::pair<std::string, std::string>>& extra) {
  json out = {{"project", q.project},
              {"labels", q.labels},
              {"items", q.items},
              {"answers", q.answers},
              {"annotators", q.annotators},
              {"rejected_answers", q.rejected_answers}};
  for (const auto& [key, text] : extra) out[key] = json::parse(text, nullptr, false);
  const Resolution& r = q.resolution;
  out["aggregation"] = {{"requested", AggregateMethodName(q.requested)},
                        {"method", AggregateMethodName(r.method)},
                        {"reason", r.reason},
                        {"gold_items", r.gold_items},
                        {"majority_correct_on_gold", r.majority_correct},
                        {"dawid_skene_correct_on_gold", r.dawid_skene_correct}};
  if (q.agreement) {
    const AgreementSummary& a = *q.agreement;
    json alpha = json::object();
    for (Level level : kAllLevels) alpha[LevelName(level)] = EstimateJson(a.alpha[static_cast<int>(level)]);
    out["agreement"] = {{"percent", EstimateJson(a.percent)},
                        {"fleiss_kappa", EstimateJson(a.fleiss)},
                        {"krippendorff_alpha", alpha},
                        {"cohen_kappa_pairs", kPairsPlaceholder},
                        {"pairs_below_min_shared", a.pairs_below_min}};
  } else {
    out["agreement"] = nullptr;
  }
  json per = json::array();
  for (const AnnotatorQuality& a : q.per_annotator) {
    json j = {{"annotator", a.annotator},
              {"answers", a.answers},
              {"rejected", a.rejected},
              {"agree_with_resolved", a.agree_with_resolved},
              {"agreement_with_resolved",
               a.answers ? json(static_cast<double>(a.agree_with_resolved) / a.answers) : json(nullptr)},
              {"confusion", a.confusion},
              {"median_time_ms", a.median_time_ms ? json(*a.median_time_ms) : json(nullptr)}};
    if (a.gold) {
      j["gold"] = {{"answered", a.gold->answered},
                   {"correct", a.gold->correct},
                   {"accuracy", a.gold->accuracy},
                   {"lower", a.gold->interval.lower},
                   {"upper", a.gold->interval.upper}};
    } else {
      j["gold"] = nullptr;
    }
    per.push_back(std::move(j));
  }
  out["per_annotator"] = std::move(per);
  std::string text = out.dump();
  if (!q.agreement) return text;
  std::string pairs = "[";
  pairs.reserve(q.agreement->pairs.size() * 300 + 2);
  for (size_t i = 0; i < q.agreement->pairs.size(); ++i) {
    if (i) pairs.push_back(',');
    AppendPairJson(&pairs, q.agreement->pairs[i]);
  }
  pairs.push_back(']');
  const std::string placeholder = json(kPairsPlaceholder).dump();  // as dump escaped it
  const size_t at = text.find(placeholder);
  if (at != std::string::npos) text.replace(at, placeholder.size(), pairs);
  return text;
}

std::string QualityToText(const QualityReport& q) {
  std::ostringstream o;
  o << "project " << q.project << ": " << q.items << " items with answers, " << q.answers
    << " answers from " << q.annotators << " annotators";
  if (q.rejected_answers > 0) o << " (" << q.rejected_answers << " more rejected by reviewers: not counted)";
  o << "\n";
  const Resolution& r = q.resolution;
  o << "resolved labels: " << AggregateMethodName(r.method) << " (asked: "
    << AggregateMethodName(q.requested) << ") - " << r.reason << "\n";
  if (!q.agreement) return o.str();
  const AgreementSummary& a = *q.agreement;
  o << "\nagreement (95% bootstrap intervals)\n";
  o << "  percent agreement               " << EstimateText(a.percent) << "\n";
  o << "  Fleiss' kappa                   " << EstimateText(a.fleiss) << "\n";
  for (Level level : kAllLevels) {
    std::string name = std::string("Krippendorff's alpha, ") + LevelName(level);
    name.resize(32, ' ');
    o << "  " << name << EstimateText(a.alpha[static_cast<int>(level)]) << "\n";
  }
  o << "  Cohen's kappa: " << a.pairs.size() << " pairs with enough shared items ("
    << a.pairs_below_min << " pairs share too few)\n";
  size_t shown = 0;
  for (const PairAgreement& p : a.pairs) {
    if (++shown > 20) {
      o << "    ... (" << a.pairs.size() - 20 << " more in --json)\n";
      break;
    }
    o << "    " << p.a << " / " << p.b << " (" << p.shared << " items): " << EstimateText(p.kappa) << "\n";
  }
  o << "\nper annotator: answers, agreement with the resolved label, gold accuracy [95% Wilson], median time\n";
  for (const AnnotatorQuality& x : q.per_annotator) {
    o << "  " << x.annotator << "  " << x.answers << "  "
      << (x.answers ? Fixed(static_cast<double>(x.agree_with_resolved) / x.answers) : "-") << "  ";
    if (x.gold) {
      o << "gold " << x.gold->correct << "/" << x.gold->answered << " = " << Fixed(x.gold->accuracy)
        << " [" << Fixed(x.gold->interval.lower) << ", " << Fixed(x.gold->interval.upper) << "]";
    } else {
      o << "gold -";
    }
    o << "  " << (x.median_time_ms ? Fixed(*x.median_time_ms / 1000.0, 1) + " s" : "-");
    if (x.rejected > 0) o << "  (" << x.rejected << " rejected)";
    o << "\n";
  }
  return o.str();
}

}  // namespace hitloop::quality
