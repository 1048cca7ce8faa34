// hitloop review NAME --list [--annotator U] [--sample N] [--seed S] [--unreviewed] [--limit N]
// [--json] hitloop review NAME --approve ANSWER_ID [--comment TEXT] --as USER hitloop review NAME
// --reject ANSWER_ID --comment TEXT --as USER The review workflow from the shell (loop/review.h,
// docs/SERVER.md "Reviewing answers"): list people's answers with their verdicts, approve or reject
// one. USER must be a reviewer or an admin and not the answer's annotator; a rejected answer goes
// back to its annotator's queue.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "core/clock.h"
#include "loop/review.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {

namespace {

struct Opts {
  std::string project;
  bool list = false;
  std::string annotator;
  int64_t sample = 0;
  int64_t seed = 1;
  bool unreviewed = false;
  int limit = 50;
  bool json = false;
  int64_t approve = 0;
  int64_t reject = 0;
  std::string comment;
  std::string as;
};

std::string Line(std::string s, size_t max) {
  for (char& ch : s) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return s.substr(0, cut) + "...";
}

int List(Store& store, const Project& p, const Opts& o) {
  loop::ReviewFilter f;
  f.annotator = o.annotator;
  f.sample = o.sample;
  f.seed = o.seed;
  f.unreviewed = o.unreviewed;
  f.limit = o.limit;
  auto page = loop::ListForReview(store, p, f);
  if (!page.ok()) return Fail(page.status());
  if (o.json) {
    std::printf("%s\n", loop::ReviewPageJson(p, *page).dump(2).c_str());
    return 0;
  }
  std::printf("%-8s %-10s %-12s %-16s %-10s %s\n", "answer", "item", "annotator", "labels",
              "verdict", "text");
  for (const auto& row : page->rows) {
    std::string labels;
    for (const auto& l : row.answer.labels) labels += (labels.empty() ? "" : ",") + l;
    const std::string verdict = row.reviews.empty() ? "-" : row.reviews.back().verdict;
    std::printf("%-8lld %-10s %-12s %-16s %-10s %s\n", static_cast<long long>(row.answer.id),
                Line(row.item_id, 10).c_str(), Line(row.answer.annotator, 12).c_str(),
                Line(labels, 16).c_str(), verdict.c_str(), Line(row.text, 60).c_str());
  }
  if (!page->next_cursor.empty()) std::printf("(more: raise --limit)\n");
  return 0;
}

int Verdict(Store& store, const Project& p, const Opts& o) {
  if (o.as.empty()) return Fail(InvalidArgument("--as USER: who reviews (a reviewer or an admin)"));
  auto user = store.FindUserByName(o.as);
  if (!user.ok()) return Fail(user.status());
  if (!user->has_value() || (*user)->disabled)
    return Fail(NotFound("no user named '" + o.as + "'"));
  if ((*user)->role == Role::kAnnotator) {
    return Fail(
        InvalidArgument("--as " + o.as + ": an annotator cannot review (reviewer or admin)"));
  }
  const bool approve = o.approve > 0;
  const int64_t answer = approve ? o.approve : o.reject;
  auto id = loop::RecordReview(store, p, answer, o.as, approve ? "approve" : "reject", o.comment,
                               SystemClock::Default()->NowMillis());
  if (!id.ok()) return Fail(id.status());
  std::printf("%s answer %lld of '%s' (review %lld)%s\n", approve ? "approved" : "rejected",
              static_cast<long long>(answer), p.name.c_str(), static_cast<long long>(*id),
              approve ? "" : ": it counts for nothing now and is sent back to its annotator (an imported"
                             " answer's only if they are a user here)");
  return 0;
}

}  // namespace

void RegisterReview(CLI::App& app, GlobalOptions& g, int* exit_code) {
  static Opts o;
  auto* cmd =
      app.add_subcommand("review", "Review people's answers: list them, approve or reject one");
  cmd->add_option("NAME", o.project, "Project name")->required();
  auto* list = cmd->add_flag("--list", o.list, "List answers with their verdicts");
  cmd->add_option("--annotator", o.annotator, "Only this person's answers")->needs(list);
  cmd->add_option("--sample", o.sample, "A seeded random sample of N answers")->needs(list);
  cmd->add_option("--seed", o.seed, "Seed of the sample (default 1)")->needs(list);
  cmd->add_flag("--unreviewed", o.unreviewed, "Only answers without a verdict")->needs(list);
  cmd->add_option("--limit", o.limit, "At most N rows (1-500, default 50)")->needs(list);
  cmd->add_flag("--json", o.json, "JSON, as GET /api/v1/projects/NAME/reviews")->needs(list);
  auto* approve = cmd->add_option("--approve", o.approve, "Approve the answer with this id");
  auto* reject =
      cmd->add_option("--reject", o.reject, "Reject the answer with this id (needs --comment)");
  auto* comment =
      cmd->add_option("--comment", o.comment, "The reviewer's comment (shown to the annotator)");
  auto* as = cmd->add_option("--as", o.as, "The reviewing user (reviewer or admin)");
  list->excludes(approve)->excludes(reject);
  approve->excludes(reject);
  comment->excludes(list);
  as->excludes(list);
  cmd->callback([&g, exit_code] {
    if (!o.list && o.approve <= 0 && o.reject <= 0) {
      *exit_code = Fail(InvalidArgument("review: one of --list, --approve ID, --reject ID"));
      return;
    }
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) {
      *exit_code = Fail(store.status());
      return;
    }
    auto p = (*store)->GetProject(o.project);
    if (!p.ok()) {
      *exit_code = Fail(p.status());
      return;
    }
    *exit_code = o.list ? List(**store, *p, o) : Verdict(**store, *p, o);
  });
}

}  // namespace hitloop::cli
