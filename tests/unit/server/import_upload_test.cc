// Admin import uploads over HTTP: hostile files are refused with 400 and the server lives on.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

size_t HitloopTempFiles() {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path(), ec)) {
    if (e.path().filename().string().rfind("hitloop-", 0) == 0) ++n;
  }
  return n;
}

// ~65k levels of '[' in one record's meta killed the whole server (stack overflow in the JSON
// library's copy/dump) and left the upload in the temporary folder.
TEST(ImportUpload, DeeplyNestedRecordIsRefusedAndTheServerLivesOn) {
  // A private temporary folder, so other tests' and jobs' files do not change the count.
  testing::TempDir tmp;
  const char* old = getenv("TMPDIR");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  setenv("TMPDIR", tmp.path().c_str(), 1);
  struct Restore {
    std::optional<std::string> v;
    ~Restore() { v ? setenv("TMPDIR", v->c_str(), 1) : unsetenv("TMPDIR"); }
  } restore{saved};
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.Start();
  const std::string deep = std::string(65000, '[') + std::string(65000, ']');
  const size_t temp_before = HitloopTempFiles();
  for (const char* format : {"jsonl", "label-studio"}) {
    std::string body = std::string(format) == "jsonl"
                           ? R"({"id":"x","text":"t","meta":{"k":)" + deep + "}}\n"
                           : R"([{"id":1,"data":{"text":"t"},"meta":{"k":)" + deep + "}}]";
    auto r = f.Call("adm", "POST", std::string("/api/v1/projects/p/import?format=") + format, body);
    EXPECT_EQ(r.status, 400) << format << ": " << r.body.substr(0, 300);
    EXPECT_NE(r.body.find("nested deeper than"), std::string::npos) << r.body.substr(0, 300);
  }
  auto ok = f.Call("adm", "POST", "/api/v1/projects/p/import?format=jsonl", "{\"id\":\"y\",\"text\":\"fine\"}\n");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["inserted"], 1);
  EXPECT_LE(HitloopTempFiles(), temp_before) << "the uploads are removed";
}

}  // namespace
}  // namespace hitloop
