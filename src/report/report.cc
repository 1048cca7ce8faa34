#include "report/report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "loop/certify.h"
#include "loop/cycle_record.h"

namespace hitloop::report {
namespace {

using nlohmann::json;

json TallyJson(const Tally& t) {
  return {{"answers", t.answers}, {"corrections", t.corrections}, {"rate", t.rate()}};
}

json TallyMap(const std::map<std::string, Tally>& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = TallyJson(v);
  return o;
}

std::string Num(double v, int prec = 4) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.*f", prec, v);
  return b;
}

// A small line chart: one or more series over cycle numbers. Values < 0 are gaps. The y axis
// starts at zero (a 0.91 -> 0.93 change is not drawn as a cliff), every point is a marker with
// its value as a tooltip (a series with one point, e.g. "accuracy before" after two cycles, is a
// dot rather than an invisible zero-length line), and a gap ends a line instead of bridging it.
std::string LineChart(const std::string& title, const std::vector<int64_t>& x,
                      const std::vector<std::pair<std::string, std::vector<double>>>& series) {
  const double w = 640, h = 260, l = 60, r = 150, t = 30, b = 40;
  double ymax = -1e300;
  bool any = false;
  for (const auto& [name, ys] : series) {
    for (double y : ys) {
      if (y < 0) continue;
      ymax = std::max(ymax, y);
      any = true;
    }
  }
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
    << "' font-family='sans-serif' font-size='11'><text x='" << l << "' y='18' font-size='13'>"
    << HtmlEscape(title) << "</text>";
  if (x.empty() || !any) {
    o << "<text x='" << l << "' y='" << h / 2 << "'>no data yet</text></svg>";
    return o.str();
  }
  const double ymin = 0;
  ymax = ymax <= 1.0 ? 1.0 : ymax * 1.05;
  const double xmin = static_cast<double>(x.front()), xmax = std::max(xmin + 1, static_cast<double>(x.back()));
  auto X = [&](double v) { return l + (v - xmin) / (xmax - xmin) * (w - l - r); };
  auto Y = [&](double v) { return t + (ymax - v) / (ymax - ymin) * (h - t - b); };
  for (int i = 0; i <= 4; ++i) {
    const double yv = ymin + (ymax - ymin) * i / 4;
    o << "<line x1='" << l << "' y1='" << Y(yv) << "' x2='" << w - r << "' y2='" << Y(yv)
      << "' stroke='#e5e5e5'/><text x='" << l - 4 << "' y='" << Y(yv) + 4 << "' text-anchor='end'>"
      << (ymax > 10 ? Num(yv, 0) : Num(yv, 2)) << "</text>";
  }
  o << "<line x1='" << l << "' y1='" << h - b << "' x2='" << w - r << "' y2='" << h - b
    << "' stroke='black'/><line x1='" << l << "' y1='" << t << "' x2='" << l << "' y2='" << h - b
    << "' stroke='black'/>";
  for (int64_t xv : x) {
    o << "<text x='" << X(static_cast<double>(xv)) << "' y='" << h - b + 14 << "' text-anchor='middle'>" << xv
      << "</text>";
  }
  o << "<text x='" << (l + w - r) / 2 << "' y='" << h - 6 << "' text-anchor='middle'>cycle</text>";
  static const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  for (size_t s = 0; s < series.size(); ++s) {
    const auto& [name, ys] = series[s];
    const char* color = kColors[s % 4];
    std::vector<std::vector<size_t>> runs(1);
    for (size_t i = 0; i < ys.size() && i < x.size(); ++i) {
      if (ys[i] < 0) {
        if (!runs.back().empty()) runs.emplace_back();
        continue;
      }
      runs.back().push_back(i);
    }
    for (const auto& run : runs) {
      if (run.size() < 2) continue;
      o << "<polyline fill='none' stroke='" << color << "' stroke-width='2' points='";
      for (size_t i : run) o << X(static_cast<double>(x[i])) << "," << Y(ys[i]) << " ";
      o << "'/>";
    }
    for (size_t i = 0; i < ys.size() && i < x.size(); ++i) {
      if (ys[i] < 0) continue;
      o << "<circle cx='" << X(static_cast<double>(x[i])) << "' cy='" << Y(ys[i]) << "' r='4' fill='" << color
        << "'><title>" << HtmlEscape(name) << ", cycle " << x[i] << ": " << Num(ys[i], 4) << "</title></circle>";
    }
    o << "<text x='" << w - r + 8 << "' y='" << t + 14 + 16 * s << "' fill='" << color << "'>" << HtmlEscape(name)
      << "</text>";
  }
  o << "</svg>";
  return o.str();
}

std::string TallyTable(const std::string& title, const std::string& key,
                       const std::map<std::string, Tally>& m) {
  std::ostringstream o;
  o << "<h3>" << HtmlEscape(title) << "</h3><table><tr><th>" << HtmlEscape(key)
    << "</th><th>answers</th><th>corrections</th><th>rate</th></tr>";
  for (const auto& [k, v] : m) {
    o << "<tr><td>" << HtmlEscape(k) << "</td><td>" << v.answers << "</td><td>" << v.corrections
      << "</td><td>" << Num(v.rate(), 3) << "</td></tr>";
  }
  o << "</table>";
  return o.str();
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

Result<Report> BuildReport(Store& store, const Project& project, const ReportOptions& options) {
  Report rep;
  rep.project = project.name;
  rep.labels = project.labels;
  std::unordered_map<int64_t, uint8_t> pool_items;
  RETURN_IF_ERROR(store.ScanItems(
      project.id,
      [&](const Item& it) {
        if (it.split == Split::kPool) pool_items[it.id] = 1;
        return true;
      },
      false));
  std::unordered_map<int64_t, std::string> predicted;
  RETURN_IF_ERROR(store.ScanLatestPredictions(project.id, 0, [&](const Prediction& p) {
    predicted[p.item_id] = p.label;
    return true;
  }));
  std::unordered_map<int64_t, std::string> auto_label;  // the newest model label seen so far
  std::map<std::pair<std::string, std::string>, int64_t> pair_count;
  std::map<std::string, int64_t> model_said;
  std::unordered_map<int64_t, std::string> pool_of;
  Status inner;
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    if (!pool_items.count(a.item_id) || a.labels.empty()) return true;
    if (a.source == LabelSource::kModel || a.source == LabelSource::kRule) {
      auto_label[a.item_id] = a.labels[0];
      return true;
    }
    if (a.kind == "import") return true;
    std::string view, said;
    if (auto it = auto_label.find(a.item_id); it != auto_label.end()) {
      view = "auto-accepted";
      said = it->second;
    } else if (auto p = predicted.find(a.item_id); p != predicted.end()) {
      view = "predicted";
      said = p->second;
    } else {
      return true;
    }
    const std::string& people = a.labels[0];
    const bool corrected = said != people;
    std::string pool = "unknown";
    if (a.kind == "review" || a.kind == "audit" || a.kind == "adjudicate") {
      auto e = store.LatestQueueEntry(a.item_id, a.kind);
      if (!e.ok()) {
        inner = e.status();
        return false;
      }
      if (*e) pool = (*e)->pool;
    }
    for (Tally* t : {&rep.overall, &rep.by_class[said], &rep.by_source[a.kind], &rep.by_pool[pool],
                     &rep.by_annotator[a.annotator], &rep.by_model_view[view]}) {
      ++t->answers;
      t->corrections += corrected;
    }
    ++model_said[said];
    if (corrected) ++pair_count[{said, people}];
    return true;
  }));
  RETURN_IF_ERROR(inner);
  for (const auto& [pair, count] : pair_count) {
    ConfusedPair c;
    c.model_label = pair.first;
    c.people_label = pair.second;
    c.count = count;
    c.model_said = model_said[pair.first];
    c.rate = c.model_said ? static_cast<double>(count) / c.model_said : 0;
    // Lower bound on the rate = 1 - the upper bound on the complementary rate.
    c.rate_lower = 1.0 - loop::ClopperPearsonUpper(c.model_said - count, c.model_said, 0.05);
    c.systematic = count >= options.min_count && c.rate_lower > options.min_rate;
    rep.pairs.push_back(c);
  }
  std::sort(rep.pairs.begin(), rep.pairs.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.rate > b.rate;
  });
  ASSIGN_OR_RETURN(auto cycles, store.ListCycles(project.id));
  for (const auto& row : cycles) {
    auto rec = loop::CycleRecordFromJson(row.record_json);
    if (!rec.ok()) continue;
    const loop::CycleRecord& j = *rec;
    CycleSummary c;
    c.cycle = row.cycle;
    c.created_at = row.created_at;
    c.model_version = j.model_version;
    c.training_size = j.training_size;
    if (j.before) c.accuracy_before = j.before->accuracy;
    if (j.after) {
      c.accuracy_after = j.after->accuracy;
      c.macro_f1_after = j.after->macro_f1;
      c.ece_after = j.after->ece;
    }
    c.auto_accepted = j.auto_accepted;
    c.queued_review = j.queued_review;
    c.audits_queued = j.audits_queued;
    c.requeued = j.requeued;
    c.precision_lower_bound = j.audit_precision.lower_bound;
    if (j.global_certified) c.global_threshold = j.global_threshold;
    c.audits_total = j.audits_total;
    c.min_audits_needed = j.min_audits_needed;
    rep.cycles.push_back(c);
    // The newest cycle's strata and rules replace the earlier ones.
    rep.strata.clear();
    for (const auto& st : j.audit_strata) rep.strata.push_back({st.label, st.band, st.audits, st.errors});
    rep.rules.clear();
    for (const auto& x : j.rules) {
      RuleSummary rs;
      rs.name = x.name;
      rs.candidates = x.candidates;
      rs.audits = x.audits;
      rs.errors = x.errors;
      rs.accepted = x.accepted;
      rs.error_upper = x.error_upper;
      rs.state = loop::RuleStateName(x);
      rep.rules.push_back(rs);
    }
  }
  RETURN_IF_ERROR(store.ScanDetections(project.id, [&](const Detection& d) {
    ++rep.detections[d.detector][d.value];
    return true;
  }));
  if (project.type == TaskType::kSingleLabel) {
    ASSIGN_OR_RETURN(rep.quality, quality::ProjectQuality(store, project));
  }
  if (IsPreferenceType(project.type)) {
    ASSIGN_OR_RETURN(rep.preferences, preference::BuildPreferenceReport(store, project));
  }
  return rep;
}

