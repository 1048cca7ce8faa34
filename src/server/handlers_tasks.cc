// The annotator API: projects I can see, claim the next task, submit / skip / release / amend.
#include <algorithm>
#include <set>

#include "core/ids.h"
#include "core/log.h"
#include "loop/answer.h"
#include "loop/gold.h"
#include "loop/review.h"
#include "preference/display_order.h"
#include "preference/item.h"
#include "server/certificate.h"
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
  if (!l.ok() || l->state != LeaseState::kSubmitted || l->annotator != c.user->name) return false;
  auto history = store.ListAnnotations(c.lease->item_id);
  if (!history.ok()) return false;
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    if (it->annotator == c.user->name && it->kind == LeaseKindName(c.lease->kind))
      return it->labels == labels;
  }
  return false;
}

// The first `max_bytes` bytes of `text` (cut at a UTF-8 character boundary), with "…" when cut.
std::string Snippet(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "\u2026";
}

// The labels of the lease holder's newest answer of the lease's kind to its item ([] if none).
Result<nlohmann::json> MyAnswer(Store& store, const Lease& lease) {
  ASSIGN_OR_RETURN(auto history, store.ListAnnotations(lease.item_id));
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->annotator == lease.annotator && it->kind == LeaseKindName(lease.kind))
      return nlohmann::json(it->labels);
  }
  return nlohmann::json::array();
}

// "shown:BA": a display order (response indices, left to right) as an answer label.
std::string ShownLabel(const std::vector<int>& order) {
  std::string s = "shown:";
  for (int r : order) s += static_cast<char>('A' + r);
  return s;
}

// A comparison task's own block: the order its responses are shown to the lease holder in
// (randomised per annotator and item, preference/display_order.h), the project's criteria (asked
// in turn; empty = one overall judgement) and the strengths an answer may carry. The prompt and
// the responses are the item's meta ("prompt", "responses"), as stored.
Result<nlohmann::json> ComparisonJson(const Project& project, const Lease& lease, const Item& item) {
  auto pi = preference::FromMetaJson(item.meta_json);
  if (!pi.ok()) return Corruption("item " + item.external_id + ": " + pi.status().message());
  const std::vector<int> order =
      preference::DisplayOrder(lease.annotator, item.external_id, static_cast<int>(pi->responses.size()));
  return nlohmann::json{{"display_order", order},
                        {"shown", ShownLabel(order)},
                        {"criteria", project.labels},
                        {"strengths", {"slightly", "clearly", "much"}}};
}

// A comparison answer's display order, when it gives one, must be the order the server showed
// this person (the position-bias figures rest on it). OK when the labels carry no "shown:".
Status CheckShown(Ctx& c, const std::vector<std::string>& labels) {
  if (!IsPreferenceType(c.project->type)) return Status::Ok();
  auto it = std::find_if(labels.begin(), labels.end(), [](const std::string& l) { return l.starts_with("shown:"); });
  if (it == labels.end()) return Status::Ok();
  ASSIGN_OR_RETURN(auto item, c.store.GetItem(c.lease->item_id));
  auto pi = preference::FromMetaJson(item.meta_json);
  if (!pi.ok()) return Corruption("item " + item.external_id + ": " + pi.status().message());
  const std::string want = ShownLabel(
      preference::DisplayOrder(c.user->name, item.external_id, static_cast<int>(pi->responses.size())));
  if (*it != want) {
    return InvalidArgument("labels: '" + *it + "' is not the order this task was shown to you in ('" + want + "')");
  }
  return Status::Ok();
}

// What the annotator is told a lease's kind is: a gold question is a review like any other (its
// lease kind "gold" never leaves the server; loop/gold.h).
const char* PublicKind(LeaseKind kind) {
  return LeaseKindName(kind == LeaseKind::kGold ? LeaseKind::kReview : kind);
}

