// The authorisation matrix: every route in server::Routes() x {anonymous, annotator of another
// pool, annotator, reviewer, admin, member of another project}, each cell on a fresh server.
// A route without a row here fails RouteTableIsCovered; a row for a route that no longer exists
// fails it too.
#include <gtest/gtest.h>

#include <set>

#include "server/routes.h"
#include "support/temp_dir.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

// The callers, in column order.
const char* const kCallers[] = {"", "otherpool", "ann", "rev", "adm", "outsider"};
constexpr int kCallerCount = 6;

struct Row {
  const char* method;
  const char* pattern;  // as in the route table
  const char* path;     // concrete; {lease} = ann's active lease, {done} = ann's submitted lease
  const char* body;     // JSON or ""
  int expect[kCallerCount];  // anonymous, otherpool, ann, rev, adm, outsider
};

// clang-format off
const Row kMatrix[] = {
  {"GET", "/", "/", "", {200, 200, 200, 200, 200, 200}},
  {"GET", "/admin", "/admin", "", {200, 200, 200, 200, 200, 200}},
  {"GET", "/review", "/review", "", {200, 200, 200, 200, 200, 200}},
  {"GET", "/assets/{file}", "/assets/app.js", "", {200, 200, 200, 200, 200, 200}},
  {"GET", "/healthz", "/healthz", "", {200, 200, 200, 200, 200, 200}},
  {"GET", "/readyz", "/readyz", "", {200, 200, 200, 200, 200, 200}},
  {"POST", "/api/v1/session", "/api/v1/session", R"({"token":"wrong"})", {401, 401, 401, 401, 401, 401}},
  {"DELETE", "/api/v1/session", "/api/v1/session", "", {401, 200, 200, 200, 200, 200}},
  {"GET", "/api/v1/me", "/api/v1/me", "", {401, 200, 200, 200, 200, 200}},
  {"GET", "/api/v1/projects", "/api/v1/projects", "", {401, 200, 200, 200, 200, 200}},
  {"GET", "/api/v1/projects/{project}", "/api/v1/projects/p", "", {401, 200, 200, 200, 200, 404}},
  {"POST", "/api/v1/projects/{project}/tasks/next", "/api/v1/projects/p/tasks/next", "",
   {401, 204, 200, 200, 200, 404}},
  {"POST", "/api/v1/leases/{lease}/submit", "/api/v1/leases/{lease}/submit", R"({"label":"a"})",
   {401, 409, 200, 409, 409, 404}},
  {"POST", "/api/v1/leases/{lease}/skip", "/api/v1/leases/{lease}/skip", "", {401, 409, 200, 409, 409, 404}},
  {"POST", "/api/v1/leases/{lease}/release", "/api/v1/leases/{lease}/release", "",
   {401, 409, 200, 409, 409, 404}},
  {"POST", "/api/v1/leases/{lease}/amend", "/api/v1/leases/{done}/amend", R"({"label":"b"})",
   {401, 409, 200, 409, 409, 404}},
  {"GET", "/api/v1/projects/{project}/metrics", "/api/v1/projects/p/metrics", "", {401, 404, 404, 200, 200, 404}},
  {"POST", "/api/v1/projects", "/api/v1/projects", R"({"name":"new","labels":["x","y"]})",
   {401, 404, 404, 404, 201, 404}},
  {"POST", "/api/v1/projects/{project}/members", "/api/v1/projects/p/members", R"({"user":"outsider"})",
   {401, 404, 404, 404, 200, 404}},
  {"POST", "/api/v1/projects/{project}/queue", "/api/v1/projects/p/queue", R"({"items":["i3"],"pool":"experts"})",
   {401, 404, 404, 404, 200, 404}},
  {"GET", "/api/v1/users", "/api/v1/users", "", {401, 404, 404, 404, 200, 404}},
  {"POST", "/api/v1/users", "/api/v1/users", R"({"name":"newbie","role":"annotator"})",
   {401, 404, 404, 404, 201, 404}},
  {"POST", "/api/v1/users/{user}/disable", "/api/v1/users/ann/disable", "", {401, 404, 404, 404, 200, 404}},
  {"GET", "/api/v1/metrics", "/api/v1/metrics", "", {401, 404, 404, 404, 200, 404}},
  {"GET", "/api/v1/admin/log", "/api/v1/admin/log", "", {401, 404, 404, 404, 200, 404}},
  {"GET", "/api/v1/projects/{project}/report", "/api/v1/projects/p/report", "", {401, 404, 404, 200, 200, 404}},
  {"GET", "/api/v1/projects/{project}/quality", "/api/v1/projects/p/quality", "", {401, 404, 404, 200, 200, 404}},
  {"POST", "/api/v1/projects/{project}/quality/clear-flag", "/api/v1/projects/p/quality/clear-flag",
   R"({"annotator":"ann"})", {401, 404, 404, 404, 200, 404}},
  {"POST", "/api/v1/projects/{project}/cycle", "/api/v1/projects/p/cycle", "", {401, 404, 404, 404, 200, 404}},
  {"POST", "/api/v1/projects/{project}/import", "/api/v1/projects/p/import?format=jsonl",
   R"({"id": "n1", "text": "new item"})", {401, 404, 404, 404, 200, 404}},
  {"GET", "/api/v1/projects/{project}/export", "/api/v1/projects/p/export", "", {401, 404, 404, 404, 200, 404}},
  {"GET", "/api/v1/leases/{lease}", "/api/v1/leases/{done}", "", {401, 409, 200, 409, 409, 404}},
  {"GET", "/api/v1/projects/{project}/my/answers", "/api/v1/projects/p/my/answers", "",
   {401, 200, 200, 200, 200, 404}},
  {"POST", "/api/v1/projects/{project}/items/quarantine", "/api/v1/projects/p/items/quarantine",
   R"({"items":["i3"]})", {401, 404, 404, 404, 200, 404}},
  {"POST", "/api/v1/projects/{project}/items/delete", "/api/v1/projects/p/items/delete",
   R"({"items":["i3"]})", {401, 404, 404, 404, 200, 404}},
  {"POST", "/api/v1/projects/{project}/items/restore", "/api/v1/projects/p/items/restore",
   R"({"items":["i3"]})", {401, 404, 404, 404, 200, 404}},
  // The data browser: reviewers read, admins act.
  {"GET", "/api/v1/projects/{project}/items", "/api/v1/projects/p/items?state=queued&q=item&limit=2", "",
   {401, 404, 404, 200, 200, 404}},
  {"GET", "/api/v1/projects/{project}/items/{item}", "/api/v1/projects/p/items/i3", "",
   {401, 404, 404, 200, 200, 404}},
  {"POST", "/api/v1/projects/{project}/items/gold", "/api/v1/projects/p/items/gold",
   R"({"items":["i3"],"gold":false})", {401, 404, 404, 404, 200, 404}},
  {"POST", "/api/v1/projects/{project}/items/label", "/api/v1/projects/p/items/label",
   R"({"items":["i3"],"labels":["a"]})", {401, 404, 404, 404, 200, 404}},
  // The review workflow: reviewers and admins; {answer} is ann's answer on the {done} lease.
  {"GET", "/api/v1/projects/{project}/reviews", "/api/v1/projects/p/reviews", "", {401, 404, 404, 200, 200, 404}},
  {"POST", "/api/v1/projects/{project}/answers/{answer}/review", "/api/v1/projects/p/answers/{answer}/review",
   R"({"verdict":"approve"})", {401, 404, 404, 200, 200, 404}},
  // Label Studio ML backend: reviewers and admins. p has no model yet (health and setup still
  // answer 200); predict with no tasks is the caller's 400 once authorised.
  {"GET", "/ml/{project}/health", "/ml/p/health", "", {401, 404, 404, 200, 200, 404}},
  {"POST", "/ml/{project}/setup", "/ml/p/setup", R"({"project":"1.0","schema":"<View/>"})",
   {401, 404, 404, 200, 200, 404}},
  {"POST", "/ml/{project}/predict", "/ml/p/predict", R"({"label_config":"<View/>"})",
   {401, 404, 404, 400, 400, 404}},
  {"POST", "/ml/{project}/webhook", "/ml/p/webhook", R"({"action":"ANNOTATION_CREATED"})",
   {401, 404, 404, 200, 200, 404}},
};
// clang-format on

