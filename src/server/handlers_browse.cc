// The data browser's routes: a page of items with filters, search, sort and a keyset cursor; an
// item with its whole history; and the bulk actions the queue and hold routes do not cover
// (mark gold, relabel). The SQL is the store's (store/item_query.h).
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>

#include "schema/names.h"
#include "server/admin_log.h"
#include "server/handlers.h"
#include "server/server_impl.h"
#include "store/item_query.h"

namespace hitloop::server {
namespace {

// The first `max_bytes` bytes of `text` (cut at a UTF-8 character boundary), "…" when cut.
std::string Excerpt(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "\u2026";
}

std::string Param(const Ctx& c, const char* name) {
  return c.req.has_param(name) ? c.req.get_param_value(name) : std::string();
}

Result<std::optional<double>> ConfidenceParam(const Ctx& c, const char* name) {
  const std::string v = Param(c, name);
  if (v.empty()) return std::optional<double>();
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size() || !(d >= 0.0 && d <= 1.0)) {
    return InvalidArgument(std::string(name) + ": expected a number 0-1");
  }
  return std::optional<double>(d);
}

// The cursor a page hands out: "<sort key>~<id>" (the key as %.17g, exact for a double).
std::string Cursor(const ItemRow& r) {
  char key[40];
  std::snprintf(key, sizeof key, "%.17g", r.sort_key);
  return std::string(key) + "~" + std::to_string(r.item.id);
}

Status ParseCursor(const std::string& s, ItemQuery* q) {
  const size_t tilde = s.find('~');
  const Status bad = InvalidArgument("after: expected the \"next\" value of the previous page");
  if (tilde == std::string::npos) return bad;
  char* end = nullptr;
  const std::string key = s.substr(0, tilde), id = s.substr(tilde + 1);
  q->after_key = std::strtod(key.c_str(), &end);
  if (key.empty() || end != key.c_str() + key.size()) return bad;
  q->after_id = std::strtoll(id.c_str(), &end, 10);
  if (id.empty() || end != id.c_str() + id.size()) return bad;
  q->has_after = true;
  return Status::Ok();
}

Result<ItemQuery> QueryFromRequest(const Ctx& c) {
  ItemQuery q;
  q.project_id = c.project->id;
  q.state = Param(c, "state");
  q.label = Param(c, "label");
  q.prelabel = Param(c, "prelabel");
  q.source = Param(c, "source");
  q.split = Param(c, "split");
  q.pool = Param(c, "pool");
  q.annotator = Param(c, "annotator");
  q.detector = Param(c, "detector");
  q.detector_value = Param(c, "detector_value");
  q.text = Param(c, "q");
  const std::string dis = Param(c, "disagreement");
  if (!dis.empty() && dis != "0" && dis != "1") return InvalidArgument("disagreement: expected 0 or 1");
  q.disagreement = dis == "1";
  ASSIGN_OR_RETURN(q.min_confidence, ConfidenceParam(c, "min_confidence"));
  ASSIGN_OR_RETURN(q.max_confidence, ConfidenceParam(c, "max_confidence"));
  ASSIGN_OR_RETURN(auto sort, ParseItemSort(Param(c, "sort")));
  q.sort = sort.first;
  q.descending = sort.second;
  if (const std::string after = Param(c, "after"); !after.empty()) RETURN_IF_ERROR(ParseCursor(after, &q));
  if (const std::string limit = Param(c, "limit"); !limit.empty()) {
    char* end = nullptr;
    const long n = std::strtol(limit.c_str(), &end, 10);
    if (end != limit.c_str() + limit.size() || n < 1 || n > 500) {
      return InvalidArgument("limit: expected an integer 1-500");
    }
    q.limit = static_cast<int>(n);
  }
  return q;
}

nlohmann::json PredictionJson(const Prediction& p, bool with_distribution) {
  nlohmann::json j = {{"label", p.label}, {"confidence", p.confidence}, {"model_version", p.model_version},
                      {"at_ms", p.created_at}};
  if (with_distribution) j["distribution"] = p.distribution;
  return j;
}

nlohmann::json LabelSourceJson(const Item& it) {
  return it.label_source ? nlohmann::json(LabelSourceName(*it.label_source)) : nlohmann::json(nullptr);
}

// The ids of {"items": [...]}: 1-10,000 non-empty strings.
Result<std::vector<std::string>> ItemIds(const nlohmann::json& b) {
  if (!b.contains("items") || !b["items"].is_array() || b["items"].empty()) {
    return InvalidArgument("items: expected an array of item ids");
  }
  if (b["items"].size() > 10000) return InvalidArgument("items: at most 10000 per request");
  std::vector<std::string> out;
  for (const auto& e : b["items"]) {
    if (!e.is_string() || e.get<std::string>().empty()) return InvalidArgument("items: expected non-empty strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// Runs `fn` on each named item in one writer job: all or none (an unknown id is a 404). The job
// also writes the admin action log's entry `action` (server/admin_log.h) with `detail` and the ids.
Status ForEachItem(Ctx& c, const std::vector<std::string>& ids, const char* done,
                   const char* action, nlohmann::json detail,
                   const std::function<Status(Store&, const Item&)>& fn) {
  int64_t n = 0;
  Status st = c.writer->Run([&](Store& w) -> Status {
    n = 0;
    for (const auto& ext : ids) {
      ASSIGN_OR_RETURN(auto item, w.FindItem(c.project->id, ext));
      if (!item) return NotFound("item '" + ext + "' not found");
      if (!item->hold.empty()) return Conflict("item '" + ext + "' is " + item->hold);
      RETURN_IF_ERROR(fn(w, *item));
      ++n;
    }
    detail["items"] = LoggedIds(ids);
    detail["count"] = n;
    return LogAdminAction(w, c, action, std::to_string(n) + " items", detail);
  });
  if (!st.ok()) return st;
  SendJson(c, 200, {{done, n}});
  return Status::Ok();
}

}  // namespace

Status HandleListItems(Ctx& c) {
  auto q = QueryFromRequest(c);
  if (!q.ok()) return q.status();
  auto page = QueryItems(c.store, *q);
  if (!page.ok()) return page.status();
  nlohmann::json rows = nlohmann::json::array();
  for (const ItemRow& r : page->rows) {
    const Item& it = r.item;
    rows.push_back({{"id", it.external_id},
                    {"excerpt", Excerpt(it.text, 200)},
                    {"state", it.hold.empty() ? ItemStateName(it.state) : it.hold},
                    {"split", SplitName(it.split)},
                    {"labels", it.labels},
                    {"label_source", LabelSourceJson(it)},
                    {"label_annotator", it.label_annotator},
                    {"prediction", r.prediction ? PredictionJson(*r.prediction, false) : nlohmann::json(nullptr)},
                    {"answers", r.answers},
                    {"changed_at_ms", r.changed_at}});
  }
  nlohmann::json next = nullptr;
  if (page->more && !page->rows.empty()) next = Cursor(page->rows.back());
  SendJson(c, 200, {{"items", rows}, {"next", next}});
  return Status::Ok();
}

Status HandleGetItem(Ctx& c) {
  auto found = c.store.FindItem(c.project->id, c.params["item"]);
  if (!found.ok()) return found.status();
  if (!*found) return NotFound("item '" + c.params["item"] + "' not found");
  const Item& it = **found;
  auto annotations = c.store.ListAnnotations(it.id);
  if (!annotations.ok()) return annotations.status();
  auto detections = c.store.ItemDetections(it.id);
  if (!detections.ok()) return detections.status();
  auto history = GetItemHistory(c.store, it.id);
  if (!history.ok()) return history.status();
  auto reviews = c.store.ListReviews(c.project->id, it.id);
  if (!reviews.ok()) return reviews.status();
  nlohmann::json verdicts = nlohmann::json::array();
  for (const auto& r : *reviews) {
    verdicts.push_back({{"answer_id", r.annotation_id}, {"annotator", r.annotator}, {"reviewer", r.reviewer},
                        {"verdict", r.verdict}, {"comment", r.comment}, {"at_ms", r.created_at}});
  }
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& a : *annotations) {
    answers.push_back({{"id", a.id}, {"labels", a.labels}, {"source", LabelSourceName(a.source)}, {"annotator", a.annotator},
                       {"kind", a.kind}, {"confidence", a.confidence ? nlohmann::json(*a.confidence) : nullptr},
                       {"time_spent_ms", a.time_spent_ms}, {"at_ms", a.created_at}});
  }
  nlohmann::json predictions = nlohmann::json::array();
  for (const auto& p : history->predictions) predictions.push_back(PredictionJson(p, true));
  nlohmann::json dets = nlohmann::json::array();
  for (const auto& d : *detections) {
    dets.push_back({{"detector", d.detector}, {"value", d.value}, {"confidence", d.confidence}});
  }
  nlohmann::json queue = nlohmann::json::array();
  for (const auto& q : history->queue) {
    queue.push_back({{"pool", q.entry.pool}, {"kind", q.entry.kind}, {"reason", q.entry.reason},
                     {"priority", q.entry.priority}, {"overlap", q.entry.overlap}, {"done", q.entry.done},
                     {"open", q.open}, {"at_ms", q.created_at}});
  }
  nlohmann::json leases = nlohmann::json::array();
  for (const auto& l : history->leases) {
    leases.push_back({{"annotator", l.annotator},
                      {"pool", l.pool},
                      {"kind", LeaseKindName(l.kind)},
                      {"state", LeaseStateName(l.state)},
                      {"at_ms", l.created_at},
                      {"expires_at_ms", l.expires_at}});
  }
  auto meta = nlohmann::json::parse(it.meta_json, nullptr, /*allow_exceptions=*/false);
  SendJson(c, 200, {{"id", it.external_id},
                    {"text", it.text},
                    {"meta", meta.is_discarded() ? nlohmann::json::object() : meta},
                    {"state", ItemStateName(it.state)},
                    {"hold", it.hold.empty() ? nlohmann::json(nullptr) : nlohmann::json(it.hold)},
                    {"split", SplitName(it.split)},
                    {"labels", it.labels},
                    {"label_source", LabelSourceJson(it)},
                    {"label_annotator", it.label_annotator},
                    {"annotations", answers},
                    {"predictions", predictions},
                    {"detections", dets},
                    {"queue", queue},
                    {"leases", leases},
                    {"reviews", verdicts}});
  return Status::Ok();
}

Status HandleMarkGold(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  auto ids = ItemIds(*body);
  if (!ids.ok()) return ids.status();
  bool gold = true;
  if (body->contains("gold")) {
    if (!(*body)["gold"].is_boolean()) return InvalidArgument("gold: expected true or false");
    gold = (*body)["gold"].get<bool>();
  }
  return ForEachItem(c, *ids, gold ? "gold" : "pool", gold ? "items.gold" : "items.pool",
                     nlohmann::json::object(), [&](Store& w, const Item& it) -> Status {
    if (gold && it.labels.empty()) {
      return InvalidArgument("item '" + it.external_id + "' has no label: a gold item needs its known answer");
    }
    return SetItemSplit(w, it.id, gold ? Split::kGold : Split::kPool);
  });
}

Status HandleRelabel(Ctx& c) {
  auto body = ParseBody(c);
  if (!body.ok()) return body.status();
  auto ids = ItemIds(*body);
  if (!ids.ok()) return ids.status();
  const nlohmann::json& b = *body;
  if (!b.contains("labels") || !b["labels"].is_array() || b["labels"].empty()) {
    return InvalidArgument("labels: expected an array of the project's labels");
  }
  std::vector<std::string> labels;
  std::set<std::string> seen;
  for (const auto& l : b["labels"]) {
    if (!l.is_string() || c.project->LabelIndex(l.get<std::string>()) < 0) {
      return InvalidArgument("labels: every label must be one of the project's labels");
    }
    if (seen.insert(l.get<std::string>()).second) labels.push_back(l.get<std::string>());
  }
  if (IsPreferenceType(c.project->type)) {
    return InvalidArgument("labels: relabelling is for classification projects");
  }
  if (c.project->type != TaskType::kMultiLabel && labels.size() != 1) {
    return InvalidArgument(std::string("labels: a ") + TaskTypeName(c.project->type) +
                           " project takes exactly one label");
  }
  // A person's label (kind "label": also a gold item's known answer), appended to the history.
  return ForEachItem(c, *ids, "relabeled", "items.label", {{"labels", labels}},
                     [&](Store& w, const Item& it) -> Status {
    Annotation a;
    a.item_id = it.id;
    a.labels = labels;
    a.source = LabelSource::kHuman;
    a.annotator = c.user->name;
    a.kind = "label";
    a.created_at = c.now;
    // The admin's label settles the item: its untouched review and audit entries close, so no
    // one is handed it again (entries someone holds or partly answered stay theirs).
    RETURN_IF_ERROR(w.CloseItemEntries(it.id));
    return w.AppendAnnotation(a).status();
  });
}

}  // namespace hitloop::server
