#include "preference/project_data.h"

#include <map>
#include <tuple>
#include <unordered_map>

namespace hitloop::preference {

std::vector<Annotation> CurrentAnswers(std::vector<Annotation> all) {
  auto from_file = [](const Annotation& a) { return a.kind == "import" || a.kind == "answer"; };
  auto counts = [](const Annotation& a) { return a.source == LabelSource::kHuman || a.source == LabelSource::kAudit; };
  std::map<std::tuple<int64_t, std::string, std::string>, size_t> newest;
  for (size_t i = 0; i < all.size(); ++i) {
    if (counts(all[i]) && !from_file(all[i])) newest[{all[i].item_id, all[i].annotator, all[i].kind}] = i;
  }
  std::vector<Annotation> out;
  for (size_t i = 0; i < all.size(); ++i) {
    Annotation& a = all[i];
    if (!counts(a)) continue;
    if (from_file(a) || newest[{a.item_id, a.annotator, a.kind}] == i) out.push_back(std::move(a));
  }
  return out;
}

Result<ProjectPreferences> LoadProjectPreferences(Store& store, const Project& project,
                                                  const std::string& criterion) {
  if (!IsPreferenceType(project.type)) {
    return FailedPrecondition("project '" + project.name + "' is " + TaskTypeName(project.type) +
                              ", not a pairwise or ranking project");
  }
  if (!criterion.empty() && project.LabelIndex(criterion) < 0) {
    return InvalidArgument("--criterion: '" + criterion + "' is not a criterion of '" + project.name + "'");
  }
  ProjectPreferences out;
  std::unordered_map<int64_t, size_t> index;
  Status bad;
  RETURN_IF_ERROR(store.ScanItems(project.id, [&](const Item& it) {
    auto item = FromMetaJson(it.meta_json);
    if (!item.ok()) {
      bad = Corruption("item '" + it.external_id + "': " + item.status().message());
      return false;
    }
    index.emplace(it.id, out.items.size());
    out.item_ids.push_back(it.id);
    out.external_ids.push_back(it.external_id);
    out.items.push_back(std::move(*item));
    out.gold.push_back(it.split == Split::kGold ? 1 : 0);
    return true;
  }, /*with_vectors=*/false));
  RETURN_IF_ERROR(bad);
  std::vector<Annotation> all;
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    if (a.source == LabelSource::kHuman || a.source == LabelSource::kAudit) all.push_back(a);
    return true;
  }));
  // An amended answer replaces the one before it (the annotator's undo): count it once.
  for (const Annotation& a : CurrentAnswers(std::move(all))) {
    auto at = index.find(a.item_id);
    if (at == index.end()) continue;
    const int n = static_cast<int>(out.items[at->second].responses.size());
    auto answer = DecodeAnswer(a.labels, n);
    if (!answer.ok()) {
      return Corruption("item '" + out.external_ids[at->second] + "': " + answer.status().message());
    }
    const Judgement* pick = nullptr;
    for (const Judgement& j : answer->judgements) {
      if (j.criterion == criterion) pick = &j;
    }
    if (pick == nullptr && criterion.empty()) pick = &answer->judgements.front();
    if (pick == nullptr) {
      ++out.without_criterion;
      continue;
    }
    out.comparisons.push_back({at->second, a.annotator, *pick, answer->shown});
  }
  return out;
}

}  // namespace hitloop::preference
