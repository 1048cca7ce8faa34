// hitloop project create NAME --type single-label|multi-label --labels a,b,c
// hitloop project create NAME --type pairwise|ranking [--criteria a,b,c]
// hitloop project list | hitloop project add-label NAME LABEL
#include <cstdio>

#include "cli/admin_log.h"
#include "cli/command.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {

void RegisterProject(CLI::App& app, GlobalOptions& g, int* exit_code) {
  auto* project = app.add_subcommand("project", "Create and inspect projects");
  project->require_subcommand(1);

  struct CreateOpts {
    std::string name, type = "single-label", labels, criteria;
  };
  static CreateOpts o;
  auto* create = project->add_subcommand("create", "Create a project");
  create->add_option("NAME", o.name, "Project name")->required();
  create->add_option("--type", o.type, "single-label | multi-label | pairwise | ranking (pairwise-preference = pairwise)")
      ->capture_default_str();
  create->add_option("--labels", o.labels, "Comma-separated label set (may grow later)");
  create->add_option("--criteria", o.criteria,
                     "pairwise/ranking: comma-separated criteria judged in turn (e.g. harmlessness,helpfulness)");
  create->callback([&g, exit_code] {
    auto type = ParseTaskType(o.type);
    if (!type.ok()) { *exit_code = Fail(type.status()); return; }
    Project p;
    p.name = o.name;
    p.type = *type;
    if (!o.criteria.empty() && !IsPreferenceType(p.type)) {
      *exit_code = Fail(InvalidArgument("--criteria: only for --type pairwise or ranking (use --labels)"));
      return;
    }
    if (IsPreferenceType(p.type) && !o.labels.empty()) {
      *exit_code = Fail(InvalidArgument("--labels: a " + o.type + " project has no labels (use --criteria)"));
      return;
    }
    std::string cur;
    // A preference project's criteria are kept as its label set (schema/types.h).
    for (char c : (IsPreferenceType(p.type) ? o.criteria : o.labels) + ",") {
      if (c == ',') {
        size_t b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
        if (b != std::string::npos) p.labels.push_back(cur.substr(b, e - b + 1));
        if (IsPreferenceType(p.type) && !p.labels.empty() &&
            p.labels.back().find_first_of(":/>=") != std::string::npos) {
          *exit_code = Fail(InvalidArgument("--criteria: '" + p.labels.back() + "' may not contain : / > ="));
          return;
        }
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!IsPreferenceType(p.type) && p.labels.empty()) {
      *exit_code = Fail(InvalidArgument("--labels: at least one label is required"));
      return;
    }
    auto store = OpenStore(g.db_path, OpenMode::kCreateIfMissing);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    Result<Project> created = Project{};
    Status st = (*store)->InTransaction([&]() -> Status {
      created = (*store)->CreateProject(p);
      if (!created.ok()) return created.status();
      return LogCliAction(**store, "project.create", created->name, created->name,
                          {{"type", TaskTypeName(created->type)}, {"labels", created->labels}});
    });
    if (!st.ok()) { *exit_code = Fail(st); return; }
    if (IsPreferenceType(created->type)) {
      std::printf("created project '%s' (%s, %zu criteria)\n", created->name.c_str(),
                  TaskTypeName(created->type), created->labels.size());
    } else {
      std::printf("created project '%s' (%s, %zu labels)\n", created->name.c_str(),
                  TaskTypeName(created->type), created->labels.size());
    }
  });

  static std::string label_project, new_label;
  auto* add_label = project->add_subcommand("add-label", "Add a label class mid-project");
  add_label->add_option("NAME", label_project)->required();
  add_label->add_option("LABEL", new_label)->required();
  add_label->callback([&g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto p = (*store)->GetProject(label_project);
    if (!p.ok()) { *exit_code = Fail(p.status()); return; }
    Status st = (*store)->InTransaction([&]() -> Status {
      RETURN_IF_ERROR((*store)->AddLabel(p->id, new_label));
      return LogCliAction(**store, "label.add", p->name, new_label);
    });
    if (!st.ok()) { *exit_code = Fail(st); return; }
    std::printf("added label '%s' to '%s'\n", new_label.c_str(), label_project.c_str());
  });

  auto* list = project->add_subcommand("list", "List projects");
  list->callback([&g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto ps = (*store)->ListProjects();
    if (!ps.ok()) { *exit_code = Fail(ps.status()); return; }
    for (const auto& p : *ps) {
      std::printf("%s\t%s\t%zu labels\n", p.name.c_str(), TaskTypeName(p.type), p.labels.size());
    }
  });
}

}  // namespace hitloop::cli
