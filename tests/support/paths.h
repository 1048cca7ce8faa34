#pragma once
// Where the tests find the checkout and the built binary. One file (tests/support/paths.cc) is
// compiled with the two paths, so the other test files' objects do not depend on the folder they
// were built in and ccache shares them between checkouts and worktrees.
namespace hitloop::testing {

const char* SourceDir();      // the checkout's root (HITLOOP_SOURCE_DIR)
const char* HitloopBinary();  // the built `hitloop` binary (HITLOOP_BINARY)

}  // namespace hitloop::testing

#define HITLOOP_SOURCE_DIR (::hitloop::testing::SourceDir())
#define HITLOOP_BINARY (::hitloop::testing::HitloopBinary())
