// Fault injection at every write of the group-commit writer's batches (support/faulty_vfs.h):
// three batches, each holding four submits (loop::RecordAnswer, as the server's submit job) and two
// claims, then the writer's store closes (a checkpoint). A clean run counts the writes and syncs;
// then, on a fresh copy of the database per injection point k = 1..N, the k-th write fails (EIO,
// ENOSPC, short write) or the k-th fsync fails. After each: nothing acknowledged is lost (every
// submit and claim whose Run returned OK is in the database), every submit is whole or absent
// (a submitted lease has its answer and an answer its submitted lease), the database passes
// `db check` and its queue counts hold, and the writer either goes on or is stopped for good
// with a message (health() names the error; every later job is refused).
#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "loop/answer.h"
#include "store/open.h"
#include "support/fault_sweep.h"
#include "support/faulty_vfs.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

using testing::Fault;

constexpr int kBatches = 3;
constexpr int kSubmitsPerBatch = 4;
constexpr int kClaimsPerBatch = 2;
constexpr int64_t kNow = 1'700'000'000'000;

class GroupCommitFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InstallFaultyVfs();
    testing::SkipRealSyncs(true);
    auto s = OpenSqliteStore(Template(), OpenMode::kCreateIfMissing);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Store& st = **s;
    Project p;
    p.name = "p";
    p.labels = {"ham", "spam"};
    auto created = st.CreateProject(p);
    ASSERT_TRUE(created.ok());
    project_ = *created;
    for (int i = 0; i < 64; ++i) {
      Item it;
      it.project_id = project_.id;
      it.external_id = "i" + std::to_string(i);
      it.text = "an item to label, number " + std::to_string(i);
      it.content_hash = it.external_id;
      int64_t id = 0;
      ASSERT_TRUE(st.PutItem(it, "t", &id).ok());
      QueueEntry e;
      e.project_id = project_.id;
      e.item_id = id;
      e.priority = 100 - i;
      ASSERT_TRUE(st.Enqueue(e).ok());
    }
    // The leases the submits finish, claimed (and so acknowledged) before the faults.
    for (int i = 0; i < kBatches * kSubmitsPerBatch; ++i) {
      auto c = st.Claim(Request("ann"));
      ASSERT_TRUE(c.ok() && c->has_value());
      leases_.push_back((*c)->lease);
    }
  }

  ClaimRequest Request(const std::string& who) const {
    ClaimRequest r;
    r.project_id = project_.id;
    r.annotator = who;
    r.pools = {"general"};
    r.now = kNow;
    r.ttl_ms = 3'600'000;
    return r;
  }
  std::string Template() const { return dir_.File("template.db"); }
  std::string Work() const { return dir_.File("work.db"); }

  // Runs `jobs` in ONE batch when the writer takes jobs at all: a first job holds the writer until
  // every job is queued behind it (the batches, and so the writes, are the same on every run).
  // When the writer refuses at once (it is stopped) the jobs run one after the other instead.
  static std::vector<Status> RunInOneBatch(GroupCommitter& gc, const std::vector<GroupCommitter::Job>& jobs) {
    std::atomic<bool> gate_running{false}, gate_done{false}, all_queued{false};
    std::thread gate([&] {
      (void)gc.Run([&](Store&) -> Status {
        gate_running = true;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!all_queued && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        return Status::Ok();
      });
      gate_done = true;
    });
    while (!gate_running && !gate_done) std::this_thread::sleep_for(std::chrono::microseconds(200));
    std::vector<Status> results(jobs.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < jobs.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = gc.Run(jobs[i]); });
      while (gate_running && !gate_done && gc.queued() < i + 1) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    all_queued = true;
    for (auto& t : threads) t.join();
    gate.join();
    return results;
  }

  struct Outcome {
    std::set<std::string> acked_submits;  // lease ids
    std::set<std::string> acked_claims;
    std::vector<Status> errors;
    Status health;
    Status probe;  // a job handed in after the batches
  };

  // The server's writer over Work(): the batches, a probe job, then the writer's store closes.
  Outcome RunBatches() {
    Outcome out;
    auto w = OpenSqliteStore(Work(), OpenMode::kMustExist);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return out;
    GroupCommitter gc(std::move(w).value(), GroupCommitter::Options{});
    for (int b = 0; b < kBatches; ++b) {
      std::vector<GroupCommitter::Job> jobs;
      std::vector<std::string> ids;  // lease id per job ("" for a claim until it returns)
      std::vector<std::string> claimed(kClaimsPerBatch);
      for (int j = 0; j < kSubmitsPerBatch; ++j) {
        const Lease lease = leases_[static_cast<size_t>(b * kSubmitsPerBatch + j)];
        ids.push_back(lease.id);
        jobs.push_back([this, lease](Store& s) -> Status {
          loop::Answer a;
          a.labels = {lease.item_id % 2 ? "spam" : "ham"};
          a.time_spent_ms = 1000;
          return loop::RecordAnswer(s, project_, lease, "ann", a, kNow + 1);
        });
      }
      for (int j = 0; j < kClaimsPerBatch; ++j) {
        ids.push_back("");
        jobs.push_back([this, j, &claimed](Store& s) -> Status {
          auto c = s.Claim(Request("bob" + std::to_string(j)));
          if (!c.ok()) return c.status();
          if (!c->has_value()) return NotFound("nothing to claim");
          claimed[static_cast<size_t>(j)] = (*c)->lease.id;
          return Status::Ok();
        });
      }
      const std::vector<Status> results = RunInOneBatch(gc, jobs);
      for (size_t i = 0; i < results.size(); ++i) {
        if (!results[i].ok()) {
          out.errors.push_back(results[i]);
          continue;
        }
        if (i < kSubmitsPerBatch) out.acked_submits.insert(ids[i]);
        else out.acked_claims.insert(claimed[i - kSubmitsPerBatch]);
      }
    }
    out.probe = gc.Run([](Store&) { return Status::Ok(); });
    out.health = gc.health();
    return out;
  }

  testing::TempDir dir_;
  Project project_;
  std::vector<Lease> leases_;
};

