#pragma once
// The `answers` format: several people's answers to items already in a project, one answer per
// CSV row (long form).
//
// Import (`hitloop import NAME answers.csv --format answers`): header with columns id, annotator,
// label (required), time_ms and source (human | audit) (optional); other columns are ignored, so
// an export re-imports. Every row must name an item of the project (its external id) and one of
// its labels; an annotator need not be a user. All-or-nothing: the first bad row aborts with
// "FILE:LINE: field: reason" and nothing is stored. One (id, annotator) pair twice in a file is
// an error; an answer identical to the annotator's newest stored answer is skipped (re-import
// adds nothing), a different one is stored as their newer answer.
// Stored as annotations of kind "answer" (source human or audit).
//
// Export (`hitloop export NAME --format answers`): header
//   id,annotator,label,time_ms,source,resolved_label,method,confidence
// one row per answer, items in id order, annotators by name.
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/status.h"
#include "io/exporter.h"
#include "io/importer.h"
#include "quality/aggregation.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::io {

inline constexpr const char* kAnswersFormat = "answers";

// Every person's answer and the resolved label (`method`, default the project's setting) of each
// item people answered, for ExportOptions::answers. Gold items carry their known answer (method
// "gold"), adjudicated ones the adjudication. Empty for projects that are not single-label.
Result<AnswersByItem> AnswersForExport(Store& store, const Project& project,
                                       std::optional<quality::AggregateMethod> method);

// An export's `--aggregate` (CLI) or `?aggregate=` (HTTP): mv | ds | auto for label projects
// (into *method), bt for pairwise/ranking projects (*preferences = true: each item's answers
// resolved by Bradley–Terry, preference/aggregate.h). InvalidArgument for a method the project's
// type does not have.
Status ParseExportAggregate(const Project& project, std::string_view value,
                            std::optional<quality::AggregateMethod>* method, bool* preferences);

Result<ImportStats> ImportAnswersCsv(Store& store, const Project& project, const std::string& path,
                                     const ImportOptions& options);

Result<ExportStats> ExportAnswersCsv(Store& store, const Project& project,
                                     const AnswersByItem& answers, std::ostream& out,
                                     const ExportOptions& options);

}  // namespace hitloop::io
