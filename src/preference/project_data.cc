#include "preference/project_data.h"

#include <unordered_map>

namespace hitloop::preference {

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
    return true;
  }, /*with_vectors=*/false));
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    if (a.source != LabelSource::kHuman && a.source != LabelSource::kAudit) return true;
    auto at = index.find(a.item_id);
    if (at == index.end()) return true;
    const int n = static_cast<int>(out.items[at->second].responses.size());
    auto answer = DecodeAnswer(a.labels, n);
    if (!answer.ok()) {
      bad = Corruption("item '" + out.external_ids[at->second] + "': " + answer.status().message());
      return false;
    }
    const Judgement* pick = nullptr;
    for (const Judgement& j : answer->judgements) {
      if (j.criterion == criterion) pick = &j;
    }
    if (pick == nullptr && criterion.empty()) pick = &answer->judgements.front();
    if (pick == nullptr) {
      ++out.without_criterion;
      return true;
    }
    out.comparisons.push_back({at->second, a.annotator, *pick, answer->shown});
    return true;
  }));
  RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace hitloop::preference
