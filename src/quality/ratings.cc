#include "quality/ratings.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace hitloop::quality {

int RatingTable::AnnotatorIndex(const std::string& annotator) const {
  auto it = std::lower_bound(annotators.begin(), annotators.end(), annotator);
  if (it == annotators.end() || *it != annotator) return -1;
  return static_cast<int>(it - annotators.begin());
}

int RatingTable::CategoryIndex(const std::string& label) const {
  // Categories may be in project order (not sorted), so a linear scan; label sets are small.
  for (size_t i = 0; i < categories.size(); ++i) {
    if (categories[i] == label) return static_cast<int>(i);
  }
  return -1;
}

int RatingTable::RatingsInRow(int row) const {
  int n = 0;
  for (int c : cells[row]) n += (c != kMissing);
  return n;
}

Result<RatingTable> BuildRatingTable(const std::vector<Rating>& ratings,
                                     const std::vector<std::string>& categories) {
  RatingTable t;
  if (categories.empty()) {
    std::set<std::string> seen;
    for (const Rating& r : ratings) seen.insert(r.label);
    t.categories.assign(seen.begin(), seen.end());
  } else {
    std::set<std::string> unique(categories.begin(), categories.end());
    if (unique.size() != categories.size()) {
      return InvalidArgument("quality: duplicate label in the category list");
    }
    t.categories = categories;
  }
  std::map<std::string, int> category_index;
  for (size_t i = 0; i < t.categories.size(); ++i) {
    category_index[t.categories[i]] = static_cast<int>(i);
  }

  std::set<int64_t> items;
  std::set<std::string> annotators;
  for (const Rating& r : ratings) {
    if (r.annotator.empty()) {
      return InvalidArgument("quality: item " + std::to_string(r.item_id) + ": empty annotator");
    }
    if (r.label.empty()) {
      return InvalidArgument("quality: item " + std::to_string(r.item_id) + ": annotator " +
                             r.annotator + ": empty label");
    }
    if (!category_index.count(r.label)) {
      return InvalidArgument("quality: item " + std::to_string(r.item_id) + ": label '" + r.label +
                             "' is not in the label set");
    }
    items.insert(r.item_id);
    annotators.insert(r.annotator);
  }
  t.items.assign(items.begin(), items.end());
  t.annotators.assign(annotators.begin(), annotators.end());
  t.cells.assign(t.items.size(), std::vector<int>(t.annotators.size(), kMissing));

  for (const Rating& r : ratings) {
    int row = static_cast<int>(std::lower_bound(t.items.begin(), t.items.end(), r.item_id) -
                               t.items.begin());
    int col = t.AnnotatorIndex(r.annotator);
    int cat = category_index[r.label];
    int& cell = t.cells[row][col];
    if (cell != kMissing && cell != cat) {
      return InvalidArgument("quality: item " + std::to_string(r.item_id) + ": annotator " +
                             r.annotator + " gave two different labels ('" + t.categories[cell] +
                             "', '" + r.label + "')");
    }
    cell = cat;
  }
  return t;
}

std::vector<Rating> RatingsFromAnnotations(const std::vector<Annotation>& history) {
  // (item, annotator) -> newest qualifying annotation.
  std::map<std::pair<int64_t, std::string>, const Annotation*> newest;
  for (const Annotation& a : history) {
    if (a.source != LabelSource::kHuman || a.labels.size() != 1 || a.kind == "adjudicate") {
      continue;
    }
    auto key = std::make_pair(a.item_id, a.annotator);
    auto it = newest.find(key);
    if (it == newest.end() ||
        std::tie(a.created_at, a.id) > std::tie(it->second->created_at, it->second->id)) {
      newest[key] = &a;
    }
  }
  std::vector<Rating> out;
  out.reserve(newest.size());
  for (const auto& [key, a] : newest) {
    out.push_back(Rating{key.first, key.second, a->labels.front()});
  }
  return out;
}

}  // namespace hitloop::quality
