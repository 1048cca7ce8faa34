#include "io/answers.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "io/csv.h"
#include "io/record.h"
#include "quality/project_quality.h"

namespace hitloop::io {

Result<AnswersByItem> AnswersForExport(Store& store, const Project& project,
                                           std::optional<quality::AggregateMethod> method) {
  AnswersByItem out;
  if (project.type != TaskType::kSingleLabel) return out;
  ASSIGN_OR_RETURN(quality::ProjectAnswers answers, quality::LoadProjectAnswers(store, project));
  ASSIGN_OR_RETURN(quality::ProjectResolution resolved, quality::ResolveProject(answers, method, project));
  // The newest verdict on each answer (verdicts are few beside the answers).
  ASSIGN_OR_RETURN(std::vector<Review> reviews, store.ListReviews(project.id, 0));
  std::unordered_map<int64_t, const Review*> verdict;
  for (const Review& r : reviews) verdict[r.annotation_id] = &r;  // id order: the newest stays
  auto add = [&](ItemAnswers& ia, PersonAnswer a) {
    if (auto v = verdict.find(a.answer_id); v != verdict.end()) {
      a.verdict = v->second->verdict;
      a.reviewer = v->second->reviewer;
      a.review_comment = v->second->comment;
      a.reviewed_at = v->second->created_at;
    }
    ia.answers.push_back(std::move(a));
  };
  const quality::RatingTable& t = answers.table;
  for (int row = 0; row < t.num_items(); ++row) {
    ItemAnswers& ia = out[t.items[row]];
    for (int32_t j = t.row_start[row]; j < t.row_start[row + 1]; ++j) {
      add(ia, {t.annotators[t.rater[j]], t.categories[t.value[j]], t.time_ms[j], t.audit[j] ? "audit" : "human",
               t.answer_id[j]});
    }
  }
  // Rejected answers are every person's answer too: listed with their verdict, counted for nothing.
  for (const quality::Rating& r : answers.rejected) {
    ItemAnswers& ia = out[r.item_id];
    add(ia, {r.annotator, r.label, r.time_ms, r.source, r.answer_id});
  }
  for (auto& [id, ia] : out) {
    ia.method = "none";  // until resolved below: every answer to the item was rejected
    std::stable_sort(ia.answers.begin(), ia.answers.end(),
                     [](const PersonAnswer& x, const PersonAnswer& y) { return x.annotator < y.annotator; });
  }
  for (const auto& [id, r] : resolved.items) {
    auto it = out.find(id);
    if (it == out.end()) continue;  // adjudicated without answers: the item's own label stands
    it->second.resolved = project.labels[r.label];
    it->second.confidence = r.confidence;
    it->second.method = r.method;
  }
  return out;
}


Result<ImportStats> ImportAnswersCsv(Store& store, const Project& project, const std::string& path,
                                     const ImportOptions& options) {
  if (!options.reject_path.empty()) {
    return InvalidArgument("--skip-bad: not supported with --format answers (all-or-nothing)");
  }
  if (project.type != TaskType::kSingleLabel) {
    return InvalidArgument("--format answers: only single-label projects take answers");
  }
  ImportStats stats;
  CsvReader reader;
  RETURN_IF_ERROR(reader.Open(path, options.limits.max_line_bytes));
  std::vector<std::string> header, fields;
  {
    auto first = reader.Next(&header);
    if (!first.ok()) return Status(first.status().code(), path + ":1: " + first.status().message());
    if (!*first) return stats;  // empty file
  }
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) {
    if (i == 0 && header[i].rfind("\xEF\xBB\xBF", 0) == 0) header[i] = header[i].substr(3);  // BOM
    if (!col.emplace(header[i], i).second) {
      return InvalidArgument(path + ":1: header: column '" + header[i] + "' appears twice");
    }
  }
  for (const char* need : {"id", "annotator", "label"}) {
    if (!col.count(need)) return InvalidArgument(path + ":1: header: missing column '" + std::string(need) + "'");
  }
  const size_t c_id = col["id"], c_who = col["annotator"], c_label = col["label"];
  const bool has_time = col.count("time_ms") > 0, has_source = col.count("source") > 0;
  const size_t c_time = has_time ? col["time_ms"] : 0, c_source = has_source ? col["source"] : 0;

  // The project's items by external id, and each annotator's newest stored answer per item.
  std::unordered_map<std::string, int64_t> item_of;
  RETURN_IF_ERROR(store.ScanItems(project.id, [&](const Item& it) {
    item_of.emplace(it.external_id, it.id);
    return true;
  }, /*with_vectors=*/false));
  std::unordered_map<int64_t, std::unordered_map<std::string, std::string>> stored;
  RETURN_IF_ERROR(store.ScanAnnotations(project.id, [&](const Annotation& a) {
    if ((a.source == LabelSource::kHuman || a.source == LabelSource::kAudit) && a.labels.size() == 1 &&
        a.kind != "adjudicate" && a.kind != "import") {
      stored[a.item_id][a.annotator] = a.labels[0];
    }
    return true;
  }));

