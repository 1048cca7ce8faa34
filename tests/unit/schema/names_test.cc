#include "schema/names.h"

#include <gtest/gtest.h>

#include <string>

#include "store/store.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

TEST(Names, AcceptsWhatAPathSegmentCanCarry) {
  for (const char* ok : {"spam", "Spam 2024", "e-mails_v2.1", "émile", "客户", "a", "x%y", "a..b"}) {
    EXPECT_TRUE(ValidateName("name", ok, 100).ok()) << ok;
  }
  EXPECT_TRUE(ValidateName("name", std::string(100, 'x'), 100).ok());
}

// The CLI created users and projects the API could not address: a '/', a TAB, 5,000 characters.
// Both now go through the Store's one validator.
TEST(Regression, NamesTheApiCannotAddressAreRefusedEverywhere) {
  const std::string bad[] = {"", "a/b", "a\tb", "a\nb", std::string("a\0b", 3), "a\x7f", std::string(5000, 'n'),
                             " lead", "trail ", ".", "..", "back\\slash", "\xff\xfe", "\xc2\x85"};
  for (const auto& b : bad) EXPECT_FALSE(ValidateName("name", b, 200).ok()) << b;

  testing::TempDir dir;
  auto store = OpenSqliteStore(dir.File("h.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const auto& b : bad) {
    Project p;
    p.name = b;
    p.labels = {"a", "b"};
    auto r = (*store)->CreateProject(p);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << b;
    User u;
    u.name = b;
    u.role = Role::kAnnotator;
    u.pools = {"general"};
    auto ru = (*store)->CreateUser(u, std::string(32, 'h'));
    EXPECT_EQ(ru.status().code(), StatusCode::kInvalidArgument) << b;
  }
  auto projects = (*store)->ListProjects();
  ASSERT_TRUE(projects.ok());
  EXPECT_TRUE(projects->empty());
}

}  // namespace
}  // namespace hitloop
