#include "io/preference_export.h"

#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "io/exporter.h"
#include "preference/aggregate.h"
#include "preference/answer.h"
#include "preference/item.h"
#include "preference/project_data.h"

namespace hitloop::io {
namespace {
using ojson = nlohmann::ordered_json;
using preference::PreferenceItem;

ojson PromptJson(const PreferenceItem& item) {
  if (!item.conversational()) return item.prompt;
  ojson msgs = ojson::array();
  for (const auto& m : item.messages) msgs.push_back(ojson{{"role", m.role}, {"content", m.content}});
  return msgs;
}

ojson CompletionJson(const PreferenceItem& item, int r) {
  const std::string& text = item.responses[r].text;
  if (!item.conversational()) return text;
  return ojson::array({ojson{{"role", "assistant"}, {"content", text}}});
}

int StrengthValue(preference::Strength s) { return static_cast<int>(s); }

Status WriteLine(std::ostream& out, const ojson& j) {
  out << j.dump() << '\n';
  return out ? Status::Ok() : IoError("export: write failed");
}

// TRL rows of one decided judgement (a person's, or an item's resolved one): every (better, worse)
// pair for trl, the best and the worst responses for trl-kto. `log_ability`: the resolved
// abilities, whose differences are the margins (else the judgement's strength).
Status WriteJudgementRows(const PreferenceItem& item, const preference::Judgement& j,
                          const std::vector<double>* log_ability, PreferenceFormat format,
                          const PreferenceExportOptions& options, std::ostream& out,
                          PreferenceExportStats* stats) {
  if (format == PreferenceFormat::kTrl) {
    for (size_t g = 0; g < j.order.size(); ++g) {
      for (size_t h = g + 1; h < j.order.size(); ++h) {
        for (int better : j.order[g]) {
          for (int worse : j.order[h]) {
            ojson row = {{"prompt", PromptJson(item)},
                         {"chosen", CompletionJson(item, better)},
                         {"rejected", CompletionJson(item, worse)}};
            if (options.margin) {
              if (log_ability != nullptr) {
                row["margin"] = std::round(((*log_ability)[better] - (*log_ability)[worse]) * 1e4) / 1e4;
              } else {
                row["margin"] = StrengthValue(j.strength);
              }
            }
            RETURN_IF_ERROR(WriteLine(out, row));
            ++stats->rows;
          }
        }
      }
    }
    return Status::Ok();
  }
  for (int r : j.order.front()) {
    RETURN_IF_ERROR(WriteLine(out, ojson{{"prompt", PromptJson(item)}, {"completion", CompletionJson(item, r)}, {"label", true}}));
    ++stats->rows;
  }
  for (int r : j.order.back()) {
    RETURN_IF_ERROR(WriteLine(out, ojson{{"prompt", PromptJson(item)}, {"completion", CompletionJson(item, r)}, {"label", false}}));
    ++stats->rows;
  }
  return Status::Ok();
}

// trl / trl-kto: rows of every decided answer of the criterion, or of each item's resolved answer
// with `aggregate`; ties and both-bad answers are counted and left out.
Result<PreferenceExportStats> ExportPairs(Store& store, const Project& project, PreferenceFormat format,
                                          std::ostream& out, const PreferenceExportOptions& options) {
  PreferenceExportStats stats;
  ASSIGN_OR_RETURN(auto data, preference::LoadProjectPreferences(store, project, options.criterion));
  stats.items = static_cast<int64_t>(data.items.size());
  std::set<size_t> labelled;
  std::map<size_t, std::vector<preference::Judgement>> by_item;  // with aggregate
  for (const auto& c : data.comparisons) {
    ++stats.answers;
    labelled.insert(c.item);
    if (options.aggregate) {
      by_item[c.item].push_back(c.judgement);
      continue;
    }
    const auto& j = c.judgement;
    if (j.both_bad) { ++stats.both_bad; continue; }
    if (j.IsTie()) { ++stats.ties; continue; }
    RETURN_IF_ERROR(WriteJudgementRows(data.items[c.item], j, nullptr, format, options, out, &stats));
  }
  for (const auto& [index, judgements] : by_item) {
    const PreferenceItem& item = data.items[index];
    ASSIGN_OR_RETURN(preference::ResolvedJudgement r,
                     preference::ResolveJudgements(judgements, static_cast<int>(item.responses.size())));
    if (r.judgement.both_bad) { ++stats.both_bad; continue; }
    if (r.judgement.IsTie()) { ++stats.ties; continue; }
    RETURN_IF_ERROR(WriteJudgementRows(item, r.judgement, &r.log_ability, format, options, out, &stats));
  }
  stats.labelled = static_cast<int64_t>(labelled.size());
  return stats;
}

// hitloop's own JSONL line of one item: its prompt, responses and meta, every current answer (all
// criteria) with its provenance, and with `aggregate` the resolved order per criterion.
Status WriteItemRecord(const Item& it, const std::vector<Annotation>& answers, const PreferenceExportOptions& options,
                       std::ostream& out, PreferenceExportStats* stats) {
  auto item = preference::FromMetaJson(it.meta_json);
  if (!item.ok()) return Corruption("item '" + it.external_id + "': " + item.status().message());
  ojson meta = ojson::parse(it.meta_json);
  meta.erase("prompt");
  meta.erase("responses");
  ojson responses = ojson::array();
  for (const auto& r : item->responses) {
    ojson o = {{"text", r.text}};
    if (!r.id.empty()) o["id"] = r.id;
    if (!r.model.empty()) o["model"] = r.model;
    responses.push_back(std::move(o));
  }
  ojson rec = {{"id", it.external_id}, {"prompt", PromptJson(*item)}, {"responses", responses}};
  ojson list = ojson::array();
  const int n = static_cast<int>(item->responses.size());
  std::map<std::string, std::vector<preference::Judgement>> by_criterion;  // with aggregate
  for (const Annotation& a : answers) {
    auto ans = preference::DecodeAnswer(a.labels, n);
    if (!ans.ok()) return Corruption("item '" + it.external_id + "': " + ans.status().message());
    ojson o = {{"annotator", a.annotator}, {"source", LabelSourceName(a.source)}, {"kind", a.kind},
               {"created_at", a.created_at}};
    ojson criteria = ojson::object();
    for (const auto& jd : ans->judgements) {
      auto enc = preference::EncodeAnswer(preference::Answer{{jd}, {}});
      std::string s = enc.front();
      if (!jd.criterion.empty()) s = s.substr(jd.criterion.size() + 1);
      if (jd.criterion.empty()) o["preference"] = s;
      else criteria[jd.criterion] = s;
      if (jd.IsTie()) ++stats->ties;
      if (jd.both_bad) ++stats->both_bad;
      if (options.aggregate) by_criterion[jd.criterion].push_back(jd);
    }
    if (!criteria.empty()) {
      if (o.contains("preference")) {
        return Corruption("item '" + it.external_id + "': an answer with both an overall and per-criterion judgements");
      }
      o["criteria"] = criteria;
    }
    if (!ans->shown.empty()) o["shown"] = ans->shown;
    list.push_back(std::move(o));
    ++stats->answers;
  }
  if (!list.empty()) {
    rec["answers"] = list;
    ++stats->labelled;
  }
  if (!by_criterion.empty()) {
    ojson resolved = ojson::object();
    for (const auto& [criterion, judgements] : by_criterion) {
      auto r = preference::ResolveJudgements(judgements, n);
      if (!r.ok()) return Corruption("item '" + it.external_id + "': " + r.status().message());
      std::string s = preference::EncodeAnswer(preference::Answer{{r->judgement}, {}}).front();
      const ojson one = {{"order", s}, {"confidence", std::round(r->confidence * 1e4) / 1e4},
                         {"answers", r->answers + r->both_bad}};
      if (criterion.empty()) resolved["preference"] = one;
      else resolved["criteria"][criterion] = one;
    }
    rec["resolved"] = resolved;
  }
  if (!meta.empty()) rec["meta"] = meta;
  if (it.split == Split::kGold) rec["split"] = "gold";
  ++stats->items;
  ++stats->rows;
  out << rec.dump() << '\n';
  if (!out) return IoError("export: write failed");
  return Status::Ok();
}

// Own JSONL: every answer (all criteria) of every item, with its provenance.
Result<PreferenceExportStats> ExportOwnJsonl(Store& store, const Project& project, std::ostream& out,
                                             const PreferenceExportOptions& options) {
  PreferenceExportStats stats;
  if (!IsPreferenceType(project.type)) {
    return FailedPrecondition("project '" + project.name + "' is not a pairwise or ranking project");
  }
  std::vector<Annotation> all;
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    if (a.source == LabelSource::kHuman || a.source == LabelSource::kAudit) all.push_back(a);
    return true;
  }));
  // An amended answer replaces the one before it (preference/project_data.h, CurrentAnswers).
  std::map<int64_t, std::vector<Annotation>> answers;
  for (Annotation& a : preference::CurrentAnswers(std::move(all))) answers[a.item_id].push_back(std::move(a));
  Status bad;
  RETURN_IF_ERROR(store.ScanItems(project.id, [&](const Item& it) {
    bad = WriteItemRecord(it, answers[it.id], options, out, &stats);
    return bad.ok();
  }, false));
  RETURN_IF_ERROR(bad);
  return stats;
}

}  // namespace

