#include "io/label_studio_preference.h"

#include <nlohmann/json.hpp>
#include <set>

#include "io/exporter.h"
#include "preference/answer.h"
#include "preference/item.h"

namespace hitloop::io {
namespace {

using ojson = nlohmann::ordered_json;

std::string Letter(int r) { return std::string(1, static_cast<char>('A' + r)); }

// The ranker ids of the responses: their own ids when every response has one and they are
// distinct, else the letters A, B, ...
std::vector<std::string> RankerIds(const preference::PreferenceItem& item) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto& r : item.responses) {
    if (r.id.empty() || !seen.insert(r.id).second) break;
    ids.push_back(r.id);
  }
  if (ids.size() == item.responses.size()) return ids;
  ids.clear();
  for (size_t i = 0; i < item.responses.size(); ++i) ids.push_back(Letter(static_cast<int>(i)));
  return ids;
}

}  // namespace

Status WriteLabelStudioPreferences(WriteContext& ctx) {
  const Project& project = *ctx.project;
  if (!IsPreferenceType(project.type)) {
    return FailedPrecondition("project '" + project.name + "' is not a pairwise or ranking project");
  }
  const bool ranking = project.type == TaskType::kRanking;
  int64_t answers = 0, results = 0, no_result = 0;
  bool first = true;
  std::string buf;
  RETURN_IF_ERROR(WriteOut(ctx, "["));
  Status st = ForEachExportItem(*ctx.store, project, /*with_answers=*/true, [&](const ExportItem& e) -> Status {
    const Item& it = *e.item;
    auto item = preference::FromMetaJson(it.meta_json);
    if (!item.ok()) return Corruption("item '" + it.external_id + "': " + item.status().message());
    const int n = static_cast<int>(item->responses.size());
    const bool pair = !ranking && n == 2;
    ojson data = {{"prompt", preference::PromptText(*item)}};
    if (item->conversational()) {
      ojson msgs = ojson::array();
      for (const auto& m : item->messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
      data["messages"] = msgs;
    }
    const std::vector<std::string> ids = RankerIds(*item);
    if (pair) {
      data["text1"] = item->responses[0].text;
      data["text2"] = item->responses[1].text;
    } else {
      ojson items = ojson::array();
      for (int r = 0; r < n; ++r) {
        items.push_back({{"id", ids[r]}, {"title", "Response " + Letter(r)}, {"body", item->responses[r].text}});
      }
      data["items"] = items;
    }
    ojson models = ojson::array();
    bool any_model = false;
    for (const auto& r : item->responses) {
      models.push_back(r.model);
      any_model |= !r.model.empty();
    }
    ojson anns = ojson::array(), prov_answers = ojson::array();
    for (const Annotation& a : e.answers) {
      if (a.source == LabelSource::kModel || a.source == LabelSource::kRule) continue;
      auto ans = preference::DecodeAnswer(a.labels, n);
      if (!ans.ok()) return Corruption("item '" + it.external_id + "': " + ans.status().message());
      ++answers;
      ojson result = ojson::array();
      for (const preference::Judgement& j : ans->judgements) {
        if (j.both_bad || (pair && j.IsTie())) {
          ++no_result;
          continue;
        }
        if (pair) {
          const std::string name = j.criterion.empty() ? "pw" : j.criterion;
          result.push_back({{"from_name", name}, {"to_name", name}, {"type", "pairwise"},
                            {"value", {{"selected", j.order[0][0] == 0 ? "left" : "right"}}}});
        } else {
          ojson order = ojson::array();
          for (const auto& group : j.order)
            for (int r : group) order.push_back(ids[r]);
          const std::string name = j.criterion.empty() ? "rank" : j.criterion;
          result.push_back({{"from_name", name}, {"to_name", "responses"}, {"type", "ranker"},
                            {"value", {{"ranker", {{name, order}}}}}});
        }
        ++results;
      }
      ojson pa = {{"annotator", a.annotator}, {"source", LabelSourceName(a.source)}, {"labels", a.labels}};
      if (a.time_spent_ms > 0) pa["time_ms"] = a.time_spent_ms;
      prov_answers.push_back(std::move(pa));
      if (result.empty()) continue;
      ojson one = {{"result", result}, {"was_cancelled", false},
                   {"ground_truth", it.split == Split::kGold && a.kind == "import"}};
      if (a.time_spent_ms > 0) one["lead_time"] = static_cast<double>(a.time_spent_ms) / 1000.0;
      anns.push_back(std::move(one));
    }
    ojson prov = {{"id", it.external_id}};
    if (it.split == Split::kGold) prov["split"] = "gold";
    if (any_model) prov["models"] = models;
    if (!prov_answers.empty()) prov["answers"] = prov_answers;
    ojson meta = ojson::parse(it.meta_json, nullptr, false);
    if (!meta.is_object()) meta = ojson::object();
    meta.erase("prompt");
    meta.erase("responses");
    meta["hitloop"] = prov;
    ojson task = {{"data", data}, {"meta", meta}, {"annotations", anns}, {"predictions", ojson::array()}};
    buf.assign(first ? "\n" : ",\n");
    first = false;
    buf += task.dump(-1, ' ', false, ojson::error_handler_t::replace);
    return WriteOut(ctx, buf);
  }, ctx.stats, ctx.options);
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(WriteOut(ctx, "\n]\n"));
  std::string note = std::to_string(answers) + " answers, " + std::to_string(results) + " " +
                     (ranking ? "Ranker" : "Pairwise") + " results";
  if (no_result > 0) {
    note += "; " + std::to_string(no_result) + (ranking ? " judgement(s) all bad: no Ranker result"
                                                        : " judgement(s) tie or both bad: no Pairwise result") +
            " (kept in meta.hitloop.answers)";
  }
  ctx.stats->notes.push_back(note);
  return Status::Ok();
}

}  // namespace hitloop::io
