// store/backup.h on SQLite: an online backup is one consistent snapshot even while another
// connection commits in a loop; restore and check refuse foreign, corrupt and future files with
// the file and the reason; nothing existing is replaced without force.
#include "store/backup.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "store/open.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "unit/store/sqlite/raw_sql.h"

namespace hitloop {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("hitloop.db");
    auto s = OpenSqliteStore(db_, OpenMode::kCreateIfMissing);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Project p;
    p.name = "p";
    p.labels = {"ham", "spam"};
    auto created = store_->CreateProject(p);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_ = *created;
  }
  // One item and its annotation, in one transaction.
  static Status AddLabelled(Store& s, int64_t project_id, int i) {
    return s.InTransaction([&]() -> Status {
      Item it;
      it.project_id = project_id;
      it.external_id = "w" + std::to_string(i);
      it.text = "text number " + std::to_string(i) + std::string(200, 'x');
      it.content_hash = "h" + std::to_string(i);
      int64_t id = 0;
      auto r = s.PutItem(it, "", &id);
      if (!r.ok()) return r.status();
      Annotation a;
      a.item_id = id;
      a.labels = {i % 2 ? "spam" : "ham"};
      a.annotator = "alice";
      a.created_at = 1;
      auto ar = s.AppendAnnotation(a);
      return ar.ok() ? Status::Ok() : ar.status();
    });
  }
  void AddItems(int from, int to) {
    for (int i = from; i < to; ++i) ASSERT_TRUE(AddLabelled(*store_, project_.id, i).ok());
  }
  // Items (by external id) and annotations of the backup at `path`.
  static void ReadBack(const std::string& path, std::set<std::string>* ids, int64_t* annotations) {
    auto s = OpenSqliteStore(path, OpenMode::kMustExist);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto p = (*s)->GetProject("p");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    ASSERT_TRUE((*s)->ScanItems(
                        p->id,
                        [&](const Item& it) {
                          ids->insert(it.external_id);
                          return true;
                        },
                        false, true)
                    .ok());
    *annotations = 0;
    ASSERT_TRUE((*s)->ScanAnnotations(p->id,
                                      [&](const Annotation&) {
                                        ++*annotations;
                                        return true;
                                      })
                    .ok());
  }

  testing::TempDir dir_;
  std::string db_;
  std::unique_ptr<Store> store_;
  Project project_;
};

TEST_F(BackupTest, CopiesTheWholeDatabaseWithMode0600) {
  AddItems(0, 50);
  const std::string out = dir_.File("b.db");
  auto st = BackupDatabase(db_, out, {});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_GT(st->bytes, 0);
  struct stat sb;
  ASSERT_EQ(::stat(out.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  std::set<std::string> ids;
  int64_t annotations = 0;
  ReadBack(out, &ids, &annotations);
  EXPECT_EQ(ids.size(), 50u);
  EXPECT_EQ(annotations, 50);
  auto check = CheckDatabase(out);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->problems.empty());
  // No temporary file is left beside it.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    files += e.path().filename().string().find(".tmp-") != std::string::npos;
  }
  EXPECT_EQ(files, 0);
}