// A task as the annotator page shows it: lease, kind, why it is there, the item (with the
// boilerplate detector's blocks), the model's prediction (never for audits: an audit checks the
// machine's label, so showing it would anchor the answer) and, for an adjudication, who answered
// what (the adjudicator settles their disagreement).
Result<nlohmann::json> TaskJson(Ctx& c, const Lease& lease, const std::string& queued_reason) {
  ReadSnapshot snapshot(c.store);  // item, prediction, detections and history: one read transaction
  ASSIGN_OR_RETURN(auto item, c.store.GetItem(lease.item_id));
  ASSIGN_OR_RETURN(auto pred, c.store.LatestPrediction(lease.item_id));
  nlohmann::json prediction = nullptr;
  const bool gold = lease.kind == LeaseKind::kGold;
  if (pred.has_value() && lease.kind != LeaseKind::kAudit) {
    const Prediction& p = *pred;
    nlohmann::json dist = nlohmann::json::object();
    if (p.distribution.size() == c.project->labels.size()) {
      for (size_t i = 0; i < p.distribution.size(); ++i) dist[c.project->labels[i]] = p.distribution[i];
    }
    prediction = {{"label", p.label}, {"confidence", p.confidence}, {"distribution", dist},
                  {"model", p.model_version}};
  }
  nlohmann::json item_json = {{"id", item.external_id}, {"text", item.text}, {"meta", ParseObject(item.meta_json)}};
  ASSIGN_OR_RETURN(auto detections, c.store.ItemDetections(lease.item_id));
  for (const Detection& d : detections) {
    if (d.detector != "boilerplate" || d.detail_json.empty()) continue;
    nlohmann::json spans = nlohmann::json::parse(d.detail_json, nullptr, false);
    if (spans.is_array()) item_json["boilerplate"] = spans;
  }
  std::string reason = queued_reason;
  // A gold question gives the reason a review of the item would have: a pre-labelled one is
  // "uncertain", one without a model yet "seed" (its entry's own reason, "gold", never leaves the
  // server; a reopened task has no reason, as every reopened task).
  if (gold && !reason.empty()) reason = pred.has_value() ? "uncertain" : "seed";
  if (lease.kind == LeaseKind::kAdjudicate) reason = "disagreement";
  if (reason.empty() && lease.kind == LeaseKind::kAudit) reason = "audit";
  nlohmann::json j = {{"lease", {{"id", lease.id}, {"expires_at", FormatIso8601(lease.expires_at)},
                                 {"expires_at_ms", lease.expires_at}}},
                      {"kind", PublicKind(lease.kind)},
                      {"pool", lease.pool},
                      {"reason", reason},
                      {"item", item_json},
                      {"prediction", prediction}};
  if (IsPreferenceType(c.project->type)) {
    ASSIGN_OR_RETURN(j["comparison"], ComparisonJson(*c.project, lease, item));
  }
  if (lease.kind == LeaseKind::kRework) {
    // Sent back by a reviewer (loop/review.h): why, in the reviewer's words, and the rejected answer.
    j["reason"] = "rework";
    ASSIGN_OR_RETURN(auto rejected, loop::LatestRejection(c.store, *c.project, lease.item_id, lease.annotator));
    if (rejected) {
      nlohmann::json review = loop::ReviewJson(*rejected);
      ASSIGN_OR_RETURN(auto history, c.store.ListAnnotations(lease.item_id));
      for (const Annotation& a : history) {
        if (a.id == rejected->annotation_id) review["labels"] = a.labels;
      }
      j["review"] = review;
    }
  }
  if (lease.kind == LeaseKind::kAdjudicate) {
    ASSIGN_OR_RETURN(auto history, c.store.ListAnnotations(lease.item_id));
    nlohmann::json answers = nlohmann::json::array();
    for (const Annotation& a : history) {
      if (a.source != LabelSource::kHuman || a.kind == "adjudicate") continue;
      answers.push_back({{"annotator", a.annotator}, {"labels", a.labels}, {"kind", a.kind},
                         {"at_ms", a.created_at}});
    }
    j["answers"] = answers;
  }
  return j;
}

Status FinishAs(Ctx& c, LeaseState state) {
  Status st = c.writer->Run([&](Store& w) {
    return w.FinishLease(c.lease->id, c.user->name, state, c.now);
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{"lease", {{"id", c.lease->id}, {"state", LeaseStateName(state)}}}});
  return Status::Ok();
}

}  // namespace