std::string ReportToJson(const Report& r) {
  json pairs = json::array(), systematic = json::array(), cycles = json::array();
  for (const auto& p : r.pairs) {
    json j = {{"model_said", p.model_label}, {"people_said", p.people_label}, {"count", p.count},
              {"model_said_total", p.model_said}, {"rate", p.rate}, {"rate_lower_95", p.rate_lower},
              {"systematic", p.systematic}};
    pairs.push_back(j);
    if (p.systematic) systematic.push_back(j);
  }
  auto opt = [](double v) { return v < 0 ? json(nullptr) : json(v); };
  for (const auto& c : r.cycles) {
    cycles.push_back({{"cycle", c.cycle}, {"created_at", c.created_at}, {"model_version", c.model_version},
                      {"training_size", c.training_size}, {"accuracy_before", opt(c.accuracy_before)},
                      {"accuracy_after", opt(c.accuracy_after)}, {"macro_f1_after", opt(c.macro_f1_after)},
                      {"ece_after", opt(c.ece_after)}, {"auto_accepted", c.auto_accepted},
                      {"queued_review", c.queued_review}, {"audits_queued", c.audits_queued},
                      {"requeued", c.requeued}, {"precision_lower_bound", c.precision_lower_bound},
                      {"global_threshold", opt(c.global_threshold)}, {"audits_total", c.audits_total},
                      {"min_audits_needed", c.min_audits_needed}});
  }
  json strata = json::array(), rules = json::array();
  for (const auto& st : r.strata) {
    strata.push_back({{"label", st.label}, {"band", st.band}, {"audits", st.audits}, {"errors", st.errors},
                      {"precision", st.audits ? 1.0 - static_cast<double>(st.errors) / st.audits : 0.0}});
  }
  for (const auto& x : r.rules) {
    rules.push_back({{"name", x.name}, {"state", x.state}, {"candidates", x.candidates},
                     {"audits", x.audits}, {"errors", x.errors}, {"error_upper", x.error_upper},
                     {"accepted", x.accepted}});
  }
  return json{{"project", r.project},
              {"labels", r.labels},
              {"overall", TallyJson(r.overall)},
              {"by_class", TallyMap(r.by_class)},
              {"by_source", TallyMap(r.by_source)},
              {"by_pool", TallyMap(r.by_pool)},
              {"by_annotator", TallyMap(r.by_annotator)},
              {"by_model_view", TallyMap(r.by_model_view)},
              {"confused_pairs", pairs},
              {"systematic_corrections", systematic},
              {"cycles", cycles},
              {"audit_strata", strata},
              {"rules", rules},
              {"detections", r.detections},
              {"quality", r.quality ? json::parse(quality::QualityToJson(*r.quality)) : json(nullptr)},
              {"preferences", r.preferences ? json::parse(preference::PreferenceReportToJson(*r.preferences))
                                            : json(nullptr)}}
      .dump(2);
}