TEST(AuthzMatrix, RouteTableIsCovered) {
  std::set<std::string> rows, routes;
  for (const Row& r : kMatrix) {
    EXPECT_TRUE(rows.insert(std::string(r.method) + " " + r.pattern).second) << "duplicate row " << r.pattern;
  }
  for (const auto& r : server::Routes()) routes.insert(std::string(r.method) + " " + r.pattern);
  for (const auto& r : routes) EXPECT_TRUE(rows.count(r)) << "route without authorisation matrix rows: " << r;
  for (const auto& r : rows) EXPECT_TRUE(routes.count(r)) << "matrix row for a route that does not exist: " << r;
}

// Every row's concrete path must reach its own route (not another one with the same shape).
TEST(AuthzMatrix, RowsMatchTheirRoutes) {
  for (const Row& r : kMatrix) {
    std::map<std::string, std::string> params;
    std::string path = std::string(r.path).substr(0, std::string(r.path).find('?'));
    EXPECT_TRUE(server::MatchPattern(r.pattern, path, &params) ||
                std::string(r.path).find('{') != std::string::npos)
        << r.path;
  }
}

class AuthzCell : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(AuthzCell, Status) {
  const Row& row = kMatrix[std::get<0>(GetParam())];
  const int caller = std::get<1>(GetParam());
  ServerFixture f;
  Project p = f.AddProject("p", {"a", "b"});
  Project q = f.AddProject("q", {"a", "b"});
  f.AddUser("otherpool", Role::kAnnotator, {"experts"}, {"p"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.AddUser("rev", Role::kReviewer, {"general"}, {"p"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.AddUser("outsider", Role::kAnnotator, {"general"}, {"q"});
  f.AddQueuedItems(p, 4);
  f.AddQueuedItems(q, 2);
  // ann holds two leases: one answered (for amend), one active.
  ClaimRequest req;
  req.project_id = p.id;
  req.annotator = "ann";
  req.pools = {"general"};
  req.now = f.clock().NowMillis();
  req.ttl_ms = 60'000;
  auto done = f.store().Claim(req);
  ASSERT_TRUE(done.ok() && done->has_value());
  ASSERT_TRUE(
      f.store().FinishLease((*done)->lease.id, "ann", LeaseState::kSubmitted, req.now).ok());
  Annotation answer;  // ann's answer to the done lease (what a reviewer judges)
  answer.item_id = (*done)->lease.item_id;
  answer.labels = {"a"};
  answer.annotator = "ann";
  answer.kind = "review";
  answer.created_at = req.now;
  auto answer_id = f.store().AppendAnnotation(answer);
  ASSERT_TRUE(answer_id.ok());
  auto active = f.store().Claim(req);
  ASSERT_TRUE(active.ok() && active->has_value());
  f.Start();

  std::string path = row.path;
  auto sub = [&](const std::string& var, const std::string& value) {
    size_t pos = path.find(var);
    if (pos != std::string::npos) path.replace(pos, var.size(), value);
  };
  sub("{lease}", (*active)->lease.id);
  sub("{done}", (*done)->lease.id);
  sub("{answer}", std::to_string(*answer_id));
  auto reply = f.Call(kCallers[caller], row.method, path, row.body);
  EXPECT_EQ(reply.status, row.expect[caller])
      << row.method << " " << path << " as " << (caller == 0 ? "anonymous" : kCallers[caller])
      << " -> " << reply.body;
  // Denials never leak what was denied: 404s look the same whether or not the thing exists.
  if (reply.status == 404 && std::string(row.path).find("/api/") == 0) {
    auto j = reply.json();
    EXPECT_EQ(j["error"]["code"], "not_found") << reply.body;
  }
}

std::string CellName(const ::testing::TestParamInfo<std::tuple<int, int>>& info) {
  const Row& row = kMatrix[std::get<0>(info.param)];
  std::string name = std::string(row.method) + "_" + row.pattern + "_" +
                     (std::get<1>(info.param) == 0 ? "anonymous" : kCallers[std::get<1>(info.param)]);
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Matrix, AuthzCell,
                         ::testing::Combine(::testing::Range(0, static_cast<int>(std::size(kMatrix))),
                                            ::testing::Range(0, kCallerCount)),
                         CellName);

}  // namespace
}  // namespace hitloop
