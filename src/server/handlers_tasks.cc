// The annotator API: projects I can see, claim the next task, submit / skip / release / amend.
#include <set>

#include "core/ids.h"
#include "core/log.h"
#include "loop/answer.h"
#include "server/handlers.h"
#include "server/server_impl.h"

namespace hitloop::server {
namespace {

nlohmann::json ProjectJson(const Project& p) {
  return {{"name", p.name}, {"type", TaskTypeName(p.type)}, {"labels", p.labels}};
}

nlohmann::json ParseObject(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

// {"label": "x"} or {"labels": ["x", ...]} -> the answer's labels.
Result<loop::Answer> ParseAnswer(const Ctx& c) {
  ASSIGN_OR_RETURN(auto body, ParseBody(c));
  loop::Answer a;
  if (body.contains("label")) {
    if (!body["label"].is_string()) return InvalidArgument("label: expected a string");
    a.labels.push_back(body["label"].get<std::string>());
  } else if (body.contains("labels")) {
    if (!body["labels"].is_array()) return InvalidArgument("labels: expected an array of strings");
    for (const auto& l : body["labels"]) {
      if (!l.is_string()) return InvalidArgument("labels: expected an array of strings");
      a.labels.push_back(l.get<std::string>());
    }
  } else {
    return InvalidArgument("label: missing");
  }
  if (body.contains("time_spent_ms")) {
    const auto& t = body["time_spent_ms"];
    if (!t.is_number_integer()) return InvalidArgument("time_spent_ms: expected an integer");
    // An unsigned beyond int64 would wrap to a negative; anything that large is out of bounds.
    a.time_spent_ms = t.is_number_unsigned() && t.get<uint64_t>() > static_cast<uint64_t>(loop::kMaxTimeSpentMs)
                          ? loop::kMaxTimeSpentMs + 1
                          : t.get<int64_t>();
    RETURN_IF_ERROR(loop::ValidateTimeSpent(a.time_spent_ms));
  }
  return a;
}

// True when the caller's own most recent annotation of the lease's item, of the lease's kind,
// carries exactly `labels`: the earlier attempt of an idempotent retry did commit.
bool AlreadyRecorded(Store& store, const Ctx& c, const std::vector<std::string>& labels) {
  auto l = store.GetLease(c.lease->id);
  if (!l.ok() || l->state != "submitted" || l->annotator != c.user->name) return false;
  auto history = store.ListAnnotations(c.lease->item_id);
  if (!history.ok()) return false;
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    if (it->annotator == c.user->name && it->kind == c.lease->kind) return it->labels == labels;
  }
  return false;
}

void FinishAs(Ctx& c, const char* state) {
  Status st = c.writer->Run([&](Store& w) {
    return w.FinishLease(c.lease->id, c.user->name, state, c.now);
  });
  if (!st.ok()) { SendError(c, st); return; }
  SendJson(c, 200, {{"lease", {{"id", c.lease->id}, {"state", state}}}});
}

}  // namespace

void HandleListProjects(Ctx& c) {
  nlohmann::json out = nlohmann::json::array();
  if (c.user->role == Role::kAdmin) {
    auto ps = c.store.ListProjects();
    if (!ps.ok()) { SendError(c, ps.status()); return; }
    for (const auto& p : *ps) out.push_back(ProjectJson(p));
  } else {
    auto ids = c.store.ListMemberProjects(c.user->id);
    if (!ids.ok()) { SendError(c, ids.status()); return; }
    for (int64_t id : *ids) {
      auto p = c.store.GetProjectById(id);
      if (!p.ok()) { SendError(c, p.status()); return; }
      out.push_back(ProjectJson(*p));
    }
  }
  SendJson(c, 200, {{"projects", out}});
}

void HandleGetProject(Ctx& c) {
  auto waiting = c.store.CountOpenQueue(c.project->id, c.user->pools);
  if (!waiting.ok()) { SendError(c, waiting.status()); return; }
  nlohmann::json j = ProjectJson(*c.project);
  j["my_pools"] = c.user->pools;
  j["queued_total"] = *waiting;
  SendJson(c, 200, j);
}

void HandleNextTask(Ctx& c) {
  ClaimRequest req;
  req.project_id = c.project->id;
  req.annotator = c.user->name;
  req.pools = c.user->pools;
  req.now = c.now;
  req.ttl_ms = c.options.lease_ttl_ms;
  req.lease_id = TimeOrderedId(c.now);
  // The lease is handed out only once the batch holding it has committed (Run returns).
  Result<std::optional<ClaimResult>> claimed = std::optional<ClaimResult>();
  Status st = c.writer->Run([&](Store& w) -> Status {
    claimed = w.Claim(req);
    return claimed.status();
  });
  if (!st.ok()) claimed = st;
  if (!claimed.ok()) {
    // A database held by another writer (e.g. a cycle's final transaction that outlasted the
    // busy timeout) is Conflict from the store or "store busy" from the writer; for the client
    // that is "try again", not 409. A poisoned store stays a plain 503.
    const Status& cs = claimed.status();
    if (cs.code() == StatusCode::kConflict ||
        (cs.code() == StatusCode::kFailedPrecondition && cs.message().rfind("store busy", 0) == 0)) {
      c.res.set_header("Retry-After", "1");
      SendJson(c, 503, {{"error", {{"code", "busy"}, {"message", "the project is busy; retry"}}}});
      return;
    }
    SendError(c, claimed.status());
    return;
  }
  if (!claimed->has_value()) {
    c.res.status = 204;
    return;
  }
  const Lease& lease = (*claimed)->lease;
  ReadSnapshot snapshot(c.store);  // item, prediction and detections: one read transaction
  auto item = c.store.GetItem(lease.item_id);
  if (!item.ok()) { SendError(c, item.status()); return; }
  auto pred = c.store.LatestPrediction(lease.item_id);
  if (!pred.ok()) { SendError(c, pred.status()); return; }
  nlohmann::json prediction = nullptr;
  // Audits are blind: an audit checks the machine's label, so showing it would anchor the answer.
  if (pred->has_value() && lease.kind != "audit") {
    const Prediction& p = **pred;
    nlohmann::json dist = nlohmann::json::object();
    if (p.distribution.size() == c.project->labels.size()) {
      for (size_t i = 0; i < p.distribution.size(); ++i) dist[c.project->labels[i]] = p.distribution[i];
    }
    prediction = {{"label", p.label}, {"confidence", p.confidence}, {"distribution", dist}};
  }
  // The item, with the detector's boilerplate blocks (byte ranges) when it ran: the page dims them.
  nlohmann::json item_json = {{"id", item->external_id}, {"text", item->text}, {"meta", ParseObject(item->meta_json)}};
  auto detections = c.store.ItemDetections(lease.item_id);
  if (!detections.ok()) { SendError(c, detections.status()); return; }
  for (const Detection& d : *detections) {
    if (d.detector != "boilerplate" || d.detail_json.empty()) continue;
    nlohmann::json spans = nlohmann::json::parse(d.detail_json, nullptr, false);
    if (spans.is_array()) item_json["boilerplate"] = spans;
  }
  snapshot.End();
  SendJson(c, 200,
           {{"lease", {{"id", lease.id}, {"expires_at", FormatIso8601(lease.expires_at)},
                       {"expires_at_ms", lease.expires_at}}},
            {"kind", lease.kind},
            {"pool", lease.pool},
            {"item", item_json},
            {"prediction", prediction}});
}

void HandleSubmit(Ctx& c) {
  auto answer = ParseAnswer(c);
  if (!answer.ok()) { SendError(c, answer.status()); return; }
  std::string key = c.req.get_header_value("Idempotency-Key");
  if (key.size() > 200) { SendError(c, InvalidArgument("Idempotency-Key: longer than 200 characters")); return; }
  const std::string fingerprint = "submit:" + c.lease->id + ":" + nlohmann::json(answer->labels).dump();
  const nlohmann::json ok_body = {{"lease", {{"id", c.lease->id}, {"state", "submitted"}}}};

  // Lookup, write and key record are one job on the writer: two retries with one key cannot
  // interleave, and label and key record become durable in the same commit.
  std::optional<IdempotentResponse> replay;
  Status outcome;
  int code = 0;
  std::string body;
  Status st = c.writer->Run([&](Store& w) -> Status {
    if (!key.empty()) {
      ASSIGN_OR_RETURN(auto prior, w.GetIdempotent(c.user->id, key));
      if (prior.has_value()) {
        replay = std::move(prior);
        return Status::Ok();
      }
    }
    // RecordAnswer runs in its own nested transaction: on error it has written nothing.
    outcome = loop::RecordAnswer(w, *c.project, *c.lease, c.user->name, *answer, c.now);
    // A retry whose first attempt committed but whose key record did not (e.g. a database
    // written by an older hitloop) is recognised from the lease and the history.
    if (outcome.code() == StatusCode::kConflict && !key.empty() && AlreadyRecorded(w, c, answer->labels)) {
      outcome = Status::Ok();
    }
    code = HttpStatusFor(outcome);
    body = JsonText(outcome.ok() ? ok_body : ErrorJson(outcome));
    if (!key.empty() && (code == 200 || code == 409)) {
      Status put = w.PutIdempotent(c.user->id, key, {fingerprint, code, body}, c.now);
      // Failing to remember the key only costs the history-based replay above, so it is logged,
      // not returned (the label stays in the batch).
      if (!put.ok()) spdlog::warn("server: idempotency key not stored: {}", put.ToString());
    }
    return Status::Ok();
  });
  if (!st.ok()) { SendError(c, st); return; }  // the batch did not commit: nothing acknowledged
  if (replay.has_value()) {
    if (replay->fingerprint != fingerprint) {
      SendJson(c, 422, {{"error", {{"code", "idempotency_key_reused"},
                                   {"message", "Idempotency-Key was used for a different request"}}}});
      return;
    }
    c.res.set_header("Idempotent-Replayed", "true");
    c.res.status = replay->status;
    c.res.set_content(replay->body, "application/json");
    return;
  }
  if (code >= 500) { SendError(c, outcome); return; }  // logs the details
  c.res.status = code;
  c.res.set_content(body, "application/json");
}

void HandleSkip(Ctx& c) { FinishAs(c, "skipped"); }
void HandleRelease(Ctx& c) { FinishAs(c, "released"); }

void HandleAmend(Ctx& c) {
  // Undo for the annotator: a corrected answer for a task they submitted, while the lease's
  // time window is still open. The history is append-only: the correction is a new annotation
  // and becomes the item's current label.
  auto answer = ParseAnswer(c);
  if (!answer.ok()) { SendError(c, answer.status()); return; }
  if (c.lease->annotator != c.user->name) { SendError(c, Conflict("lease is held by someone else")); return; }
  if (c.lease->state != "submitted") { SendError(c, Conflict("lease is " + c.lease->state + ", not submitted")); return; }
  if (c.lease->expires_at <= c.now) { SendError(c, Conflict("too late to amend")); return; }
  if (c.project->type == TaskType::kSingleLabel && answer->labels.size() != 1) {
    SendError(c, InvalidArgument("label: single-label project takes exactly one label"));
    return;
  }
  std::set<std::string> seen;
  for (const auto& l : answer->labels) {
    if (c.project->LabelIndex(l) < 0) { SendError(c, InvalidArgument("label: unknown label '" + l + "'")); return; }
    if (!seen.insert(l).second) { SendError(c, InvalidArgument("labels: '" + l + "' given twice")); return; }
  }
  Annotation a;
  a.item_id = c.lease->item_id;
  a.labels = answer->labels;
  a.source = c.lease->kind == "audit" ? LabelSource::kAudit : LabelSource::kHuman;
  a.annotator = c.user->name;
  a.time_spent_ms = answer->time_spent_ms;
  a.created_at = c.now;
  a.kind = c.lease->kind;
  Status st = c.writer->Run([&](Store& w) { return w.AppendAnnotation(a).status(); });
  if (!st.ok()) { SendError(c, st); return; }
  SendJson(c, 200, {{"lease", {{"id", c.lease->id}, {"state", "submitted"}}}, {"amended", true}});
}

}  // namespace hitloop::server