namespace {

// Systematic corrections, confused pairs and correction rates.
void CorrectionsHtml(const Report& r, std::ostringstream& o) {
  o << "<h2>Systematic corrections</h2>";
  bool any = false;
  o << "<ul>";
  for (const auto& p : r.pairs) {
    if (!p.systematic) continue;
    any = true;
    o << "<li>The model says <b>" << HtmlEscape(p.model_label) << "</b> where people say <b>"
      << HtmlEscape(p.people_label) << "</b> in " << p.count << " of " << p.model_said
      << " answers (rate " << Num(p.rate, 3) << ", 95% lower bound " << Num(p.rate_lower, 3)
      << "): add training examples of " << HtmlEscape(p.people_label) << " that resemble "
      << HtmlEscape(p.model_label) << ".</li>";
  }
  o << "</ul>";
  if (!any) o << "<p>None (a pair needs enough corrections and a significant rate).</p>";
  o << "<h2>Top confused pairs</h2><table><tr><th>model said</th><th>people said</th><th>count</th>"
       "<th>rate</th><th>95% lower</th></tr>";
  for (size_t i = 0; i < r.pairs.size() && i < 20; ++i) {
    const auto& p = r.pairs[i];
    o << "<tr" << (p.systematic ? " class='sys'" : "") << "><td>" << HtmlEscape(p.model_label)
      << "</td><td>" << HtmlEscape(p.people_label) << "</td><td>" << p.count << "</td><td>"
      << Num(p.rate, 3) << "</td><td>" << Num(p.rate_lower, 3) << "</td></tr>";
  }
  o << "</table>";
  o << "<h2>Correction rates</h2>";
  o << TallyTable("By the model's class", "model said", r.by_class);
  o << TallyTable("By source of the people's label", "source", r.by_source);
  o << TallyTable("By pool", "pool", r.by_pool);
  o << TallyTable("By annotator", "annotator", r.by_annotator);
  o << TallyTable("By the model's view", "view", r.by_model_view);
}

// Charts and the table of every cycle.
void CycleHistoryHtml(const Report& r, std::ostringstream& o) {
  o << "<h2>Cycle history</h2>";
  std::vector<int64_t> x;
  std::vector<double> acc_b, acc_a, f1, lb, acc_n, rev, thr;
  for (const auto& c : r.cycles) {
    x.push_back(c.cycle);
    acc_b.push_back(c.accuracy_before);
    acc_a.push_back(c.accuracy_after);
    f1.push_back(c.macro_f1_after);
    lb.push_back(c.precision_lower_bound > 0 ? c.precision_lower_bound : -1);
    thr.push_back(c.global_threshold);
    acc_n.push_back(static_cast<double>(c.auto_accepted));
    rev.push_back(static_cast<double>(c.queued_review));
  }
  o << LineChart("Gold-set quality", x, {{"accuracy before", acc_b}, {"accuracy after", acc_a}, {"macro-F1 after", f1}});
  o << LineChart("Auto-accept", x, {{"precision lower bound", lb}, {"global threshold", thr}});
  o << LineChart("Work routed", x, {{"auto-accepted", acc_n}, {"review queued", rev}});
  o << "<table><tr><th>cycle</th><th>model</th><th>training</th><th>acc before</th><th>acc after</th>"
       "<th>ECE</th><th>auto-accepted</th><th>requeued</th><th>review</th><th>audits</th>"
       "<th>precision lower bound</th></tr>";
  auto cell = [](double v) { return v < 0 ? std::string("n/a") : Num(v, 4); };
  for (const auto& c : r.cycles) {
    o << "<tr><td>" << c.cycle << "</td><td>" << HtmlEscape(c.model_version) << "</td><td>"
      << c.training_size << "</td><td>" << cell(c.accuracy_before) << "</td><td>"
      << cell(c.accuracy_after) << "</td><td>" << cell(c.ece_after) << "</td><td>" << c.auto_accepted
      << "</td><td>" << c.requeued << "</td><td>" << c.queued_review << "</td><td>" << c.audits_queued
      << "</td><td>" << Num(c.precision_lower_bound, 4) << "</td></tr>";
  }
  o << "</table>";
}

// The newest cycle's audit strata and rule labelers, and detector counts.
void AuditsRulesDetectorsHtml(const Report& r, std::ostringstream& o) {
  o << "<h2>Audits by class and confidence band (newest cycle)</h2>";
  if (r.strata.empty()) {
    o << "<p>No audits in the accepted region yet.</p>";
  } else {
    o << "<p>Every audited item, seen through the newest model. A monitoring view: the guarantee "
         "itself comes only from the uniform audit sample.</p><table><tr><th>model says</th>"
         "<th>confidence</th><th>audits</th><th>errors</th><th>precision</th></tr>";
    for (const auto& st : r.strata) {
      o << "<tr><td>" << HtmlEscape(st.label) << "</td><td>" << HtmlEscape(st.band) << "</td><td>"
        << st.audits << "</td><td>" << st.errors << "</td><td>"
        << Num(st.audits ? 1.0 - static_cast<double>(st.errors) / st.audits : 0.0, 3) << "</td></tr>";
    }
    o << "</table>";
  }
  o << "<h2>Rule labelers (newest cycle)</h2>";
  if (r.rules.empty()) {
    o << "<p>No rule labelers ran.</p>";
  } else {
    o << "<table><tr><th>rule</th><th>state</th><th>labels</th><th>audits</th><th>errors</th>"
         "<th>error upper bound</th><th>auto-accepted</th></tr>";
    for (const auto& x : r.rules) {
      o << "<tr><td>" << HtmlEscape(x.name) << "</td><td>" << HtmlEscape(x.state) << "</td><td>"
        << x.candidates << "</td><td>" << x.audits << "</td><td>" << x.errors << "</td><td>"
        << Num(x.error_upper, 4) << "</td><td>" << x.accepted << "</td></tr>";
    }
    o << "</table>";
  }
  o << "<h2>Detectors</h2>";
  if (r.detections.empty()) o << "<p>No detector has run.</p>";
  for (const auto& [detector, values] : r.detections) {
    std::vector<std::pair<int64_t, std::string>> top;
    for (const auto& [v, n] : values) top.push_back({-n, v});
    std::sort(top.begin(), top.end());
    o << "<table><tr><th>" << HtmlEscape(detector) << "</th><th>items</th></tr>";
    for (size_t i = 0; i < top.size() && i < 15; ++i) {
      o << "<tr><td>" << HtmlEscape(top[i].second) << "</td><td>" << -top[i].first << "</td></tr>";
    }
    if (top.size() > 15) o << "<tr><td>(" << top.size() - 15 << " more)</td><td></td></tr>";
    o << "</table>";
  }
}

// Agreement between annotators and per-annotator quality (when answers exist).
void QualityHtml(const Report& r, std::ostringstream& o) {
  if (!r.quality) return;
  const quality::QualityReport& q = *r.quality;
  o << "<h2>Agreement between annotators</h2><p>" << q.items << " items with answers, " << q.answers
    << " answers from " << q.annotators << " annotators. Labels resolved by "
    << quality::AggregateMethodName(q.resolution.method) << ": " << HtmlEscape(q.resolution.reason) << ".</p>";
  if (q.agreement) {
    auto row = [&](const std::string& name, const quality::Estimate& e) {
      o << "<tr><td>" << HtmlEscape(name) << "</td>";
      if (e.defined) {
        o << "<td>" << Num(e.stats.value, 3) << "</td><td>" << Num(e.lower, 3) << " – " << Num(e.upper, 3) << "</td>";
      } else {
        o << "<td colspan='2'>n/a (" << HtmlEscape(e.reason) << ")</td>";
      }
      o << "</tr>";
    };
    o << "<table><tr><th>statistic</th><th>value</th><th>95% bootstrap interval</th></tr>";
    row("percent agreement", q.agreement->percent);
    row("Fleiss' kappa", q.agreement->fleiss);
    for (quality::Level level : quality::kAllLevels) {
      row(std::string("Krippendorff's alpha (") + quality::LevelName(level) + ")",
          q.agreement->alpha[static_cast<int>(level)]);
    }
    o << "</table>";
    o << "<p>Cohen's kappa for " << q.agreement->pairs.size() << " pairs of annotators with enough shared items.</p>";
    if (!q.agreement->pairs.empty()) {
      o << "<table><tr><th>annotators</th><th>shared items</th><th>kappa</th><th>95% interval</th></tr>";
      size_t shown = 0;
      for (const auto& p : q.agreement->pairs) {
        if (++shown > 50) break;
        o << "<tr><td>" << HtmlEscape(p.a) << " / " << HtmlEscape(p.b) << "</td><td>" << p.shared << "</td>";
        if (p.kappa.defined) {
          o << "<td>" << Num(p.kappa.stats.value, 3) << "</td><td>" << Num(p.kappa.lower, 3) << " – "
            << Num(p.kappa.upper, 3) << "</td></tr>";
        } else {
          o << "<td colspan='2'>n/a</td></tr>";
        }
      }
      o << "</table>";
    }
  }
  if (!q.per_annotator.empty()) {
    o << "<h2>Annotators</h2><table><tr><th>annotator</th><th>answers</th><th>agreement with resolved label</th>"
         "<th>gold accuracy (95% Wilson)</th><th>median time (s)</th></tr>";
    for (const auto& a : q.per_annotator) {
      o << "<tr><td>" << HtmlEscape(a.annotator) << "</td><td>" << a.answers << "</td><td>"
        << (a.answers ? Num(static_cast<double>(a.agree_with_resolved) / a.answers, 3) : "—") << "</td><td>";
      if (a.gold) {
        o << a.gold->correct << "/" << a.gold->answered << " = " << Num(a.gold->accuracy, 3) << " ["
          << Num(a.gold->interval.lower, 3) << ", " << Num(a.gold->interval.upper, 3) << "]";
      } else {
        o << "—";
      }
      o << "</td><td>" << (a.median_time_ms ? Num(*a.median_time_ms / 1000.0, 1) : "—") << "</td></tr>";
    }
    o << "</table>";
  }
}

// Pairwise and ranking projects: one section per criterion (preference/report.h).
void PreferencesHtml(const Report& r, std::ostringstream& o) {
  if (!r.preferences) return;
  for (const auto& c : r.preferences->criteria) {
    o << "<h2>Comparisons: " << (c.criterion.empty() ? std::string("overall judgement") : HtmlEscape(c.criterion))
      << "</h2><p>" << c.answers << " answers (" << c.ties << " ties, " << c.both_bad << " both bad) from "
      << c.annotators << " people.</p><table><tr><th>measure</th><th>value</th><th>detail</th></tr>";
    o << "<tr><td>pair agreement</td>";
    if (c.agreement.pairs > 0) {
      o << "<td>" << Num(c.agreement.rate, 3) << "</td><td>" << c.agreement.pairs << " pairs judged by two people</td>";
    } else {
      o << "<td colspan='2'>n/a (no pair judged by two people)</td>";
    }
    const auto& b = c.position_bias;
    o << "</tr><tr><td>position bias: P(left wins)</td>";
    if (b.decided > 0) {
      o << "<td>" << Num(b.p_left, 3) << "</td><td>95% interval " << Num(b.interval.lower, 3) << " – "
        << Num(b.interval.upper, 3) << " on " << b.decided << " decided answers"
        << (b.interval.lower > 0.5 || b.interval.upper < 0.5 ? " (biased)" : "") << "</td>";
    } else {
      o << "<td colspan='2'>n/a (no decided answer with a recorded display order)</td>";
    }
    o << "</tr>";
    if (c.model_measured) {
      o << "<tr><td>reward model, held-out pair accuracy</td><td>" << Num(c.heldout.accuracy, 3) << "</td><td>"
        << c.heldout.pairs << " pairs (trained on " << c.train_pairs << ")</td></tr>";
      for (const auto& s : c.by_strength) {
        o << "<tr><td>&nbsp;&nbsp;strength " << (s.strength.empty() ? std::string("not given") : HtmlEscape(s.strength))
          << "</td><td>" << Num(s.accuracy, 3) << "</td><td>" << s.pairs << " pairs</td></tr>";
      }
    } else {
      o << "<tr><td>reward model</td><td colspan='2'>too few decided comparisons to measure</td></tr>";
    }
    o << "</table>";
    if (!c.disputed.empty()) {
      o << "<table><tr><th>most disputed prompts</th><th>answers</th><th>agreeing with the resolved order</th>"
           "<th>resolved</th></tr>";
      for (const auto& d : c.disputed) {
        o << "<tr><td>" << HtmlEscape(d.item) << ": " << HtmlEscape(d.prompt) << "</td><td>" << d.answers
          << "</td><td>" << Num(d.agreement, 2) << "</td><td>" << HtmlEscape(d.resolved) << "</td></tr>";
      }
      o << "</table>";
    }
  }
}

}  // namespace

std::string ReportToHtml(const Report& r) {
  std::ostringstream o;
  o << "<!doctype html><html><head><meta charset='utf-8'><title>hitloop report: "
    << HtmlEscape(r.project)
    << "</title><style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
       "text-align:left}th{background:#f4f4f4}.sys{background:#fff3cd}</style></head><body>";
  o << "<h1>Correction report: " << HtmlEscape(r.project) << "</h1>";
  o << "<p>" << r.overall.answers << " answers by people compared with the model's view; "
    << r.overall.corrections << " corrections (rate " << Num(r.overall.rate(), 3) << ").</p>";
  CorrectionsHtml(r, o);
  CycleHistoryHtml(r, o);
  AuditsRulesDetectorsHtml(r, o);
  QualityHtml(r, o);
  PreferencesHtml(r, o);
  o << "</body></html>\n";
  return o.str();
}

}  // namespace hitloop::report
