#pragma once
// Route handlers. Each runs after the dispatcher has authenticated the caller and checked the
// route's role and project/lease visibility (see routes.h); handlers add only the checks that
// depend on the request itself (e.g. whose lease it is).
#include "server/routes.h"

namespace hitloop::server {

// handlers_web.cc
void HandleIndexPage(Ctx& c);
void HandleAdminPage(Ctx& c);
void HandleAsset(Ctx& c);
void HandleHealth(Ctx& c);
// 200 {"ready": true} when the database answers a trivial query within kReadyTimeoutMs; else
// 503 {"ready": false, "reason": ...} with a reason that names no location (the error is logged).
void HandleReady(Ctx& c);
inline constexpr int64_t kReadyTimeoutMs = 1000;
void HandleSignIn(Ctx& c);
void HandleSignOut(Ctx& c);
void HandleMe(Ctx& c);

// handlers_tasks.cc
void HandleListProjects(Ctx& c);
void HandleGetProject(Ctx& c);
void HandleNextTask(Ctx& c);
void HandleSubmit(Ctx& c);
void HandleSkip(Ctx& c);
void HandleRelease(Ctx& c);
void HandleAmend(Ctx& c);
void HandleGetLease(Ctx& c);
void HandleMyAnswers(Ctx& c);

// handlers_admin.cc
void HandleProjectMetrics(Ctx& c);
void HandleQuality(Ctx& c);
void HandleClearGoldFlag(Ctx& c);
void HandleCreateProject(Ctx& c);
void HandleAddMember(Ctx& c);
void HandleEnqueue(Ctx& c);
void HandleQuarantineItems(Ctx& c);  // body {"items": [ids]}; all or none
void HandleDeleteItems(Ctx& c);
void HandleRestoreItems(Ctx& c);
void HandleListUsers(Ctx& c);
void HandleCreateUser(Ctx& c);
void HandleDisableUser(Ctx& c);
void HandleServerMetrics(Ctx& c);
void HandleAdminLog(Ctx& c);  // GET /api/v1/admin/log (store/action_log.h)

// handlers_browse.cc: the data browser
void HandleListItems(Ctx& c);  // ?state=&label=&q=&sort=&after=&limit=... (store/item_query.h)
void HandleGetItem(Ctx& c);    // an item with its whole history
void HandleMarkGold(Ctx& c);   // body {"items": [ids], "gold": true|false}; all or none
void HandleRelabel(Ctx& c);    // body {"items": [ids], "labels": [..]}; all or none

// handlers_loop.cc
void HandleRunCycle(Ctx& c);
void HandleReport(Ctx& c);
void HandleImport(Ctx& c);
void HandleExport(Ctx& c);

// handlers_review.cc: the review workflow (loop/review.h)
void HandleListReviews(Ctx& c);
void HandlePostReview(Ctx& c);
void HandleReviewPage(Ctx& c);  // in handlers_web.cc
// handlers_mlbackend.cc: Label Studio's ML-backend protocol for a project (/ml/{project}/...)
void HandleMlHealth(Ctx& c);
void HandleMlSetup(Ctx& c);
void HandleMlPredict(Ctx& c);
void HandleMlWebhook(Ctx& c);
// The password of an "Authorization: Basic ..." header ("" when not Basic or malformed): Label
// Studio sends its ML-backend credentials that way, so /ml/ routes take the API token there.
std::string BasicAuthPassword(const std::string& authorization);

}  // namespace hitloop::server
