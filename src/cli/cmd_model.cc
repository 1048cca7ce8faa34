// hitloop model connect NAME URL [--auth USER:PASS] [--allow-outbound HOST:PORT]... [--as BACKEND]
//   [--no-check]: the project's cycles take their pre-labels from an external model server that
//   speaks Label Studio's ML-backend protocol (docs/ML_BACKEND.md). The backend is checked
//   (GET /health) before it is stored, unless --no-check.
// hitloop model disconnect NAME: back to hitloop's own model.
// hitloop model show NAME: the connected backend, if any (the password is not printed).
// Stored under the "ml_backend" key of the project config (mlbackend/protocol.h).
#include <cstdio>
#include <memory>

#include "cli/admin_log.h"
#include "cli/command.h"
#include "mlbackend/client.h"
#include "mlbackend/protocol.h"
#include "net/outbound.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

struct ConnectArgs {
  std::string project, url, auth, as;
  std::vector<std::string> allow;
  bool no_check = false;
};

Result<mlbackend::BackendSettings> SettingsFrom(const ConnectArgs& a) {
  mlbackend::BackendSettings s;
  ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(a.url));
  s.url = a.url;
  s.name = a.as.empty() ? u.HostPort() : a.as;
  if (!a.auth.empty()) {
    const size_t colon = a.auth.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == a.auth.size()) {
      return InvalidArgument("--auth: expected USER:PASS");
    }
    s.auth_user = a.auth.substr(0, colon);
    s.auth_pass = a.auth.substr(colon + 1);
  }
  ASSIGN_OR_RETURN(net::AllowList allow, net::AllowList::Parse(a.allow));
  s.allow_outbound = allow.entries();
  return s;
}

int Connect(const ConnectArgs& a, const GlobalOptions& g) {
  auto store = OpenSqliteStore(g.db_path, OpenMode::kMustExist);
  if (!store.ok()) return Fail(store.status());
  auto p = (*store)->GetProject(a.project);
  if (!p.ok()) return Fail(p.status());
  auto s = SettingsFrom(a);
  if (!s.ok()) return Fail(s.status());
  if (!a.no_check) {
    auto client = mlbackend::BackendClient::Create(*s);
    if (!client.ok()) return Fail(client.status());
    auto h = client->Health();
    if (!h.ok()) {
      return Fail(Status(h.status().code(), h.status().message() +
                                                " (--no-check stores the backend anyway)"));
    }
  }
  // The entry names the backend, never its credentials.
  const Status st = (*store)->InTransaction([&]() -> Status {
    RETURN_IF_ERROR((*store)->SetProjectConfig(p->id, mlbackend::WithBackendSettings(p->config_json, *s)));
    return LogCliAction(**store, "project.ml-backend.connect", p->name, s->name,
                        {{"basic_auth", !s->auth_user.empty()}});
  });
  if (!st.ok()) return Fail(st);
  std::printf("project %s: pre-labels now come from ml backend '%s' (%s)%s\n", a.project.c_str(),
              s->name.c_str(), s->url.c_str(),
              s->auth_user.empty() ? "" : ", Basic auth");
  return 0;
}

int Disconnect(const std::string& project, const GlobalOptions& g) {
  auto store = OpenSqliteStore(g.db_path, OpenMode::kMustExist);
  if (!store.ok()) return Fail(store.status());
  auto p = (*store)->GetProject(project);
  if (!p.ok()) return Fail(p.status());
  auto s = mlbackend::LoadBackendSettings(p->config_json);
  if (s.ok() && !s->has_value()) {
    std::printf("project %s: no ml backend connected\n", project.c_str());
    return 0;
  }
  const Status st = (*store)->InTransaction([&]() -> Status {
    RETURN_IF_ERROR((*store)->SetProjectConfig(p->id, mlbackend::WithBackendSettings(p->config_json, std::nullopt)));
    return LogCliAction(**store, "project.ml-backend.disconnect", p->name, "");
  });
  if (!st.ok()) return Fail(st);
  std::printf("project %s: ml backend disconnected; cycles train hitloop's own model again\n",
              project.c_str());
  return 0;
}

int Show(const std::string& project, const GlobalOptions& g) {
  auto store = OpenSqliteStore(g.db_path, OpenMode::kMustExist);
  if (!store.ok()) return Fail(store.status());
  auto p = (*store)->GetProject(project);
  if (!p.ok()) return Fail(p.status());
  auto s = mlbackend::LoadBackendSettings(p->config_json);
  if (!s.ok()) return Fail(s.status());
  if (!s->has_value()) {
    std::printf("project %s: no ml backend connected (hitloop's own model)\n", project.c_str());
    return 0;
  }
  const mlbackend::BackendSettings& b = **s;
  std::printf("project %s: ml backend '%s'\n  url %s\n  auth %s\n  allow-outbound %s\n"
              "  time-outs: connect %lld ms, predict %lld ms, health %lld ms, setup %lld ms; "
              "retries %d; batch %d\n",
              project.c_str(), b.name.c_str(), b.url.c_str(),
              b.auth_user.empty() ? "none" : ("Basic, user " + b.auth_user).c_str(),
              b.allow_outbound.empty() ? "none" : [&] {
                std::string all;
                for (const auto& e : b.allow_outbound) all += (all.empty() ? "" : ",") + e;
                return all;
              }().c_str(),
              static_cast<long long>(b.connect_timeout_ms), static_cast<long long>(b.predict_timeout_ms),
              static_cast<long long>(b.health_timeout_ms), static_cast<long long>(b.setup_timeout_ms),
              b.retries, b.batch);
  return 0;
}

}  // namespace

void RegisterModel(CLI::App& app, GlobalOptions& g, int* exit_code) {
  auto* model = app.add_subcommand(
      "model", "Connect a project to an external model server (Label Studio ML-backend protocol)");
  model->require_subcommand(1);

  auto a = std::make_shared<ConnectArgs>();
  auto* connect = model->add_subcommand("connect", "Take the project's pre-labels from an ML backend");
  connect->add_option("NAME", a->project, "Project name")->required();
  connect->add_option("URL", a->url, "The backend's base URL (http or https)")->required();
  connect->add_option("--auth", a->auth, "USER:PASS for HTTP Basic auth");
  connect->add_option("--allow-outbound", a->allow,
                      "HOST:PORT the backend may be reached at although its address is private, "
                      "loopback or reserved (repeatable)");
  connect->add_option("--as", a->as, "A name for the backend (default: its HOST:PORT)");
  connect->add_flag("--no-check", a->no_check, "Store it without asking GET /health first");
  connect->callback([a, &g, exit_code] { *exit_code = Connect(*a, g); });

  auto dname = std::make_shared<std::string>();
  auto* disconnect = model->add_subcommand("disconnect", "Back to hitloop's own model");
  disconnect->add_option("NAME", *dname, "Project name")->required();
  disconnect->callback([dname, &g, exit_code] { *exit_code = Disconnect(*dname, g); });

  auto sname = std::make_shared<std::string>();
  auto* show = model->add_subcommand("show", "The project's connected ML backend, if any");
  show->add_option("NAME", *sname, "Project name")->required();
  show->callback([sname, &g, exit_code] { *exit_code = Show(*sname, g); });
}

}  // namespace hitloop::cli