TEST_F(GroupCommitFaultsTest, AFaultAtAnyWriteOfABatchLosesNothingAcknowledgedAndStopsClearly) {
  testing::CopyDatabase(Template(), Work());
  const int64_t w0 = testing::Writes(), s0 = testing::Syncs();
  const Outcome clean = RunBatches();
  const int64_t writes = testing::Writes() - w0, syncs = testing::Syncs() - s0;
  ASSERT_TRUE(clean.errors.empty()) << clean.errors[0].ToString();
  ASSERT_EQ(clean.acked_submits.size(), static_cast<size_t>(kBatches * kSubmitsPerBatch));
  ASSERT_EQ(clean.acked_claims.size(), static_cast<size_t>(kBatches * kClaimsPerBatch));
  ASSERT_GE(syncs, kBatches);

  int points = 0, stopped = 0;
  for (Fault fault : testing::kEveryFault) {
    const int64_t n = fault == Fault::kFsync ? syncs : writes;
    for (int64_t k = 1; k <= n; ++k) {
      SCOPED_TRACE(std::string(testing::FaultName(fault)) + " at " + std::to_string(k) + " of " +
                   std::to_string(n));
      testing::CopyDatabase(Template(), Work());
      testing::ArmFault(fault, k);
      const Outcome o = RunBatches();
      testing::Disarm();
      ++points;
      EXPECT_TRUE(testing::FaultFired());
      // The process goes on, or stops for good with a message.
      if (!o.health.ok()) {
        ++stopped;
        EXPECT_FALSE(o.health.message().empty());
        EXPECT_FALSE(o.probe.ok()) << "a stopped writer took a job";
        EXPECT_EQ(o.probe.code(), StatusCode::kFailedPrecondition) << o.probe.ToString();
      } else {
        EXPECT_TRUE(o.errors.empty()) << "a job failed but the writer says it is fine: " << o.errors[0].ToString();
        EXPECT_TRUE(o.probe.ok()) << o.probe.ToString();
      }
      for (const Status& e : o.errors) EXPECT_FALSE(e.message().empty());

      EXPECT_EQ(testing::DatabaseProblems(Work()), "");
      auto s = OpenSqliteStore(Work(), OpenMode::kMustExist);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      for (const Lease& l : leases_) {
        auto now = (*s)->GetLease(l.id);
        ASSERT_TRUE(now.ok()) << now.status().ToString();
        auto anns = (*s)->ListAnnotations(l.item_id);
        ASSERT_TRUE(anns.ok());
        const bool answered = !anns->empty();
        const bool submitted = now->state == LeaseState::kSubmitted;
        EXPECT_EQ(answered, submitted) << "a submit was split: lease " << l.id;
        if (o.acked_submits.count(l.id)) EXPECT_TRUE(submitted) << "an acknowledged submit was lost";
      }
      for (const std::string& id : o.acked_claims) {
        auto lease = (*s)->GetLease(id);
        EXPECT_TRUE(lease.ok()) << "an acknowledged claim was lost: " << lease.status().ToString();
      }
    }
  }
  std::cerr << "group commit: " << writes << " writes, " << syncs << " syncs, " << points
            << " injection points, writer stopped after " << stopped << "\n";
}

// Regression: an I/O error (or a failing fsync) on a batch's COMMIT reached the callers as IoError,
// which the server answered 500 "internal error", while the writer had in fact stopped for good
// (/healthz 503, every later write 503). A failed commit now reaches every job of its batch as
// FailedPrecondition naming the error, as a full disk always did: 503 from the first request.
TEST_F(GroupCommitFaultsTest, AnIoErrorOnABatchCommitIsFailedPreconditionForEveryJob) {
  for (Fault fault : {Fault::kEio, Fault::kFsync}) {
    SCOPED_TRACE(testing::FaultName(fault));
    testing::CopyDatabase(Template(), Work());
    auto w = OpenSqliteStore(Work(), OpenMode::kMustExist);
    ASSERT_TRUE(w.ok());
    GroupCommitter gc(std::move(w).value(), GroupCommitter::Options{});
    const Lease lease = leases_[0];
    testing::ArmFault(fault, 1);
    const Status st = gc.Run([&](Store& s) -> Status {
      loop::Answer a;
      a.labels = {"ham"};
      return loop::RecordAnswer(s, project_, lease, "ann", a, kNow + 1);
    });
    testing::Disarm();
    ASSERT_TRUE(testing::FaultFired());
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
    EXPECT_NE(st.message().find("writer stopped"), std::string::npos) << st.ToString();
    EXPECT_EQ(gc.health().code(), StatusCode::kFailedPrecondition) << gc.health().ToString();
  }
}

}  // namespace
}  // namespace hitloop