Status HandleListProjects(Ctx& c) {
  nlohmann::json out = nlohmann::json::array();
  if (c.user->role == Role::kAdmin) {
    auto ps = c.store.ListProjects();
    if (!ps.ok()) return ps.status();
    for (const auto& p : *ps) out.push_back(ProjectJson(p));
  } else {
    auto ids = c.store.ListMemberProjects(c.user->id);
    if (!ids.ok()) return ids.status();
    for (int64_t id : *ids) {
      auto p = c.store.GetProjectById(id);
      if (!p.ok()) return p.status();
      out.push_back(ProjectJson(*p));
    }
  }
  SendJson(c, 200, {{"projects", out}});
  return Status::Ok();
}

Status HandleGetProject(Ctx& c) {
  auto waiting = c.store.CountOpenQueue(c.project->id, c.user->pools);
  if (!waiting.ok()) return waiting.status();
  nlohmann::json j = ProjectJson(*c.project);
  j["my_pools"] = c.user->pools;
  j["queued_total"] = *waiting;
  // Open entries in my pools by kind (trigger-kept counts: a lookup, cheap enough to poll).
  auto counts = c.store.QueueCounts(c.project->id);
  if (!counts.ok()) return counts.status();
  nlohmann::json by_kind = {{"review", 0}, {"audit", 0}, {"adjudicate", 0}};
  for (const auto& [key, n] : *counts) {
    if (std::find(c.user->pools.begin(), c.user->pools.end(), key.first) == c.user->pools.end()) continue;
    by_kind[key.second] = by_kind.value(key.second, int64_t{0}) + n;
  }
  j["queued_by_kind"] = by_kind;
  // The certificate's progress, so the annotator page can say what the audits are for (the
  // cycle records: a handful of rows, read on every poll of this route).
  auto cycles = c.store.ListCycles(c.project->id);
  if (!cycles.ok()) return cycles.status();
  j["certificate"] = CertificateJson(*c.project, *cycles);
  SendJson(c, 200, j);
  return Status::Ok();
}

Status HandleNextTask(Ctx& c) {
  ClaimRequest req;
  req.project_id = c.project->id;
  req.annotator = c.user->name;
  req.pools = c.user->pools;
  req.now = c.now;
  req.ttl_ms = c.options.lease_ttl_ms;
  req.lease_id = TimeOrderedId(c.now);
  // Audits interleaved with the other tasks at the project's audit share (task_mix.h): the
  // preferred kind first, any kind when it has nothing open.
  const double share = c.server.task_mix().AuditShare(*c.project);
  const bool steer = share > 0 && share < 1;
  if (steer) {
    if (c.server.task_mix().PreferAudit(c.project->id, c.user->id, share)) {
      req.kinds = {"audit"};
    } else {
      req.exclude_kinds = {"audit"};
    }
  }
  // Gold questions, qualification and flags (loop/gold.h): the annotator's gold score is read
  // inside the claim's job, so it includes every answer committed before.
  const loop::GoldRouting gold = c.server.task_mix().Gold(*c.project);
  const double draw = gold.gold_rate > 0 ? c.server.task_mix().Draw() : 1.0;
  // The lease is handed out only once the batch holding it has committed (Run returns).
  Result<std::optional<ClaimResult>> claimed = std::optional<ClaimResult>();
  Status st = c.writer->Run([&](Store& w) -> Status {
    // Answers a reviewer sent back to this person come first (loop/review.h).
    ClaimRequest rework = req;
    rework.rework_only = true;
    claimed = w.Claim(rework);
    if (!claimed.ok() || claimed->has_value()) return claimed.status();
    // The preferred kind first, then any kind (ClaimWithGold does both).
    claimed = loop::ClaimWithGold(w, gold, req, draw);
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
      SendErrorBody(c.res, 503, "busy", "the project is busy; retry");
      return Status::Ok();
    }
    return claimed.status();
  }
  if (!claimed->has_value()) {
    c.res.status = 204;
    return Status::Ok();
  }
  const Lease& lease = (*claimed)->lease;
  c.server.task_mix().Record(c.project->id, c.user->id, share, lease.kind == LeaseKind::kAudit);
  auto j = TaskJson(c, lease, (*claimed)->entry.reason);
  if (!j.ok()) return j.status();
  SendJson(c, 200, *j);
  return Status::Ok();
}

