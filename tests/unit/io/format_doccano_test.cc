#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "io/importer.h"
#include "support/temp_dir.h"

namespace hitloop::io {
namespace {

// Regression (found by fuzz_import_doccano): a doccano CSV whose header held invalid UTF-8 put
// that column name into the record's meta, and meta.dump() threw nlohmann's type_error 316 out of
// the reader: std::terminate, the whole `hitloop import` (or the server) aborted. Now the record
// is refused as invalid UTF-8 (InvalidArgument, FILE:LINE), like a bad cell.
TEST(Regression, DoccanoCsvHeaderWithInvalidUtf8IsRefusedNotAborted) {
  testing::TempDir dir;
  auto s = OpenSqliteStore(dir.File("db"));
  ASSERT_TRUE(s.ok());
  Project p;
  p.name = "p";
  p.labels = {"positive", "negative"};
  Project project = *(*s)->CreateProject(p);
  const std::string path = dir.File("bad.csv");
  std::ofstream(path, std::ios::binary) << "text,label,sou\x8f\xf5rce\n\"Great price.\",positive,web\n";
  auto r = ImportFile(**s, project, path, &kDoccanoFormat, ImportOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("bad.csv:"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("UTF-8"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace hitloop::io
