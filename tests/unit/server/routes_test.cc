// The one writer of error bodies (server/routes.h: SendErrorBody, ErrorJson): the exact bytes
// clients and tests/http/*.scenario rely on, for codes of its own and for a Status's code.
#include "server/routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace hitloop::server {
namespace {

TEST(ErrorBodyWriter, WritesTheExactBytesStatusAndContentType) {
  httplib::Response res;
  SendErrorBody(res, 503, "busy", "the project is busy; retry");
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res.body, R"({"error":{"code":"busy","message":"the project is busy; retry"}})");

  // The bodies server.cc wrote as raw strings before there was a Ctx.
  httplib::Response large;
  SendErrorBody(large, 413, "too_large", "request body too large");
  EXPECT_EQ(large.status, 413);
  EXPECT_EQ(large.body, R"({"error":{"code":"too_large","message":"request body too large"}})");
  EXPECT_EQ(
      ErrorBodyText("unsupported_media_type", "multipart bodies are not accepted"),
      R"({"error":{"code":"unsupported_media_type","message":"multipart bodies are not accepted"}})");
  EXPECT_EQ(ErrorBodyText("internal", "internal error"),
            R"({"error":{"code":"internal","message":"internal error"}})");
  // A message is JSON-escaped, never spliced in.
  EXPECT_EQ(ErrorBodyText("idempotency_key_reused", "say \"x\"\n"),
            R"({"error":{"code":"idempotency_key_reused","message":"say \"x\"\n"}})");
}

TEST(ErrorBodyWriter, StatusBodiesNameTheCodeAndHideInternalDetails) {
  EXPECT_EQ(JsonText(ErrorJson(NotFound("project not found"))),
            R"({"error":{"code":"not_found","message":"project not found"}})");
  EXPECT_EQ(JsonText(ErrorJson(Conflict("lease is held by someone else"))),
            R"({"error":{"code":"conflict","message":"lease is held by someone else"}})");
  EXPECT_EQ(JsonText(ErrorJson(IoError("/var/lib/hitloop/db.sqlite: disk I/O error"))),
            R"({"error":{"code":"io_error","message":"internal error"}})");
  EXPECT_EQ(JsonText(ErrorJson(FailedPrecondition("store busy: writer stopped"))),
            R"({"error":{"code":"failed_precondition","message":"service unavailable"}})");
}

}  // namespace
}  // namespace hitloop::server
