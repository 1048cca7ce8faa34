// Fault injection at every write of an import (support/faulty_vfs.h): a clean run counts the
// writes and syncs that `hitloop import` makes (open the database, import, close it: the close
// checkpoints the WAL into the database file), then the import runs again on a fresh copy of the
// same database once per injection point k = 1..N with the k-th write failing as EIO, ENOSPC or a
// short write, and with the k-th fsync failing. After each: the database passes `db check` and
// the queue counts hold, what was there before is all there, the import is whole or absent
// (all-or-nothing), an import that said OK is whole (nothing acknowledged is lost), a failed one
// says why, and a re-run on the reopened database finishes it.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "io/importer.h"
#include "store/open.h"
#include "support/fault_sweep.h"
#include "support/faulty_vfs.h"
#include "support/temp_dir.h"

namespace hitloop::io {
namespace {

using testing::Fault;

class ImporterFaultsTest : public ::testing::Test {
 protected:
  static constexpr int kBefore = 30;   // items imported (and acknowledged) before the faults
  static constexpr int kRecords = 120; // records of the import under test

  void SetUp() override {
    testing::InstallFaultyVfs();
    testing::SkipRealSyncs(true);
    before_ = Write("before.jsonl", 0, kBefore);
    file_ = Write("import.jsonl", kBefore, kRecords);
    auto s = OpenSqliteStore(Template(), OpenMode::kCreateIfMissing);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Project p;
    p.name = "p";
    p.labels = {"ham", "spam"};
    ASSERT_TRUE((*s)->CreateProject(p).ok());
    auto project = (*s)->GetProject("p");
    ASSERT_TRUE(project.ok());
    auto r = ImportFile(**s, *project, before_, &kJsonlFormat, ImportOptions{});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // Records [from, from + n): every fifth with a label, every seventh a gold item.
  std::string Write(const std::string& name, int from, int n) {
    std::string path = dir_.File(name);
    std::ofstream out(path);
    for (int i = from; i < from + n; ++i) {
      out << R"({"id":"r)" << i << R"(","text":"record number )" << i << " with some words "
          << std::string(static_cast<size_t>(i % 40), 'x') << '"';
      if (i % 5 == 0) out << R"(,"label":")" << (i % 2 ? "spam" : "ham") << '"';
      if (i % 7 == 0 && i % 5 != 0) out << R"(,"split":"gold","label":"ham")";
      out << "}\n";
    }
    return path;
  }
  std::string Template() const { return dir_.File("template.db"); }
  std::string Work() const { return dir_.File("work.db"); }

  // `hitloop import p FILE` on Work(): open, import, close.
  Status Import() {
    auto s = OpenSqliteStore(Work(), OpenMode::kMustExist);
    if (!s.ok()) return s.status();
    auto project = (*s)->GetProject("p");
    if (!project.ok()) return project.status();
    auto r = ImportFile(**s, *project, file_, &kJsonlFormat, ImportOptions{});
    return r.status();
  }

  // The external ids in Work() and how many answers it holds.
  std::set<std::string> Ids(int64_t* annotations) {
    std::set<std::string> ids;
    auto s = OpenSqliteStore(Work(), OpenMode::kMustExist);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return ids;
    auto project = (*s)->GetProject("p");
    EXPECT_TRUE(project.ok());
    EXPECT_TRUE((*s)->ScanItems(project->id, [&](const Item& it) {
      ids.insert(it.external_id);
      return true;
    }, false, true).ok());
    *annotations = (*s)->GetStatus(project->id)->annotations;
    return ids;
  }

  testing::TempDir dir_;
  std::string before_;
  std::string file_;
};

TEST_F(ImporterFaultsTest, AFaultAtAnyWriteLeavesTheImportWholeOrAbsentAndTheDatabaseHealthy) {
  // The clean run: the injection points, and what a whole import leaves.
  testing::CopyDatabase(Template(), Work());
  int64_t annotations_before = 0;
  const size_t ids_before = Ids(&annotations_before).size();
  ASSERT_EQ(ids_before, static_cast<size_t>(kBefore));
  const int64_t w0 = testing::Writes(), s0 = testing::Syncs();
  ASSERT_TRUE(Import().ok());
  const int64_t writes = testing::Writes() - w0, syncs = testing::Syncs() - s0;
  int64_t annotations_whole = 0;
  const std::set<std::string> whole = Ids(&annotations_whole);
  ASSERT_EQ(whole.size(), static_cast<size_t>(kBefore + kRecords));
  ASSERT_GT(writes, 2);
  ASSERT_GT(syncs, 0);
  RecordProperty("writes", static_cast<int>(writes));
  RecordProperty("syncs", static_cast<int>(syncs));

  int points = 0, failed = 0;
  for (Fault fault : testing::kEveryFault) {
    const int64_t n = fault == Fault::kFsync ? syncs : writes;
    for (int64_t k = 1; k <= n; ++k) {
      SCOPED_TRACE(std::string(testing::FaultName(fault)) + " at " + std::to_string(k) + " of " +
                   std::to_string(n));
      testing::CopyDatabase(Template(), Work());
      testing::ArmFault(fault, k);
      const Status st = Import();
      testing::Disarm();
      ++points;
      EXPECT_TRUE(testing::FaultFired());
      if (!st.ok()) {
        ++failed;
        EXPECT_FALSE(st.message().empty());
      }
      EXPECT_EQ(testing::DatabaseProblems(Work()), "");
      int64_t annotations = 0;
      const std::set<std::string> ids = Ids(&annotations);
      if (st.ok()) {
        EXPECT_EQ(ids, whole) << "an acknowledged import lost records";
        EXPECT_EQ(annotations, annotations_whole);
      } else {
        // Unacknowledged: absent, or whole (the commit reached the disk but its fsync failed).
        EXPECT_TRUE(ids.size() == ids_before || ids == whole) << ids.size() << " items: " << st.ToString();
        EXPECT_TRUE(annotations == annotations_before || annotations == annotations_whole) << annotations;
        // A re-run finishes it.
        ASSERT_TRUE(Import().ok());
        EXPECT_EQ(Ids(&annotations), whole);
        EXPECT_EQ(annotations, annotations_whole);
        EXPECT_EQ(testing::DatabaseProblems(Work()), "");
      }
    }
  }
  std::cerr << "import: " << writes << " writes, " << syncs << " syncs, " << points
            << " injection points, " << failed << " imports refused\n";
}

}  // namespace
}  // namespace hitloop::io