// Another connection commits (item + its annotation, one transaction each) in a loop while
// backups are taken: each backup passes its checks, holds every transaction committed before it
// began, and no half of one (an item without its annotation, or a gap in the sequence).
TEST_F(BackupTest, BackupWhileAnotherConnectionWritesIsConsistent) {
  AddItems(0, 10);
  std::atomic<int> committed{10};
  std::atomic<bool> stop{false};
  std::atomic<bool> writer_ok{true};
  std::thread writer([&] {
    auto s = OpenSqliteStore(db_, OpenMode::kMustExist);
    if (!s.ok()) {
      writer_ok = false;
      return;
    }
    for (int i = 10; !stop; ++i) {
      if (!AddLabelled(**s, project_.id, i).ok()) {
        writer_ok = false;
        return;
      }
      committed = i + 1;
    }
  });
  int previous = 0;
  for (int b = 0; b < 4; ++b) {
    // Let the writer get ahead of the previous backup, so each snapshot is taken mid-stream.
    while (committed < previous + 30 && writer_ok) std::this_thread::yield();
    const int before = committed;
    const std::string out = dir_.File("b" + std::to_string(b) + ".db");
    auto st = BackupDatabase(db_, out, {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    std::set<std::string> ids;
    int64_t annotations = 0;
    ReadBack(out, &ids, &annotations);
    const int n = static_cast<int>(ids.size());
    EXPECT_GE(n, before) << "backup " << b << " lost transactions committed before it began";
    EXPECT_EQ(annotations, n) << "backup " << b << " holds half a transaction";
    for (int i = 0; i < n; ++i) EXPECT_TRUE(ids.count("w" + std::to_string(i))) << "gap at w" << i;
    previous = n;
  }
  stop = true;
  writer.join();
  EXPECT_TRUE(writer_ok) << "the writer failed while backups ran";
  EXPECT_GT(committed.load(), previous) << "the writer kept committing after the last backup";
}

TEST_F(BackupTest, NothingIsOverwrittenWithoutForce) {
  AddItems(0, 5);
  const std::string out = dir_.File("b.db");
  { std::ofstream(out) << "precious"; }
  auto st = BackupDatabase(db_, out, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.status().message().find(out), std::string::npos);
  EXPECT_NE(st.status().message().find("--force"), std::string::npos);
  EXPECT_EQ(ReadAll(out), "precious");

  BackupOptions force;
  force.force = true;
  ASSERT_TRUE(BackupDatabase(db_, out, force).ok());
  EXPECT_TRUE(CheckDatabase(out).ok());

  // Restore into an existing database: refused without force, the target unchanged.
  const std::string other = dir_.File("other.db");
  ASSERT_TRUE(BackupDatabase(db_, other, {}).ok());
  AddItems(5, 8);  // the live database now differs from the backup
  const std::string live_before = ReadAll(db_);
  auto r = RestoreDatabase(other, db_, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadAll(db_), live_before);
}

TEST_F(BackupTest, RestoreIntoANewPathAndOverAnExistingDatabase) {
  AddItems(0, 20);
  const std::string bak = dir_.File("b.db");
  ASSERT_TRUE(BackupDatabase(db_, bak, {}).ok());
  AddItems(20, 30);

  const std::string fresh = dir_.File("restored.db");
  auto r = RestoreDatabase(bak, fresh, false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  struct stat sb;
  ASSERT_EQ(::stat(fresh.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  std::set<std::string> ids;
  int64_t annotations = 0;
  ReadBack(fresh, &ids, &annotations);
  EXPECT_EQ(ids.size(), 20u);

  // Over the live database (30 items) with force: back to the backup's 20, through SQLite.
  store_.reset();
  r = RestoreDatabase(bak, db_, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ids.clear();
  ReadBack(db_, &ids, &annotations);
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(annotations, 20);
  EXPECT_TRUE(CheckDatabase(db_)->problems.empty());
}

TEST_F(BackupTest, RestoreRefusesAForeignSqliteFile) {
  const std::string foreign = dir_.File("notes.db");
  ASSERT_EQ(testing::RawExec(foreign,
                 "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);"
                 "INSERT INTO notes(body) VALUES('keep me');"),
            "");
  const std::string dest = dir_.File("restored.db");
  auto r = RestoreDatabase(foreign, dest, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find(foreign + ": not a hitloop database"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(Exists(dest));
  // And as a destination: a foreign database is not replaced, even with force.
  const std::string bak = dir_.File("b.db");
  ASSERT_TRUE(BackupDatabase(db_, bak, {}).ok());
  const std::string before = ReadAll(foreign);
  r = RestoreDatabase(bak, foreign, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a hitloop database"), std::string::npos);
  EXPECT_EQ(ReadAll(foreign), before);
  // A foreign source is not backed up either.
  auto b = BackupDatabase(foreign, dir_.File("x.db"), {});
  ASSERT_FALSE(b.ok());
  EXPECT_FALSE(Exists(dir_.File("x.db")));
}

TEST_F(BackupTest, RestoreRefusesACorruptFile) {
  AddItems(0, 400);  // enough pages that damage in the middle hits a b-tree page
  const std::string bak = dir_.File("b.db");
  ASSERT_TRUE(BackupDatabase(db_, bak, {}).ok());
  std::string bytes = ReadAll(bak);
  ASSERT_GT(bytes.size(), 20u * 4096);
  for (size_t i = 8 * 4096; i < 12 * 4096; ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 7));
  { std::ofstream(bak, std::ios::binary | std::ios::trunc) << bytes; }
  const std::string dest = dir_.File("restored.db");
  auto r = RestoreDatabase(bak, dest, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  EXPECT_NE(r.status().message().find(bak), std::string::npos);
  EXPECT_FALSE(Exists(dest));
  auto c = CheckDatabase(bak);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->problems.empty());

  // Not a database at all, and a missing file.
  const std::string junk = dir_.File("junk.db");
  { std::ofstream(junk) << std::string(8192, 'j'); }
  r = RestoreDatabase(junk, dest, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  EXPECT_NE(r.status().message().find(junk + ": "), std::string::npos);
  EXPECT_NE(r.status().message().find("not a database"), std::string::npos) << r.status().message();
  r = RestoreDatabase(dir_.File("missing.db"), dest, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Exists(dest));
}

TEST_F(BackupTest, RestoreRefusesANewerSchemaVersion) {
  const std::string bak = dir_.File("b.db");
  ASSERT_TRUE(BackupDatabase(db_, bak, {}).ok());
  ASSERT_EQ(testing::RawExec(bak, "PRAGMA user_version=9999"), "");
  auto r = RestoreDatabase(bak, dir_.File("restored.db"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("newer than this hitloop"), std::string::npos);
}

TEST_F(BackupTest, CheckFindsForeignKeyViolations) {
  AddItems(0, 3);
  auto ok = CheckDatabase(db_);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->problems.empty());
  EXPECT_EQ(ok->integrity, "ok");
  EXPECT_GT(ok->schema_version, 0);
  EXPECT_EQ(ok->schema_version, ok->latest_version);
  ASSERT_EQ(
      testing::RawExec(db_,
           "INSERT INTO annotations(project_id, item_id, labels, source, annotator, created_at) "
           "VALUES(1, 99999, '[\"ham\"]', 'human', 'x', 1)"),
      "");
  auto bad = CheckDatabase(db_);
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_EQ(bad->foreign_key_violations, 1);
  ASSERT_EQ(bad->problems.size(), 1u);
  EXPECT_NE(bad->problems[0].find("foreign_key_check"), std::string::npos);
  // A backup of it would restore a broken database: refused.
  const std::string bak = dir_.File("b.db");
  BackupOptions no_verify;
  no_verify.verify = false;
  ASSERT_TRUE(BackupDatabase(db_, bak, no_verify).ok());
  EXPECT_FALSE(RestoreDatabase(bak, dir_.File("r.db"), false).ok());
  EXPECT_FALSE(BackupDatabase(db_, dir_.File("verified.db"), {}).ok());
  EXPECT_FALSE(Exists(dir_.File("verified.db")));
}

TEST_F(BackupTest, CheckOfAMissingDatabaseIsNotFound) {
  auto r = CheckDatabase(dir_.File("typo.db"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Exists(dir_.File("typo.db")));
}

}  // namespace
}  // namespace hitloop
