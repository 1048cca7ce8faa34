#include "quality/ratings.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>
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

int RatingTable::Cell(int row, int annotator) const {
  for (int32_t j = row_start[row]; j < row_start[row + 1]; ++j) {
    if (rater[j] == annotator) return value[j];
  }
  return kMissing;
}

int RatingTable::RowOf(int64_t item_id) const {
  auto it = std::lower_bound(items.begin(), items.end(), item_id);
  if (it == items.end() || *it != item_id) return -1;
  return static_cast<int>(it - items.begin());
}

Result<RatingTable> BuildRatingTable(const std::vector<Rating>& ratings,
                                     const std::vector<std::string>& categories,
                                     const BuildOptions& options) {
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
  std::unordered_map<std::string, int> category_index;
  for (size_t i = 0; i < t.categories.size(); ++i) {
    category_index[t.categories[i]] = static_cast<int>(i);
  }

  // Annotators: distinct names, then sorted; items: distinct ids, then sorted.
  std::unordered_map<std::string, int> annotator_of;
  std::vector<int> rating_annotator(ratings.size()), rating_category(ratings.size());
  std::vector<std::string> names;
  std::vector<int64_t> item_ids;
  item_ids.reserve(ratings.size());
  for (size_t i = 0; i < ratings.size(); ++i) {
    const Rating& r = ratings[i];
    if (r.annotator.empty()) {
      return InvalidArgument("quality: item " + std::to_string(r.item_id) + ": empty annotator");
    }
    if (r.label.empty()) {
      return InvalidArgument("quality: item " + std::to_string(r.item_id) + ": annotator " +
                             r.annotator + ": empty label");
    }
    auto c = category_index.find(r.label);
    if (c == category_index.end()) {
      return InvalidArgument("quality: item " + std::to_string(r.item_id) + ": label '" + r.label +
                             "' is not in the label set");
    }
    rating_category[i] = c->second;
    auto [it, fresh] = annotator_of.emplace(r.annotator, static_cast<int>(names.size()));
    if (fresh) names.push_back(r.annotator);
    rating_annotator[i] = it->second;
    item_ids.push_back(r.item_id);
  }
  std::vector<int> by_name(names.size());
  std::iota(by_name.begin(), by_name.end(), 0);
  std::sort(by_name.begin(), by_name.end(), [&](int a, int b) { return names[a] < names[b]; });
  std::vector<int> column(names.size());
  for (size_t i = 0; i < by_name.size(); ++i) column[by_name[i]] = static_cast<int>(i);
  t.annotators.reserve(names.size());
  for (int i : by_name) t.annotators.push_back(names[i]);
  std::sort(item_ids.begin(), item_ids.end());
  item_ids.erase(std::unique(item_ids.begin(), item_ids.end()), item_ids.end());
  t.items = std::move(item_ids);

  // Order ratings by (row, column, input order).
  std::vector<int32_t> row_of(ratings.size());
  std::vector<int32_t> order(ratings.size());
  for (size_t i = 0; i < ratings.size(); ++i) {
    row_of[i] = static_cast<int32_t>(
        std::lower_bound(t.items.begin(), t.items.end(), ratings[i].item_id) - t.items.begin());
    order[i] = static_cast<int32_t>(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    if (row_of[a] != row_of[b]) return row_of[a] < row_of[b];
    return column[rating_annotator[a]] < column[rating_annotator[b]];
  });
  t.row_start.assign(t.items.size() + 1, 0);
  t.rater.reserve(ratings.size());
  t.value.reserve(ratings.size());
  t.time_ms.reserve(ratings.size());
  t.audit.reserve(ratings.size());
  t.answer_id.reserve(ratings.size());
  for (size_t n = 0; n < order.size(); ++n) {
    const int32_t i = order[n];
    const int32_t col = column[rating_annotator[i]];
    const int32_t cat = rating_category[i];
    if (!options.keep_repeats && !t.rater.empty() && n > 0 && row_of[order[n - 1]] == row_of[i] &&
        t.rater.back() == col) {
      if (t.value.back() != cat) {
        return InvalidArgument("quality: item " + std::to_string(ratings[i].item_id) +
                               ": annotator " + ratings[i].annotator +
                               " gave two different labels ('" + t.categories[t.value.back()] +
                               "', '" + ratings[i].label + "')");
      }
      continue;  // identical repeat
    }
    t.rater.push_back(col);
    t.value.push_back(cat);
    t.time_ms.push_back(ratings[i].time_ms);
    t.audit.push_back(ratings[i].source == "audit" ? 1 : 0);
    t.answer_id.push_back(ratings[i].answer_id);
    ++t.row_start[row_of[i] + 1];
  }
  for (size_t r = 0; r < t.items.size(); ++r) t.row_start[r + 1] += t.row_start[r];
  return t;
}

std::vector<Rating> RatingsFromAnnotations(const std::vector<Annotation>& history) {
  // (item, annotator) -> newest qualifying annotation.
  std::map<std::pair<int64_t, std::string>, const Annotation*> newest;
  for (const Annotation& a : history) {
    if ((a.source != LabelSource::kHuman && a.source != LabelSource::kAudit) ||
        a.labels.size() != 1 || a.kind == "adjudicate") {
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
    out.push_back(Rating{key.first, key.second, a->labels.front(), a->time_spent_ms,
                         LabelSourceName(a->source), a->id});
  }
  return out;
}

}  // namespace hitloop::quality
