// The review workflow's routes (loop/review.h, docs/SERVER.md "Reviewing answers"): the review
// page, the listing of people's answers to review and a verdict on one answer. Reviewers and admins
// (the route table's rule); a verdict on one's own answer is refused (409).
#include <string>

#include "loop/review.h"
#include "server/handlers.h"

namespace hitloop::server {

namespace {

// A non-negative integer query parameter (at most 18 digits); `fallback` when absent.
Result<int64_t> IntParam(const Ctx& c, const char* name, int64_t fallback) {
  if (!c.req.has_param(name)) return fallback;
  const std::string v = c.req.get_param_value(name);
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument(std::string(name) + ": expected a non-negative integer");
  }
  return static_cast<int64_t>(std::stoll(v));
}

}  // namespace

Status HandleListReviews(Ctx& c) {
  loop::ReviewFilter f;
  f.annotator = c.req.has_param("annotator") ? c.req.get_param_value("annotator") : "";
  f.cursor = c.req.has_param("cursor") ? c.req.get_param_value("cursor") : "";
  const std::string filter = c.req.has_param("filter") ? c.req.get_param_value("filter") : "all";
  if (filter != "all" && filter != "unreviewed") {
    return InvalidArgument("filter: '" + filter + "' (all | unreviewed)");
  }
  f.unreviewed = filter == "unreviewed";
  auto sample = IntParam(c, "sample", 0);
  auto seed = IntParam(c, "seed", 1);
  auto limit = IntParam(c, "limit", 50);
  for (const auto* r : {&sample, &seed, &limit}) {
    if (!r->ok()) {
      return r->status();
    }
  }
  if (*limit < 1 || *limit > loop::kMaxReviewPage) {
    return InvalidArgument("limit: expected an integer 1-" + std::to_string(loop::kMaxReviewPage));
  }
  f.sample = *sample;
  f.seed = *seed;
  f.limit = static_cast<int>(*limit);
  auto page = loop::ListForReview(c.store, *c.project, f);
  if (!page.ok()) {
    return page.status();
  }
  nlohmann::json out = loop::ReviewPageJson(*c.project, *page);
  out["me"] = c.user->name;
  SendJson(c, 200, out);
  return Status::Ok();
}

Status HandlePostReview(Ctx& c) {
  const std::string& id_text = c.params["answer"];
  if (id_text.empty() || id_text.size() > 18 ||
      id_text.find_first_not_of("0123456789") != std::string::npos) {
    return NotFound("answer " + id_text + " not found");
  }
  const int64_t answer_id = std::stoll(id_text);
  auto body = ParseBody(c);
  if (!body.ok()) {
    return body.status();
  }
  const nlohmann::json& b = *body;
  if (!b.contains("verdict") || !b["verdict"].is_string()) {
    return InvalidArgument("verdict: expected \"approve\" or \"reject\"");
  }
  if (b.contains("comment") && !b["comment"].is_string()) {
    return InvalidArgument("comment: expected a string");
  }
  const std::string verdict = b["verdict"].get<std::string>();
  const std::string comment = b.value("comment", std::string());
  int64_t id = 0;
  Status st = c.writer->Run([&](Store& w) -> Status {
    ASSIGN_OR_RETURN(
        id, loop::RecordReview(w, *c.project, answer_id, c.user->name, verdict, comment, c.now));
    return Status::Ok();
  });
  if (!st.ok()) {
    return st;
  }
  Review r;
  r.id = id;
  r.annotation_id = answer_id;
  r.reviewer = c.user->name;
  r.verdict = verdict;
  r.comment = comment;
  r.created_at = c.now;
  SendJson(c, 200, {{"review", loop::ReviewJson(r)}});
  return Status::Ok();
}

}  // namespace hitloop::server