  std::unordered_map<int64_t, std::unordered_map<std::string, int64_t>> seen;  // -> line
  Status st = store.InTransaction([&]() -> Status {
    for (;;) {
      auto more = reader.Next(&fields);
      const int64_t line = reader.record_line();
      const std::string where = path + ":" + std::to_string(line) + ": ";
      if (!more.ok()) return Status(more.status().code(), where + more.status().message());
      if (!*more) break;
      ++stats.records;
      if (options.progress && (stats.records & 0x3fff) == 0) {
        options.progress(reader.lines().bytes_read(), reader.lines().total_bytes());
      }
      if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
      if (fields.size() != header.size()) {
        return InvalidArgument(where + "record: has " + std::to_string(fields.size()) +
                               " columns, the header has " + std::to_string(header.size()));
      }
      for (const std::string& f : fields) {
        if (!IsValidUtf8(f)) return InvalidArgument(where + "record: invalid UTF-8");
      }
      const std::string& ext = fields[c_id];
      const std::string& who = fields[c_who];
      const std::string& label = fields[c_label];
      if (ext.empty()) return InvalidArgument(where + "id: empty");
      auto item = item_of.find(ext);
      if (item == item_of.end()) {
        return InvalidArgument(where + "id: no item '" + ext + "' in project " + project.name);
      }
      if (who.empty()) return InvalidArgument(where + "annotator: empty");
      if (who.size() > 200) return InvalidArgument(where + "annotator: longer than 200 bytes");
      if (project.LabelIndex(label) < 0) return InvalidArgument(where + "label: unknown label '" + label + "'");
      int64_t time_ms = 0;
      if (has_time && !fields[c_time].empty()) {
        const std::string& t = fields[c_time];
        char* end = nullptr;
        long long v = std::strtoll(t.c_str(), &end, 10);
        if (end == t.c_str() || *end != '\0' || v < 0) {
          return InvalidArgument(where + "time_ms: not a non-negative integer ('" + t + "')");
        }
        time_ms = v;
      }
      LabelSource source = LabelSource::kHuman;
      if (has_source && !fields[c_source].empty()) {
        if (fields[c_source] == "audit") source = LabelSource::kAudit;
        else if (fields[c_source] != "human") return InvalidArgument(where + "source: must be human or audit");
      }
      auto [at, fresh] = seen[item->second].emplace(who, line);
      if (!fresh) {
        return InvalidArgument(where + "annotator: '" + who + "' already answered item '" + ext +
                               "' on line " + std::to_string(at->second));
      }
      if (auto s = stored.find(item->second); s != stored.end()) {
        if (auto prev = s->second.find(who); prev != s->second.end() && prev->second == label) {
          ++stats.existing;
          continue;
        }
      }
      Annotation a;
      a.item_id = item->second;
      a.labels = {label};
      a.source = source;
      a.annotator = who;
      a.time_spent_ms = time_ms;
      a.kind = "answer";
      auto appended = store.AppendAnnotation(a);
      if (!appended.ok()) return Status(appended.status().code(), where + appended.status().message());
      ++stats.answers;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return stats;
}

Result<ExportStats> ExportAnswersCsv(Store& store, const Project& project,
                                     const AnswersByItem& answers, std::ostream& out,
                                     const ExportOptions& options) {
  ExportStats stats;
  // Columns after `confidence` were appended (a reader keyed by header names keeps working): the
  // answer's id and its newest review verdict.
  out << "id,annotator,label,time_ms,source,resolved_label,method,confidence,"
         "answer_id,verdict,reviewer,review_comment,reviewed_at_ms\n";
  std::string buf;
  Status inner;
  Status st = store.ScanItems(project.id, [&](const Item& item) {
    ++stats.items;
    auto it = answers.find(item.id);
    if (it == answers.end()) return true;
    const ItemAnswers& ia = it->second;
    if (!ia.resolved.empty()) ++stats.labels;
    buf.clear();
    for (const PersonAnswer& a : ia.answers) {
      AppendCsvCell(&buf, item.external_id, true);
      buf += ',';
      AppendCsvCell(&buf, a.annotator, true);
      buf += ',';
      AppendCsvCell(&buf, a.label, true);
      buf += ',';
      if (a.time_ms > 0) buf += std::to_string(a.time_ms);
      buf += ',';
      buf += a.source;
      buf += ',';
      AppendCsvCell(&buf, ia.resolved, true);
      buf += ',';
      buf += ia.method;
      buf += ',';
      if (!ia.resolved.empty()) {
        char c[32];
        std::snprintf(c, sizeof(c), "%.6g", ia.confidence);
        buf += c;
      }
      buf += ',';
      if (a.answer_id > 0) buf += std::to_string(a.answer_id);
      buf += ',';
      buf += a.verdict;
      buf += ',';
      AppendCsvCell(&buf, a.reviewer, true);
      buf += ',';
      AppendCsvCell(&buf, a.review_comment, true);
      buf += ',';
      if (a.reviewed_at > 0) buf += std::to_string(a.reviewed_at);
      buf += '\n';
    }
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (!out) {
      inner = IoError("export: write failed");
      return false;
    }
    if (options.progress && (stats.items & 0x3fff) == 0) options.progress(stats.items, 0);
    return true;
  }, /*with_vectors=*/false, /*with_quarantined=*/true);
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(inner);
  out.flush();
  if (!out) return IoError("export: write failed");
  return stats;
}

Status ParseExportAggregate(const Project& project, std::string_view value,
                            std::optional<quality::AggregateMethod>* method, bool* preferences) {
  if (IsPreferenceType(project.type)) {
    if (value == "bt" || value == "bradley-terry") {
      *preferences = true;
      return Status::Ok();
    }
    return InvalidArgument("aggregate: '" + std::string(value) + "' is for labels; project '" + project.name +
                           "' is " + TaskTypeName(project.type) + ": use bt (Bradley-Terry per item)");
  }
  if (value == "bt" || value == "bradley-terry") {
    return InvalidArgument("aggregate: bt resolves comparisons; project '" + project.name + "' is " +
                           TaskTypeName(project.type) + ": use mv, ds or auto");
  }
  ASSIGN_OR_RETURN(*method, quality::ParseAggregateMethod(value));
  return Status::Ok();
}

}  // namespace hitloop::io