Result<PreferenceFormat> ParsePreferenceFormat(const std::string& name) {
  if (name == "trl") return PreferenceFormat::kTrl;
  if (name == "trl-kto") return PreferenceFormat::kTrlKto;
  if (name == "jsonl") return PreferenceFormat::kJsonl;
  return InvalidArgument("--format: a preference project exports trl, trl-kto or jsonl, not '" + name + "'");
}

Result<PreferenceExportStats> ExportPreferences(Store& store, const Project& project, PreferenceFormat format,
                                                std::ostream& out, const PreferenceExportOptions& options) {
  if (format != PreferenceFormat::kJsonl) return ExportPairs(store, project, format, out, options);
  return ExportOwnJsonl(store, project, out, options);
}

Status WritePreferenceFormat(WriteContext& ctx, PreferenceFormat format) {
  const char* name = format == PreferenceFormat::kTrl ? "trl" : format == PreferenceFormat::kTrlKto ? "trl-kto" : "jsonl";
  if (!IsPreferenceType(ctx.project->type)) {
    return FailedPrecondition("--format " + std::string(name) + ": writes preference pairs, from a pairwise or " +
                              "ranking project; '" + ctx.project->name + "' is " + TaskTypeName(ctx.project->type));
  }
  PreferenceExportOptions opts;
  opts.margin = ctx.options->margin;
  opts.criterion = ctx.options->criterion;
  opts.aggregate = ctx.options->aggregate_preferences;
  ASSIGN_OR_RETURN(PreferenceExportStats st, ExportPreferences(*ctx.store, *ctx.project, format, *ctx.out, opts));
  ctx.stats->items = st.items;
  ctx.stats->labels = st.labelled;
  std::string note = std::to_string(st.rows) + " rows, " + std::to_string(st.answers) + " answers";
  if (format != PreferenceFormat::kJsonl) {
    note += "; left out: " + std::to_string(st.ties) + " ties, " + std::to_string(st.both_bad) + " both bad" +
            (opts.aggregate ? " (items, after resolving each item's answers)" : "");
  }
  ctx.stats->notes.push_back(note);
  return Status::Ok();
}

}  // namespace hitloop::io
