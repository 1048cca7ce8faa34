// Quarantine and the loop: an item that breaks every cycle is taken out of the project by an
// admin (Store::SetItemHold) and the next cycle runs without it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "loop/cycle.h"
#include "loop_store_fixture.h"

namespace hitloop::loop {
namespace {

class CycleQuarantineTest : public LoopStoreFixture {
 protected:
  CycleOptions Options() {
    CycleOptions o;
    o.models_dir = dir_.path() + "/models";
    o.featurizer.hash_bits = 14;
    now_ += 1000;
    o.now = now_;
    return o;
  }
  // Writes past the store (as an older build's import did, before it checked vector lengths).
  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() + "/hitloop.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  bool Queued(int64_t item_id) {
    bool found = false;
    EXPECT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
      found = found || q.item_id == item_id;
      return true;
    }).ok());
    return found;
  }
};

TEST_F(CycleQuarantineTest, AnItemWithAVectorOfTheWrongLengthIsQuarantinedAndTheNextCycleRuns) {
  AddItems(300, Split::kPool, 1);
  AddItems(100, Split::kGold, 2);
  Exec("UPDATE items SET vector=zeroblob(16)");                        // 4 dimensions each
  Exec("UPDATE items SET vector=zeroblob(12) WHERE external_id='p1-7'");  // but this one: 3
  auto broken = RunCycle(*store_, Reload(), Options());
  ASSERT_FALSE(broken.ok()) << "a project with mixed vector lengths is expected to stop the cycle";

  ASSERT_TRUE(store_->SetItemHold(project_.id, "p1-7", Store::ItemHold::kQuarantined).ok());
  auto cycle = RunCycle(*store_, Reload(), Options());
  ASSERT_TRUE(cycle.ok()) << cycle.status().ToString();
  auto bad = store_->FindItem(project_.id, "p1-7");
  ASSERT_TRUE(bad.ok() && bad->has_value());
  EXPECT_EQ((*bad)->hold, "quarantined");
  EXPECT_FALSE(Queued((*bad)->id));
  auto second = RunCycle(*store_, Reload(), Options());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(Queued((*bad)->id));
}

TEST_F(CycleQuarantineTest, AQueuedItemQuarantinedLeavesTheQueueAndComesBackWhenRestored) {
  AddItems(300, Split::kPool, 3);
  AddItems(100, Split::kGold, 4);
  ASSERT_TRUE(RunCycle(*store_, Reload(), Options()).ok());
  int64_t queued_item = 0;
  ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
    queued_item = q.item_id;
    return false;
  }).ok());
  ASSERT_NE(queued_item, 0);
  auto item = store_->GetItem(queued_item);
  ASSERT_TRUE(item.ok());
  ASSERT_TRUE(store_->SetItemHold(project_.id, item->external_id, Store::ItemHold::kQuarantined).ok());
  EXPECT_FALSE(Queued(queued_item));
  ASSERT_TRUE(RunCycle(*store_, Reload(), Options()).ok());
  EXPECT_FALSE(Queued(queued_item));

  ASSERT_TRUE(store_->SetItemHold(project_.id, item->external_id, Store::ItemHold::kNone).ok());
  auto back = store_->GetItem(queued_item);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->hold, "");
  EXPECT_EQ(back->state, ItemState::kUnlabeled);
}

}  // namespace
}  // namespace hitloop::loop
