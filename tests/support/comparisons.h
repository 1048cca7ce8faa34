#pragma once
// Test set-up for comparison projects: a pairwise project in a fresh store, and people's answers
// appended as the annotator page stores them (kind "review", source human).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace hitloop::testing {

// `store` receives a new SQLite store at `db_path` with one pairwise project `name` (`criteria`
// as its labels), returned.
inline Project MakePairwiseProject(const std::string& db_path, std::unique_ptr<Store>* store,
                                   const std::string& name = "pw", std::vector<std::string> criteria = {}) {
  auto opened = OpenSqliteStore(db_path);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  *store = std::move(opened).value();
  Project p;
  p.name = name;
  p.type = TaskType::kPairwisePreference;
  p.labels = std::move(criteria);
  auto created = (*store)->CreateProject(p);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  return *created;
}

// One person's answer `labels` (e.g. {"A>B/much", "shown:BA"}) to item `item_id` at time `at`.
inline void AppendComparison(Store& store, int64_t item_id, const std::string& who,
                             std::vector<std::string> labels, int64_t at) {
  Annotation a;
  a.item_id = item_id;
  a.labels = std::move(labels);
  a.source = LabelSource::kHuman;
  a.annotator = who;
  a.kind = "review";
  a.created_at = at;
  EXPECT_TRUE(store.AppendAnnotation(a).ok());
}

}  // namespace hitloop::testing
