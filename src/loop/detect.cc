#include "loop/detect.h"

#include <memory>
#include <unordered_map>
#include <vector>

#include "autolabel/detector_registry.h"
#include "loop/config.h"

namespace hitloop::loop {

Result<DetectorRun> RunDetectors(Store& store, const Project& project, const std::vector<const Item*>& items,
                                 const autolabel::DetectorChoice& choice) {
  DetectorRun run;
  if (choice.empty()) return run;
  // Which detectors each item already has (registry indices, autolabel/detector_registry.h).
  std::unordered_map<int64_t, autolabel::DetectorChoice> have;
  RETURN_IF_ERROR(store.ScanDetections(project.id, [&](const Detection& d) {
    const int i = autolabel::DetectorIndex(d.detector);
    if (i < 0) return true;  // a detector no longer registered
    auto& h = have.try_emplace(d.item_id, autolabel::DetectorChoice::None()).first->second;
    h.Add(static_cast<size_t>(i));
    return true;
  }));
  std::vector<const Item*> undetected;
  for (const Item* it : items) {
    const auto f = have.find(it->id);
    if (f == have.end() || !f->second.Covers(choice)) undetected.push_back(it);
  }
  if (undetected.empty()) return run;
  std::unique_ptr<autolabel::LanguageIdentifier> lid;
  if (choice.NeedsLanguage()) {
    ASSIGN_OR_RETURN(lid, autolabel::OpenDefaultLanguageIdentifier(&run.language_backend));
  }
  autolabel::DetectItemsOptions opt;
  opt.detectors = choice;
  opt.language = lid.get();
  // In slices, so memory stays bounded on a large project and each slice commits on its own.
  constexpr size_t kSlice = 20000;
  for (size_t lo = 0; lo < undetected.size(); lo += kSlice) {
    const size_t hi = std::min(undetected.size(), lo + kSlice);
    std::vector<autolabel::ItemText> texts;
    texts.reserve(hi - lo);
    for (size_t i = lo; i < hi; ++i) texts.push_back({undetected[i]->id, undetected[i]->text});
    const std::vector<Detection> found = autolabel::DetectItems(texts, opt);
    RETURN_IF_ERROR(store.PutDetections(found));
  }
  run.items = static_cast<int64_t>(undetected.size());
  return run;
}

Result<autolabel::DetectorChoice> ImportDetectors(const Project& project, const std::string& list) {
  if (list != "project") return autolabel::ParseDetectorChoice(list);
  ASSIGN_OR_RETURN(LoopConfig cfg, ParseLoopConfig(project.config_json));
  return autolabel::ParseDetectorChoice(cfg.autolabel.detect);
}

Result<DetectorRun> DetectAfterImport(Store& store, const Project& project,
                                      const autolabel::DetectorChoice& choice) {
  if (choice.empty()) return DetectorRun{};
  std::vector<Item> items;
  RETURN_IF_ERROR(store.ScanItems(project.id, [&](const Item& it) {
    items.push_back(it);
    return true;
  }));
  std::vector<const Item*> ptrs;
  ptrs.reserve(items.size());
  for (const auto& it : items) ptrs.push_back(&it);
  return RunDetectors(store, project, ptrs, choice);
}

}  // namespace hitloop::loop
