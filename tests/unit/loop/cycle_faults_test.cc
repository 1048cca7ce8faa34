// Fault injection at every write of a cycle (support/faulty_vfs.h): `hitloop cycle` = open the
// database, RunCycle, close it (a checkpoint). A clean run counts the writes and syncs; then, on a
// fresh copy of the database per injection point k = 1..N, the k-th write fails (EIO, ENOSPC,
// short write) or the k-th fsync fails. After each: the database passes `db check` and its queue
// counts hold; the cycle's writes (predictions, routing, queue, record: one transaction) are all
// there or none is; a cycle that returned OK is recorded (nothing acknowledged lost); a failed
// one says why; and a re-run on the reopened database finishes. Model files are written past
// SQLite (model/model_file.h, atomic by rename): the second test fails each step of each of
// them in turn (core/file.h's fault hook).
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <sstream>
#include <string>

#include "core/file.h"
#include "loop/predictor.h"
#include "model/model_file.h"

#include "loop/cycle.h"
#include "loop_store_fixture.h"
#include "store/open.h"
#include "support/fault_sweep.h"
#include "support/faulty_vfs.h"

namespace hitloop::loop {
namespace {

using hitloop::testing::Fault;

class CycleFaultsTest : public LoopStoreFixture {
 protected:
  std::string Template() const { return dir_.path() + "/hitloop.db"; }
  std::string Work() const { return dir_.path() + "/work.db"; }
  CycleOptions Options() const {
    CycleOptions o;
    o.models_dir = dir_.path() + "/models";
    o.featurizer.hash_bits = 10;
    o.now = now_ + 1000;
    o.seed = 7;
    o.review_chunk = review_chunk_;
    return o;
  }
  size_t review_chunk_ = CycleOptions{}.review_chunk;
  void SweepEveryWrite();
  // `hitloop cycle` on Work(): open, cycle, close.
  Status Cycle() {
    auto s = OpenSqliteStore(Work(), OpenMode::kMustExist);
    if (!s.ok()) return s.status();
    auto p = (*s)->GetProject(project_.name);
    if (!p.ok()) return p.status();
    return RunCycle(**s, *p, Options()).status();
  }
  // What a cycle changes, as one comparable string; and the number of cycle records.
  std::string State(size_t* cycles) {
    auto s = OpenSqliteStore(Work(), OpenMode::kMustExist);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return "";
    auto st = (*s)->GetStatus(project_.id);
    EXPECT_TRUE(st.ok());
    std::ostringstream out;
    out << "items " << st->items << " predictions " << st->predictions << " queued " << st->queued
        << " annotations " << st->annotations;
    for (const auto& [k, v] : st->by_state) out << " " << k << "=" << v;
    for (const auto& [k, v] : st->by_label_source) out << " " << k << "=" << v;
    auto project = (*s)->GetProject(project_.name);
    EXPECT_TRUE(project.ok());
    out << " config " << project->config_json;
    *cycles = (*s)->ListCycles(project_.id)->size();
    return out.str();
  }
};

TEST_F(CycleFaultsTest, AFaultAtAnyWriteLeavesTheCycleWholeOrAbsentAndARerunFinishes) {
  SweepEveryWrite();
}

// With review entries queued after the final transaction (4 per transaction here), a fault in
// one of those leaves the cycle recorded with part of its review queue: the error says how many
// entries were not queued, the database is consistent, and a re-run finishes.
TEST_F(CycleFaultsTest, AFaultWhileQueueingTrailingReviewsSaysSoAndARerunFinishes) {
  review_chunk_ = 4;
  SweepEveryWrite();
}

void CycleFaultsTest::SweepEveryWrite() {
  hitloop::testing::InstallFaultyVfs();  // before the copies are opened (the template was not)
  hitloop::testing::SkipRealSyncs(true);
  AddItems(60, Split::kPool, 1);
  AddItems(20, Split::kGold, 2);
  store_.reset();  // the template is closed: its copies have no WAL

  hitloop::testing::CopyDatabase(Template(), Work());
  size_t cycles = 0;
  const std::string before = State(&cycles);
  ASSERT_EQ(cycles, 0u);
  const int64_t w0 = hitloop::testing::Writes(), s0 = hitloop::testing::Syncs();
  const Status clean = Cycle();
  const int64_t writes = hitloop::testing::Writes() - w0, syncs = hitloop::testing::Syncs() - s0;
  ASSERT_TRUE(clean.ok()) << clean.ToString();
  const std::string whole = State(&cycles);
  ASSERT_EQ(cycles, 1u);
  ASSERT_NE(whole, before);
  ASSERT_GT(syncs, 0);

  int points = 0, failed = 0, partial_runs = 0;
  for (Fault fault : hitloop::testing::kEveryFault) {
    const int64_t n = fault == Fault::kFsync ? syncs : writes;
    for (int64_t k = 1; k <= n; ++k) {
      SCOPED_TRACE(std::string(hitloop::testing::FaultName(fault)) + " at " + std::to_string(k) +
                   " of " + std::to_string(n));
      hitloop::testing::CopyDatabase(Template(), Work());
      hitloop::testing::ArmFault(fault, k);
      const Status st = Cycle();
      hitloop::testing::Disarm();
      ++points;
      EXPECT_TRUE(hitloop::testing::FaultFired());
      EXPECT_EQ(hitloop::testing::DatabaseProblems(Work()), "");
      const std::string after = State(&cycles);
      if (st.ok()) {
        EXPECT_EQ(after, whole) << "an acknowledged cycle lost writes";
        EXPECT_EQ(cycles, 1u);
        continue;
      }
      ++failed;
      EXPECT_FALSE(st.message().empty());
      // Unacknowledged: absent, or whole (the commit reached the disk but its fsync failed), or
      // recorded with part of its trailing review entries, which the error says.
      const bool partial = cycles == 1 && after != whole &&
                           st.message().find("review entries were not queued") != std::string::npos;
      if (partial) ++partial_runs;
      EXPECT_TRUE((after == before && cycles == 0) || (after == whole && cycles == 1) ||
                  (partial && review_chunk_ < CycleOptions{}.review_chunk))
          << after << " (" << cycles << " cycles) after " << st.ToString();
      const Status rerun = Cycle();
      EXPECT_TRUE(rerun.ok()) << rerun.ToString();
      EXPECT_EQ(hitloop::testing::DatabaseProblems(Work()), "");
      (void)State(&cycles);
      EXPECT_GE(cycles, 1u);
    }
  }
  std::cerr << "cycle: " << writes << " writes, " << syncs << " syncs, " << points
            << " injection points, " << failed << " cycles refused, " << partial_runs
            << " recorded with part of their review queue\n";
  if (review_chunk_ < CycleOptions{}.review_chunk) {
    EXPECT_GT(partial_runs, 0) << "no fault hit the trailing review entries";
  }
}

// The file fault hook: counts AtomicWriteFile's steps of one kind, failing the k-th (k = 0:
// count only).
std::atomic<int> hook_step{0};
std::atomic<int64_t> hook_seen{0}, hook_at{0};
std::atomic<int> hook_errno{EIO};
int FileHook(FileStep step, const std::string&) {
  if (static_cast<int>(step) != hook_step.load()) return 0;
  return ++hook_seen == hook_at.load() ? hook_errno.load() : 0;
}

TEST_F(CycleFaultsTest, AFaultAtAnyStepOfAModelFileWriteFailsTheCycleCleanlyAndARerunFinishes) {
  namespace fs = std::filesystem;
  AddItems(300, Split::kPool, 1);
  AddItems(20, Split::kGold, 2);
  // The template has had its cold-start cycle and its answers: the swept cycle trains and saves
  // a model, its featurizer and its audit-region state.
  {
    CycleOptions o = Options();
    auto c1 = RunCycle(*store_, Reload(), o);
    ASSERT_TRUE(c1.ok()) << c1.status().ToString();
    now_ += 2000;
    AnswerAll("alice", {});
  }
  store_.reset();
  const std::string models = dir_.path() + "/models", work_models = dir_.path() + "/work_models";
  auto fresh = [&] {
    hitloop::testing::CopyDatabase(Template(), Work());
    fs::remove_all(work_models);
    fs::copy(models, work_models, fs::copy_options::recursive);
  };
  auto cycle = [&]() -> Result<CycleRecord> {
    auto s = OpenSqliteStore(Work(), OpenMode::kMustExist);
    if (!s.ok()) return s.status();
    auto p = (*s)->GetProject(project_.name);
    if (!p.ok()) return p.status();
    CycleOptions o = Options();
    o.models_dir = work_models;
    o.now = now_ + 1000;
    return RunCycle(**s, *p, o);
  };
  auto leftovers = [&] {
    int tmp = 0;
    for (const auto& e : fs::recursive_directory_iterator(work_models)) {
      tmp += e.path().extension() == ".tmp";
    }
    return tmp;
  };
  fresh();
  size_t cycles = 0;
  const std::string before = State(&cycles);
  ASSERT_EQ(cycles, 1u);
  hook_step = static_cast<int>(FileStep::kOpen);
  hook_seen = 0;
  hook_at = 0;
  SetFileFaultHookForTesting(&FileHook);
  auto clean = cycle();
  const int64_t files = hook_seen.load();
  SetFileFaultHookForTesting(nullptr);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  ASSERT_FALSE(clean->model_path.empty()) << "the swept cycle trained no model";
  ASSERT_GE(files, 2) << "a model and its featurizer at least";
  const std::string whole = State(&cycles);
  ASSERT_EQ(cycles, 2u);

  int points = 0, refused = 0;
  for (FileStep step : {FileStep::kOpen, FileStep::kWrite, FileStep::kFsync, FileStep::kRename}) {
    for (int64_t k = 1; k <= files; ++k) {
      SCOPED_TRACE("step " + std::to_string(static_cast<int>(step)) + " of file " + std::to_string(k) +
                   " of " + std::to_string(files));
      fresh();
      hook_step = static_cast<int>(step);
      hook_seen = 0;
      hook_at = k;
      hook_errno = step == FileStep::kWrite ? ENOSPC : EIO;
      SetFileFaultHookForTesting(&FileHook);
      auto r = cycle();
      SetFileFaultHookForTesting(nullptr);
      ++points;
      EXPECT_EQ(leftovers(), 0) << "a temporary file was left behind";
      EXPECT_EQ(hitloop::testing::DatabaseProblems(Work()), "");
      const std::string after = State(&cycles);
      if (r.ok()) {
        ADD_FAILURE() << "a cycle whose file write failed reported success";
        continue;
      }
      ++refused;
      EXPECT_NE(r.status().message().find(work_models), std::string::npos) << r.status().ToString();
      EXPECT_EQ(after, before) << "a failed cycle changed the database";
      EXPECT_EQ(cycles, 1u);
      auto rerun = cycle();
      ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
      (void)State(&cycles);
      EXPECT_EQ(cycles, 2u);
      // What the recorded cycle names is on disk and whole.
      EXPECT_TRUE(model::LoadModel(rerun->model_path).ok()) << rerun->model_path;
      EXPECT_TRUE(fs::exists(FeaturizerPathFor(rerun->model_path)));
    }
  }
  std::cerr << "cycle: " << files << " files, " << points << " injection points, " << refused
            << " cycles refused\n";
}

}  // namespace
}  // namespace hitloop::loop
