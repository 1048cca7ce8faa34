#pragma once
// Route handlers. Each runs after the dispatcher has authenticated the caller and checked the
// route's role and project/lease visibility (see routes.h); handlers add only the checks that
// depend on the request itself (e.g. whose lease it is). Each returns a Status: not OK, the
// dispatcher sends it as the error response (SendError); OK, the handler has sent its response
// itself (routes.h has the whole contract).
#include "server/routes.h"

namespace hitloop::server {

// handlers_web.cc
Status HandleIndexPage(Ctx& c);
Status HandleAdminPage(Ctx& c);
Status HandleAsset(Ctx& c);
Status HandleHealth(Ctx& c);
// 200 {"ready": true} when the database answers a trivial query within kReadyTimeoutMs; else
// 503 {"ready": false, "reason": ...} with a reason that names no location (the error is logged).
Status HandleReady(Ctx& c);
inline constexpr int64_t kReadyTimeoutMs = 1000;
Status HandleSignIn(Ctx& c);
Status HandleSignOut(Ctx& c);
Status HandleMe(Ctx& c);

// handlers_tasks.cc
Status HandleListProjects(Ctx& c);
Status HandleGetProject(Ctx& c);
Status HandleNextTask(Ctx& c);
Status HandleSubmit(Ctx& c);
Status HandleSkip(Ctx& c);
Status HandleRelease(Ctx& c);
Status HandleAmend(Ctx& c);
Status HandleGetLease(Ctx& c);
Status HandleMyAnswers(Ctx& c);

// handlers_admin.cc
Status HandleProjectMetrics(Ctx& c);
Status HandleQuality(Ctx& c);
Status HandleClearGoldFlag(Ctx& c);
Status HandleCreateProject(Ctx& c);
Status HandleAddMember(Ctx& c);
Status HandleEnqueue(Ctx& c);
Status HandleQuarantineItems(Ctx& c);  // body {"items": [ids]}; all or none
Status HandleDeleteItems(Ctx& c);
Status HandleRestoreItems(Ctx& c);
Status HandleListUsers(Ctx& c);
Status HandleCreateUser(Ctx& c);
Status HandleDisableUser(Ctx& c);
Status HandleServerMetrics(Ctx& c);
Status HandleAdminLog(Ctx& c);  // GET /api/v1/admin/log (store/action_log.h)

// handlers_browse.cc: the data browser
Status HandleListItems(Ctx& c);  // ?state=&label=&q=&sort=&after=&limit=... (store/item_query.h)
Status HandleGetItem(Ctx& c);    // an item with its whole history
Status HandleMarkGold(Ctx& c);   // body {"items": [ids], "gold": true|false}; all or none
Status HandleRelabel(Ctx& c);    // body {"items": [ids], "labels": [..]}; all or none

// handlers_loop.cc
Status HandleRunCycle(Ctx& c);
Status HandleReport(Ctx& c);
Status HandleImport(Ctx& c);
Status HandleExport(Ctx& c);

// handlers_review.cc: the review workflow (loop/review.h)
Status HandleListReviews(Ctx& c);
Status HandlePostReview(Ctx& c);
Status HandleReviewPage(Ctx& c);  // in handlers_web.cc
// handlers_mlbackend.cc: Label Studio's ML-backend protocol for a project (/ml/{project}/...)
Status HandleMlHealth(Ctx& c);
Status HandleMlSetup(Ctx& c);
Status HandleMlPredict(Ctx& c);
Status HandleMlWebhook(Ctx& c);
// The password of an "Authorization: Basic ..." header ("" when not Basic or malformed): Label
// Studio sends its ML-backend credentials that way, so /ml/ routes take the API token there.
std::string BasicAuthPassword(const std::string& authorization);

}  // namespace hitloop::server