Status HandleGetLease(Ctx& c) {
  // A task the caller answered (the history panel reopens it to change the answer): the same
  // shape as a claimed task, plus the caller's answer and whether it can still be changed.
  if (c.lease->annotator != c.user->name) return Conflict("lease is held by someone else");
  auto j = TaskJson(c, *c.lease, "");
  if (!j.ok()) return j.status();
  auto mine = MyAnswer(c.store, *c.lease);
  if (!mine.ok()) return mine.status();
  (*j)["lease"]["state"] = LeaseStateName(c.lease->state);
  (*j)["my_labels"] = *mine;
  (*j)["amendable"] = c.lease->state == LeaseState::kSubmitted && c.lease->expires_at > c.now;
  SendJson(c, 200, *j);
  return Status::Ok();
}

Status HandleMyAnswers(Ctx& c) {
  int limit = 20;
  if (c.req.has_param("limit")) {
    const std::string v = c.req.get_param_value("limit");
    if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidArgument("limit: expected an integer 1-100");
    }
    limit = std::stoi(v);
    if (limit < 1 || limit > 100) return InvalidArgument("limit: expected an integer 1-100");
  }
  ReadSnapshot snapshot(c.store);
  auto leases = c.store.ListSubmittedLeases(c.project->id, c.user->name, limit);
  if (!leases.ok()) return leases.status();
  nlohmann::json out = nlohmann::json::array();
  for (const Lease& l : *leases) {
    auto item = c.store.GetItem(l.item_id);
    if (!item.ok()) return item.status();
    auto mine = MyAnswer(c.store, l);
    if (!mine.ok()) return mine.status();
    out.push_back({{"lease", l.id},
                   {"item", item->external_id},
                   {"snippet", Snippet(item->text, 160)},
                   {"kind", PublicKind(l.kind)},
                   {"labels", *mine},
                   {"answered_at_ms", l.created_at},
                   {"amendable", l.expires_at > c.now},
                   {"amendable_until_ms", l.expires_at}});
  }
  SendJson(c, 200, {{"answers", out}});
  return Status::Ok();
}

Status HandleSubmit(Ctx& c) {
  auto answer = ParseAnswer(c);
  if (!answer.ok()) return answer.status();
  if (Status shown = CheckShown(c, answer->labels); !shown.ok()) return shown;
  std::string key = c.req.get_header_value("Idempotency-Key");
  if (key.size() > 200) return InvalidArgument("Idempotency-Key: longer than 200 characters");
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
  if (!st.ok()) return st;  // the batch did not commit: nothing acknowledged
  if (replay.has_value()) {
    if (replay->fingerprint != fingerprint) {
      SendErrorBody(c.res, 422, "idempotency_key_reused",
                    "Idempotency-Key was used for a different request");
      return Status::Ok();
    }
    c.res.set_header("Idempotent-Replayed", "true");
    c.res.status = replay->status;
    c.res.set_content(replay->body, "application/json");
    return Status::Ok();
  }
  if (code >= 500) return outcome;  // the dispatcher's SendError logs the details
  c.res.status = code;
  c.res.set_content(body, "application/json");
  return Status::Ok();
}

Status HandleSkip(Ctx& c) { return FinishAs(c, LeaseState::kSkipped); }
Status HandleRelease(Ctx& c) { return FinishAs(c, LeaseState::kReleased); }

Status HandleAmend(Ctx& c) {
  // Undo for the annotator: a corrected answer for a task they submitted, while the lease's
  // time window is still open. The history is append-only: the correction is a new annotation
  // and becomes the item's current label.
  auto answer = ParseAnswer(c);
  if (!answer.ok()) return answer.status();
  if (Status shown = CheckShown(c, answer->labels); !shown.ok()) return shown;
  // loop::AmendAnswer: the same checks and after-effects as a submit (second audit, adjudication,
  // gold score), the correction replacing the person's earlier answer.
  Status st = c.writer->Run([&](Store& w) {
    return loop::AmendAnswer(w, *c.project, *c.lease, c.user->name, *answer, c.now);
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{"lease", {{"id", c.lease->id}, {"state", "submitted"}}}, {"amended", true}});
  return Status::Ok();
}

}  // namespace hitloop::server
