// Admin and reviewer routes: project metrics, projects, membership, queueing, users.
#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/ids.h"
#include "loop/certify.h"
#include "loop/config.h"
#include "loop/cycle_record.h"
#include "schema/names.h"
#include "quality/project_quality.h"
#include "server/admin_log.h"
#include "server/certificate.h"
#include "server/handlers.h"
#include "server/server_impl.h"

namespace hitloop::server {
namespace {

Result<std::vector<std::string>> StringList(const nlohmann::json& body, const char* field) {
  std::vector<std::string> out;
  if (!body.contains(field)) return out;
  if (!body[field].is_array()) return InvalidArgument(std::string(field) + ": expected an array of strings");
  for (const auto& e : body[field]) {
    if (!e.is_string() || e.get<std::string>().empty()) {
      return InvalidArgument(std::string(field) + ": expected an array of non-empty strings");
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace

Status HandleProjectMetrics(Ctx& c) {
  auto st = c.store.GetStatus(c.project->id);
  if (!st.ok()) return st.status();
  auto counts = c.store.QueueCounts(c.project->id);
  if (!counts.ok()) return counts.status();
  nlohmann::json queues = nlohmann::json::array();
  for (const auto& [key, n] : *counts) queues.push_back({{"pool", key.first}, {"kind", key.second}, {"open", n}});

  // Annotator throughput from the annotation history: per annotator, the number of human/audit
  // answers, those in the last hour and the mean time. Agreement comes from quality/ (the same
  // numbers as `hitloop quality` and the report): `agreement` is the share of the annotator's
  // answers that equal the item's resolved label, `pairs` the answers it was measured on.
  struct Per {
    int64_t answers = 0, last_hour = 0, time_ms = 0, timed = 0;  // timed: answers with a measured time
  };
  std::map<std::string, Per> per;
  // The certificate's progress: the newest cycle counted its audits; audit answers given since
  // are counted by the next cycle (shown apart, so the page says what the CLI says).
  auto cycles = c.store.ListCycles(c.project->id);
  if (!cycles.ok()) return cycles.status();
  const int64_t last_cycle_at = cycles->empty() ? 0 : cycles->back().created_at;
  int64_t audits_since = 0;
  Status scan = c.store.ScanAnnotations(c.project->id, [&](const Annotation& a) {
    if (a.source != LabelSource::kHuman && a.source != LabelSource::kAudit) return true;
    // An item's own imported label (kind import, annotator "import" unless the file named one) is
    // no person's answer (docs/QUALITY.md); it showed as an annotator "import" with every label.
    if (a.kind == "import") return true;
    Per& p = per[a.annotator];
    p.answers += 1;
    if (a.time_spent_ms > 0) {  // 0 = not measured (imported answers): not a time of 0
      p.time_ms += a.time_spent_ms;
      p.timed += 1;
    }
    if (a.created_at > c.now - 3600 * 1000) p.last_hour += 1;
    if (a.source == LabelSource::kAudit && a.created_at > last_cycle_at) audits_since += 1;
    return true;
  });
  if (!scan.ok()) return scan;
  std::map<std::string, const quality::AnnotatorQuality*> by_name;
  std::optional<quality::QualityReport> q;
  if (c.project->type == TaskType::kSingleLabel) {
    quality::QualityOptions qo;
    qo.agreement.bootstrap.replicates = 0;  // intervals: GET .../quality
    auto built = quality::ProjectQuality(c.store, *c.project, qo);
    if (!built.ok()) return built.status();
    q = std::move(*built);
    for (const auto& a : q->per_annotator) by_name[a.annotator] = &a;
  }
  nlohmann::json annotators = nlohmann::json::array();
  for (const auto& [name, p] : per) {
    auto it = by_name.find(name);
    const quality::AnnotatorQuality* aq = it == by_name.end() ? nullptr : it->second;
    nlohmann::json gold = nullptr;
    if (aq != nullptr && aq->gold) {
      gold = {{"answered", aq->gold->answered}, {"correct", aq->gold->correct},
              {"accuracy", aq->gold->accuracy}, {"lower", aq->gold->interval.lower},
              {"upper", aq->gold->interval.upper}};
    }
    annotators.push_back({{"annotator", name},
                          {"answers", p.answers},
                          {"last_hour", p.last_hour},
                          {"mean_time_ms", p.timed ? p.time_ms / p.timed : 0},
                          {"pairs", aq ? aq->answers : 0},
                          {"agreement", aq && aq->answers
                                            ? nlohmann::json(static_cast<double>(aq->agree_with_resolved) / aq->answers)
                                            : nlohmann::json(nullptr)},
                          {"gold", gold}});
  }
  nlohmann::json certificate = CertificateJson(*c.project, *cycles);
  certificate["audits_answered_since_cycle"] = audits_since;
  SendJson(c, 200, {{"project", c.project->name},
                    {"certificate", certificate},
                    {"items", st->items},
                    {"by_state", st->by_state},
                    {"by_label_source", st->by_label_source},
                    {"by_label", st->by_label},
                    {"annotations", st->annotations},
                    {"queued", st->queued},
                    {"active_leases", st->active_leases},
                    {"queues", queues},
                    {"annotators", annotators},
                    {"quality", q ? nlohmann::json::parse(quality::QualityToJson(*q), nullptr, false)
                                  : nlohmann::json(nullptr)}});
  return Status::Ok();
}

Status HandleCreateProject(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  if (!body->contains("name") || !(*body)["name"].is_string()) return InvalidArgument("name: missing");
  Project p;
  p.name = (*body)["name"].get<std::string>();
  if (Status v = ValidateName("name", p.name, kMaxProjectNameBytes); !v.ok()) {
    return v;
  }
  if (body->contains("type")) {
    if (!(*body)["type"].is_string()) return InvalidArgument("type: expected a string");
    auto t = ParseTaskType((*body)["type"].get<std::string>());
    if (!t.ok()) return t.status();
    p.type = *t;
  }
  auto labels = StringList(*body, "labels");
  if (!labels.ok()) return labels.status();
  p.labels = *labels;
  if (!IsPreferenceType(p.type) && p.labels.empty()) {
    return InvalidArgument("labels: at least one label is required");
  }
  p.created_at = c.now;
  Result<Project> created = Project{};
  Status st = c.store.InTransaction([&]() -> Status {
    created = c.store.CreateProject(p);
    if (!created.ok()) return created.status();
    return LogAdminAction(c.store, c, "project.create", created->name,
                          {{"type", TaskTypeName(created->type)}, {"labels", created->labels}});
  });
  if (!st.ok()) return st;
  SendJson(c, 201, {{"name", created->name}, {"type", TaskTypeName(created->type)}, {"labels", created->labels}});
  return Status::Ok();
}

Status HandleAddMember(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  if (!body->contains("user") || !(*body)["user"].is_string()) return InvalidArgument("user: missing");
  auto u = c.store.FindUserByName((*body)["user"].get<std::string>());
  if (!u.ok()) return u.status();
  if (!u->has_value()) return NotFound("user not found");
  Status st = c.store.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(c.store.AddMember(c.project->id, (*u)->id));
    return LogAdminAction(c.store, c, "project.member.add", (*u)->name);
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{"project", c.project->name}, {"user", (*u)->name}});
  return Status::Ok();
}

Status HandleEnqueue(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  auto ids = StringList(*body, "items");
  if (!ids.ok()) return ids.status();
  if (ids->empty()) return InvalidArgument("items: expected at least one item id");
  if (ids->size() > 10000) return InvalidArgument("items: at most 10000 per request");
  QueueEntry e;
  e.project_id = c.project->id;
  const nlohmann::json& b = *body;
  if (b.contains("pool")) {
    if (!b["pool"].is_string() || b["pool"].get<std::string>().empty()) return InvalidArgument("pool: expected a non-empty string");
    e.pool = b["pool"].get<std::string>();
    if (e.pool == kGoldPool) return InvalidArgument(std::string("pool: '") + kGoldPool + "' is reserved (gold questions)");
    if (e.pool == kReworkPool) return InvalidArgument(std::string("pool: '") + kReworkPool + "' is reserved (rework)");
  }
  if (b.contains("kind")) {
    if (!b["kind"].is_string()) return InvalidArgument("kind: expected a string");
    e.kind = b["kind"].get<std::string>();
    if (e.kind != "review" && e.kind != "audit" && e.kind != "adjudicate") {
      return InvalidArgument("kind: expected review|audit|adjudicate");
    }
  }
  if (b.contains("overlap")) {
    if (!b["overlap"].is_number_integer() || b["overlap"].get<int64_t>() < 1 || b["overlap"].get<int64_t>() > 100) {
      return InvalidArgument("overlap: expected an integer 1-100");
    }
    e.overlap = b["overlap"].get<int>();
  }
  if (b.contains("priority")) {
    if (!b["priority"].is_number()) return InvalidArgument("priority: expected a number");
    e.priority = b["priority"].get<double>();
  }
  int64_t queued = 0;
  // One writer job (all or nothing: a missing item rolls back the whole request).
  Status st = c.writer->Run([&](Store& w) -> Status {
    queued = 0;
    for (const auto& ext : *ids) {
      ASSIGN_OR_RETURN(auto item, w.FindItem(c.project->id, ext));
      if (!item) return NotFound("item '" + ext + "' not found");
      if (!item->hold.empty()) return Conflict("item '" + ext + "' is " + item->hold);
      QueueEntry one = e;
      one.item_id = item->id;
      RETURN_IF_ERROR(w.Enqueue(one).status());
      ++queued;
    }
    return LogAdminAction(w, c, "queue.add", std::to_string(queued) + " items",
                          {{"items", LoggedIds(*ids)}, {"count", queued}, {"pool", e.pool},
                           {"kind", e.kind}, {"overlap", e.overlap}, {"priority", e.priority}});
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{"queued", queued}});
  return Status::Ok();
}

namespace {
// Quarantine, delete or restore the items named in {"items": [...]}: one writer job, all or none.
Status SetItemsHold(Ctx& c, Store::ItemHold hold, const char* done, const char* action) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  auto ids = StringList(*body, "items");
  if (!ids.ok()) return ids.status();
  if (ids->empty()) return InvalidArgument("items: expected at least one item id");
  if (ids->size() > 10000) return InvalidArgument("items: at most 10000 per request");
  Status st = c.writer->Run([&](Store& w) -> Status {
    for (const auto& ext : *ids) RETURN_IF_ERROR(w.SetItemHold(c.project->id, ext, hold));
    return LogAdminAction(w, c, action, std::to_string(ids->size()) + " items",
                          {{"items", LoggedIds(*ids)}, {"count", ids->size()}});
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{done, static_cast<int64_t>(ids->size())}});
  return Status::Ok();
}
}  // namespace

Status HandleQuarantineItems(Ctx& c) {
  return SetItemsHold(c, Store::ItemHold::kQuarantined, "quarantined", "items.quarantine");
}
Status HandleDeleteItems(Ctx& c) {
  return SetItemsHold(c, Store::ItemHold::kDeleted, "deleted", "items.delete");
}
Status HandleRestoreItems(Ctx& c) {
  return SetItemsHold(c, Store::ItemHold::kNone, "restored", "items.restore");
}

Status HandleListUsers(Ctx& c) {
  auto users = c.store.ListUsers();
  if (!users.ok()) return users.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& u : *users) out.push_back(UserJson(u));
  SendJson(c, 200, {{"users", out}});
  return Status::Ok();
}

Status HandleCreateUser(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  const nlohmann::json& b = *body;
  if (!b.contains("name") || !b["name"].is_string()) return InvalidArgument("name: missing");
  User u;
  u.name = b["name"].get<std::string>();
  if (Status v = ValidateName("name", u.name, kMaxUserNameBytes); !v.ok()) {
    return v;
  }
  if (!b.contains("role") || !b["role"].is_string()) return InvalidArgument("role: missing");
  auto role = ParseRole(b["role"].get<std::string>());
  if (!role.ok()) return role.status();
  u.role = *role;
  auto pools = StringList(b, "pools");
  if (!pools.ok()) return pools.status();
  if (!pools->empty()) u.pools = *pools;
  auto projects = StringList(b, "projects");
  if (!projects.ok()) return projects.status();
  u.created_at = c.now;
  std::string token = RandomToken(32);
  Result<User> created = User{};
  Status st = c.store.InTransaction([&]() -> Status {
    created = c.store.CreateUser(u, HashSecret(token));
    if (!created.ok()) return created.status();
    for (const auto& name : *projects) {
      auto p = c.store.GetProject(name);
      if (!p.ok()) return p.status().code() == StatusCode::kNotFound ? NotFound("project '" + name + "' not found") : p.status();
      RETURN_IF_ERROR(c.store.AddMember(p->id, created->id));
    }
    return LogAdminAction(c.store, c, "user.create", created->name,
                          {{"role", RoleName(created->role)}, {"pools", created->pools}, {"projects", *projects}});
  });
  if (!st.ok()) return st;
  // The token is shown this once; only its hash is stored.
  SendJson(c, 201, {{"user", UserJson(*created)}, {"token", token}});
  return Status::Ok();
}

Status HandleDisableUser(Ctx& c) {
  auto u = c.store.FindUserByName(c.params["user"]);
  if (!u.ok()) return u.status();
  if (!u->has_value()) return NotFound("user not found");
  if ((*u)->id == c.user->id) return InvalidArgument("you cannot disable yourself");
  Status st = c.store.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(c.store.SetUserDisabled((*u)->id, true));
    return LogAdminAction(c.store, c, "user.disable", (*u)->name);
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{"user", (*u)->name}, {"disabled", true}});
  return Status::Ok();
}

Status HandleServerMetrics(Ctx& c) {
  SendJson(c, 200, c.server.MetricsJson());
  return Status::Ok();
}

Status HandleAdminLog(Ctx& c) {
  AdminActionQuery q;
  q.project = c.req.get_param_value("project");
  q.actor = c.req.get_param_value("actor");
  for (const auto& [name, field] : {std::pair<const char*, int64_t*>{"before", &q.before_id}, {"limit", &q.limit}}) {
    if (!c.req.has_param(name)) continue;
    const std::string v = c.req.get_param_value(name);
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0) {
      return InvalidArgument(std::string(name) + ": expected an integer");
    }
    *field = n;
  }
  auto actions = ListAdminActions(c.store, q);
  if (!actions.ok()) return actions.status();
  nlohmann::json out = nlohmann::json::array();
  for (const AdminAction& a : *actions) {
    out.push_back({{"id", a.id}, {"at_ms", a.at}, {"actor", a.actor}, {"action", a.action},
                   {"project", a.project}, {"target", a.target},
                   {"detail", nlohmann::json::parse(a.detail, nullptr, false)}});
  }
  SendJson(c, 200, {{"actions", out}});
  return Status::Ok();
}

}  // namespace hitloop::server
