// hitloop detect language|format|duplicates|boilerplate FILE.jsonl [--threshold T]
// Runs one rule labeler over a JSONL file of records and prints one JSON object per line:
//   language:    {"id", "language", "confidence", "backend"}
//   format:      {"id", "format", "confidence"} (+ "code_language" for code where clear)
//   duplicates:  {"id", "group", "kind": "exact"|"near", "similarity"} for every item in a group of
//                two or more; "group" is the id of the group's first item in file order
//   boilerplate: {"id", "blocks": [{"start", "end", "kind", "boilerplate", "confidence"}], "confidence"}
// --threshold: duplicates → Jaccard threshold (default 0.8); language → minimum fastText
// probability below which the answer is "und" unless CLD2 agrees (default 0.4); format → answers
// below it become "unknown"; boilerplate → blocks below it are reported with "boilerplate": false.
// duplicates --content-only: compare the texts with their boilerplate blocks removed, so a reply
// that quotes its parent in full is not a near duplicate of it. duplicates --shingles-only: no
// word edit comparison of short texts (autolabel/duplicates.h), the rule before it existed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "autolabel/boilerplate.h"
#include "autolabel/detect_items.h"
#include "autolabel/duplicates.h"
#include "autolabel/format.h"
#include "autolabel/language.h"
#include "cli/command.h"
#include "io/record.h"

namespace hitloop::cli {
namespace {

struct DetectArgs {
  std::string kind;
  std::string file;
  double threshold = -1.0;  // < 0: the detector's default
  std::string model;
  bool no_model = false;
  bool content_only = false;
  bool shingles_only = false;
};

void PrintLine(const nlohmann::json& j) {
  const std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

Status RunLanguage(const DetectArgs& a) {
  autolabel::LanguageOptions opt;
  if (a.threshold >= 0) opt.min_confidence = a.threshold;
  std::unique_ptr<autolabel::LanguageIdentifier> lid;
  const std::string model = a.no_model ? "" : autolabel::FindLid176Model(a.model);
  if (model.empty()) {
    if (!a.no_model)
      std::fprintf(stderr,
                   "warning: fastText model lid.176.ftz not found (run scripts/fetch-models.sh or pass "
                   "--model); using CLD2 only (\"backend\": \"cld2\", fewer languages)\n");
    lid = autolabel::LanguageIdentifier::Cld2Only(opt);
  } else {
    opt.model_path = model;
    if (model.ends_with("lid.176.ftz")) opt.expected_sha256 = autolabel::kLid176FtzSha256;
    ASSIGN_OR_RETURN(lid, autolabel::LanguageIdentifier::Open(opt));
  }
  return io::ReadJsonlFile(a.file, {}, [&](int64_t, io::Record& r) {
    const auto res = lid->Identify(r.text);
    PrintLine({{"id", r.id}, {"language", res.language}, {"confidence", res.confidence}, {"backend", res.backend}});
    return Status::Ok();
  });
}

Status RunFormat(const DetectArgs& a) {
  return io::ReadJsonlFile(a.file, {}, [&](int64_t, io::Record& r) {
    auto res = autolabel::DetectFormat(r.text);
    if (a.threshold >= 0 && res.confidence < a.threshold) {
      res.format = "unknown";
      res.code_language.clear();
    }
    nlohmann::json j = {{"id", r.id}, {"format", res.format}, {"confidence", res.confidence}};
    if (!res.code_language.empty()) j["code_language"] = res.code_language;
    PrintLine(j);
    return Status::Ok();
  });
}

Status RunBoilerplate(const DetectArgs& a) {
  return io::ReadJsonlFile(a.file, {}, [&](int64_t, io::Record& r) {
    const auto blocks = autolabel::DetectBoilerplate(r.text);
    nlohmann::json jb = nlohmann::json::array();
    for (const auto& b : blocks) {
      const bool bp = b.boilerplate && (a.threshold < 0 || b.confidence >= a.threshold);
      jb.push_back({{"start", b.start}, {"end", b.end}, {"kind", b.kind}, {"boilerplate", bp},
                    {"confidence", b.confidence}});
    }
    PrintLine({{"id", r.id}, {"blocks", jb}, {"confidence", autolabel::BlocksConfidence(blocks)}});
    return Status::Ok();
  });
}

Status RunDuplicates(const DetectArgs& a) {
  autolabel::DuplicateOptions opt;
  if (a.threshold >= 0) opt.threshold = a.threshold;
  if (a.shingles_only) opt.edit_max_words = 0;
  ASSIGN_OR_RETURN(auto finder, autolabel::DuplicateFinder::Create(opt));
  std::vector<std::string> ids;
  RETURN_IF_ERROR(io::ReadJsonlFile(a.file, {}, [&](int64_t, io::Record& r) {
    ids.push_back(std::move(r.id));
    if (a.content_only) {
      // A message that is all boilerplate (e.g. only a quote) keeps its full text: grouping every
      // such message on the empty string would be wrong.
      std::string content = autolabel::ContentText(r.text, autolabel::DetectBoilerplate(r.text));
      const bool blank = content.find_first_not_of(" \t\r\n") == std::string::npos;
      finder->Add(blank ? std::string_view(r.text) : std::string_view(content));
    } else {
      finder->Add(r.text);
    }
    return Status::Ok();
  }));
  const auto groups = finder->Groups();
  // One line per grouped item, in file order.
  std::vector<std::pair<size_t, const autolabel::DuplicateMember*>> rows;
  std::vector<size_t> rep_of;
  for (const auto& g : groups)
    for (const auto& m : g.members) rows.push_back({g.representative, &m});
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.second->index < y.second->index; });
  for (const auto& [rep, m] : rows) {
    PrintLine({{"id", ids[m->index]}, {"group", ids[rep]}, {"kind", autolabel::DuplicateKindName(m->kind)},
               {"similarity", m->similarity}});
  }
  return Status::Ok();
}

}  // namespace

void RegisterDetect(CLI::App& app, GlobalOptions& g, int* exit_code) {
  static DetectArgs args;
  auto* cmd = app.add_subcommand("detect", "Rule labelers: language, format, duplicates, boilerplate");
  cmd->add_option("KIND", args.kind, "language | format | duplicates | boilerplate")
      ->required()
      ->check(CLI::IsMember({"language", "format", "duplicates", "boilerplate"}));
  cmd->add_option("FILE", args.file, "Records in the project's JSONL format")->required();
  cmd->add_option("--threshold", args.threshold,
                  "duplicates: Jaccard threshold (0.8); language: min fastText probability (0.4); "
                  "format/boilerplate: min confidence")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--model", args.model, "fastText language model (default: models/lid.176.ftz)");
  cmd->add_flag("--cld2-only", args.no_model, "language: use CLD2 only, no fastText model");
  cmd->add_flag("--content-only", args.content_only,
                "duplicates: compare texts with boilerplate (quotes, signatures, footers) removed");
  cmd->add_flag("--shingles-only", args.shingles_only,
                "duplicates: Jaccard of word 3-shingles only, no word edit comparison of 8-40-word texts");
  cmd->callback([exit_code] {
    Status st;
    if (args.kind == "language") st = RunLanguage(args);
    else if (args.kind == "format") st = RunFormat(args);
    else if (args.kind == "duplicates") st = RunDuplicates(args);
    else st = RunBoilerplate(args);
    std::fflush(stdout);
    if (!st.ok()) *exit_code = Fail(st);
  });
}

}  // namespace hitloop::cli
