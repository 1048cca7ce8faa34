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
void HandleCreateProject(Ctx& c);
void HandleAddMember(Ctx& c);
void HandleEnqueue(Ctx& c);
void HandleListUsers(Ctx& c);
void HandleCreateUser(Ctx& c);
void HandleDisableUser(Ctx& c);
void HandleServerMetrics(Ctx& c);

// handlers_loop.cc
void HandleRunCycle(Ctx& c);
void HandleReport(Ctx& c);
void HandleImport(Ctx& c);
void HandleExport(Ctx& c);

}  // namespace hitloop::server
