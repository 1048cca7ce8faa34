#include "loop/model_choice.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "loop/certify.h"

namespace hitloop::loop {
namespace {

using nlohmann::json;

void AddUnique(std::vector<std::string>* out, const std::string& name) {
  if (std::find(out->begin(), out->end(), name) == out->end()) out->push_back(name);
}

}  // namespace

Result<std::vector<std::string>> NeededRepresentations(const LoopConfig& cfg) {
  std::vector<std::string> out;
  for (const auto& r : cfg.representations) AddUnique(&out, r);
  std::vector<std::string> specs;
  if (cfg.model == "auto") {
    specs = cfg.model_candidates;
  } else {
    specs = {cfg.model};
  }
  for (const auto& s : specs) {
    ASSIGN_OR_RETURN(model::ModelSpec spec, model::ParseModelSpec(s));
    for (const auto& r : spec.representations) AddUnique(&out, r);
  }
  return out;
}

Result<PreparedRepresentations> PrepareRepresentations(
    std::span<const std::string> names, const std::string& models_dir, double refresh,
    const model::RepresentationOptions& options, std::span<const model::Example> pool) {
  PreparedRepresentations out;
  if (names.empty()) return out;
  std::error_code ec;
  std::filesystem::create_directories(models_dir, ec);
  if (ec) return IoError(models_dir + ": " + ec.message());
  const int64_t n = static_cast<int64_t>(pool.size());
  for (const auto& name : names) {
    const auto t0 = std::chrono::steady_clock::now();
    RepresentationRecord rec;
    rec.name = name;
    rec.path = models_dir + "/repr-" + name + ".model";
    const std::string meta_path = models_dir + "/repr-" + name + ".json";
    std::unique_ptr<model::Representation> r;
    rec.reason = "no file";
    if (std::filesystem::exists(rec.path) && std::filesystem::exists(meta_path)) {
      int64_t fitted = 0;
      if (auto meta = ReadFile(meta_path); meta.ok()) {
        const json m = json::parse(*meta, nullptr, false);
        if (!m.is_discarded() && m.is_object() && m.contains("pool_size") &&
            m["pool_size"].is_number_integer()) {
          fitted = m["pool_size"].get<int64_t>();
        }
      }
      if (fitted <= 0) {
        rec.reason = "unreadable " + meta_path;
      } else if (static_cast<double>(n) > static_cast<double>(fitted) * (1.0 + refresh)) {
        rec.reason = "pool grew from " + std::to_string(fitted) + " to " + std::to_string(n);
      } else {
        auto loaded = model::LoadRepresentation(rec.path, options);
        if (loaded.ok() && (*loaded)->name() == name) {
          r = std::move(loaded).value();
          rec.fitted_pool_size = fitted;
        } else {
          rec.reason = loaded.ok() ? "file holds another representation"
                                   : loaded.status().ToString();
        }
      }
    }
    if (!r) {
      ASSIGN_OR_RETURN(r, model::CreateRepresentation(name, options));
      Status st = r->Fit(pool);
      if (!st.ok()) return Status(st.code(), "representation '" + name + "': " + st.message());
      RETURN_IF_ERROR(model::SaveRepresentation(*r, rec.path));
      RETURN_IF_ERROR(AtomicWriteFile(meta_path, json{{"pool_size", n}}.dump() + "\n"));
      rec.learnt = true;
      rec.fitted_pool_size = n;
    } else {
      rec.reason.clear();
    }
    rec.dims = r->dims();
    rec.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.records.push_back(std::move(rec));
    out.set.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<model::Example>> ViewForSpec(const std::string& spec_name,
                                                std::span<const model::RepresentationBlock> blocks,
                                                std::span<const model::Example> examples,
                                                std::vector<text::SparseRow>* storage) {
  ASSIGN_OR_RETURN(model::ModelSpec spec, model::ParseModelSpec(spec_name));
  std::vector<model::Example> out(examples.begin(), examples.end());
  if (blocks.empty() && spec.representations.empty()) return out;
  if (model::UsesAllBlocks(blocks, spec.representations)) return out;
  storage->assign(examples.size(), {});
  for (size_t i = 0; i < examples.size(); ++i) {
    if (examples[i].features == nullptr) continue;
    RETURN_IF_ERROR(model::FilterRow(*examples[i].features, blocks, spec.representations,
                                     &(*storage)[i]));
    out[i].features = &(*storage)[i];
  }
  return out;
}

Result<ModelResolution> ResolveModel(const LoopConfig& cfg,
                                     std::span<const model::RepresentationBlock> blocks,
                                     std::span<const model::Example> train,
                                     std::span<const int> train_y, int k,
                                     const model::ClassifierOptions& options, uint64_t seed) {
  ModelResolution out;
  if (cfg.model != "auto") {
    out.spec = cfg.model;
    return out;
  }
  if (cfg.model_candidates.empty()) return InvalidArgument("loop.model_candidates: empty");
  std::vector<std::vector<text::SparseRow>> storage(cfg.model_candidates.size());
  std::vector<std::vector<model::Example>> views(cfg.model_candidates.size());
  std::vector<model::SelectionCandidate> cands;
  for (size_t c = 0; c < cfg.model_candidates.size(); ++c) {
    ASSIGN_OR_RETURN(views[c], ViewForSpec(cfg.model_candidates[c], blocks, train, &storage[c]));
    cands.push_back({cfg.model_candidates[c], views[c]});
  }
  model::SelectionOptions so;
  so.epsilon = 1.0 - cfg.target_precision;
  so.delta = 1.0 - cfg.confidence;
  so.seed = seed;
  so.model_options = options;
  so.upper_bound = [](int64_t e, int64_t n, double d) { return ClopperPearsonUpper(e, n, d); };
  ASSIGN_OR_RETURN(model::SelectionResult r, model::SelectModel(cands, train_y, k, so));
  out.spec = cfg.model_candidates[r.chosen];
  out.choice = std::move(r);
  return out;
}

std::string ModelChoiceJson(const std::optional<model::SelectionResult>& choice,
                            const std::string& spec) {
  if (!choice) return json{{"mode", "fixed"}, {"model", spec}}.dump();
  json scores = json::array();
  for (const auto& s : choice->scores) {
    json j = {{"model", s.name}, {"ok", s.ok}, {"cv_accuracy", s.accuracy},
              {"certifiable_coverage", s.coverage}, {"seconds", s.seconds}};
    if (s.ok && s.coverage > 0) j["threshold"] = s.threshold;
    if (!s.ok) j["error"] = s.error;
    scores.push_back(j);
  }
  return json{{"mode", "auto"},
              {"model", spec},
              {"rule", choice->rule},
              {"items", choice->items},
              {"candidates", scores}}
      .dump();
}

std::string RepresentationsJson(const std::vector<RepresentationRecord>& records) {
  json out = json::array();
  for (const auto& r : records) {
    out.push_back({{"name", r.name}, {"path", r.path}, {"fitted_pool_size", r.fitted_pool_size},
                   {"learnt", r.learnt}, {"reason", r.reason}, {"dims", r.dims},
                   {"seconds", r.seconds}});
  }
  return out.dump();
}

}  // namespace hitloop::loop
