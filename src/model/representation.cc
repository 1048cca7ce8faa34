// The only list of representations. Adding one = one file + one line here + one test file.
#include "model/representation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <thread>

#include "core/file.h"
#include "model/ft_vectors.h"
#include "model/lsa.h"
#include "model/model_file.h"
#include "model/patches.h"
#include "model/rff.h"

namespace hitloop::model {
namespace {

struct RepresentationEntry {
  const char* name;
  std::unique_ptr<Representation> (*create)(const RepresentationOptions&);
};

const RepresentationEntry kRepresentations[] = {
    {"lsa", [](const RepresentationOptions& o) -> std::unique_ptr<Representation> {
       return std::make_unique<Lsa>(o);
     }},
    {"ftvec", [](const RepresentationOptions& o) -> std::unique_ptr<Representation> {
       return std::make_unique<FastTextVectors>(o);
     }},
    {"rff", [](const RepresentationOptions& o) -> std::unique_ptr<Representation> {
       return std::make_unique<RandomFourierFeatures>(o);
     }},
    {"patches", [](const RepresentationOptions& o) -> std::unique_ptr<Representation> {
       return std::make_unique<PatchFeatures>(o);
     }},
};

constexpr std::string_view kFramePrefix = "repr:";

}  // namespace

std::vector<std::string> RepresentationNames() {
  std::vector<std::string> names;
  for (const auto& e : kRepresentations) names.emplace_back(e.name);
  return names;
}

Result<std::unique_ptr<Representation>> CreateRepresentation(
    std::string_view name, const RepresentationOptions& options) {
  for (const auto& e : kRepresentations) {
    if (name == e.name) return e.create(options);
  }
  std::string known;
  for (const auto& e : kRepresentations) known += std::string(known.empty() ? "" : ", ") + e.name;
  return NotFound("unknown representation '" + std::string(name) + "' (known: " + known + ")");
}

Result<ModelSpec> ParseModelSpec(std::string_view spec) {
  ModelSpec out;
  const size_t plus = spec.find('+');
  if (plus == std::string_view::npos) {
    if (spec.empty()) return InvalidArgument("model spec: empty");
    out.classifier = std::string(spec);
    return out;
  }
  out.classifier = std::string(spec.substr(plus + 1));
  if (out.classifier.empty() || out.classifier.find('+') != std::string::npos) {
    return InvalidArgument("model spec '" + std::string(spec) + "': expected REPR[,REPR]+MODEL");
  }
  std::string_view reprs = spec.substr(0, plus);
  while (true) {
    const size_t comma = reprs.find(',');
    const std::string_view r = reprs.substr(0, comma);
    if (r.empty()) return InvalidArgument("model spec '" + std::string(spec) + "': empty representation");
    RETURN_IF_ERROR(CreateRepresentation(r, {}).status());
    if (std::find(out.representations.begin(), out.representations.end(), r) !=
        out.representations.end()) {
      return InvalidArgument("model spec '" + std::string(spec) + "': '" + std::string(r) +
                             "' given twice");
    }
    out.representations.emplace_back(r);
    if (comma == std::string_view::npos) break;
    reprs.remove_prefix(comma + 1);
  }
  return out;
}

Result<RepresentationSet> FitRepresentations(std::span<const std::string> names,
                                             std::span<const Example> pool,
                                             const RepresentationOptions& options) {
  RepresentationSet set;
  for (size_t i = 0; i < names.size(); ++i) {
    RepresentationOptions o = options;
    o.seed = options.seed + 7919ULL * i;
    ASSIGN_OR_RETURN(auto r, CreateRepresentation(names[i], o));
    RETURN_IF_ERROR(r->Fit(pool));
    set.push_back(std::move(r));
  }
  return set;
}

uint32_t DenseWidth(const text::SparseRow& row, uint32_t text_dim) {
  uint32_t w = 0;
  for (const auto& f : row) {
    if (f.index >= text_dim) w = std::max(w, f.index - text_dim + 1);
  }
  return w;
}

void DenseBlock(const text::SparseRow* row, uint32_t text_dim, uint32_t width, std::vector<float>* x) {
  x->assign(width, 0.0f);
  if (row == nullptr) return;
  for (const auto& f : *row) {
    if (f.index >= text_dim && f.index - text_dim < width) (*x)[f.index - text_dim] = f.value;
  }
}

float DenseNorm(const Example& example, uint32_t text_dim, uint32_t width) {
  if (example.features == nullptr) return 0.0f;
  double ss = 0;
  for (const auto& f : *example.features) {
    if (f.index >= text_dim && f.index - text_dim < width) ss += double(f.value) * f.value;
  }
  return static_cast<float>(std::sqrt(ss));
}

Status AugmentRows(const RepresentationSet& set, std::span<const Example> examples,
                   uint32_t offset, float weight, int threads,
                   std::vector<text::SparseRow>* rows) {
  if (rows->size() != examples.size()) return InvalidArgument("augment: rows and examples differ");
  if (set.empty()) return Status::Ok();
  size_t total = 0;
  for (const auto& r : set) total += static_cast<size_t>(r->dims());
  for (const auto& row : *rows) {
    if (!row.empty() && row.back().index >= offset) {
      return InvalidArgument("augment: a row already has features at or after the block offset");
    }
  }
  const size_t n = examples.size();
  threads = std::max(1, threads);
  std::vector<Status> errors(threads);
  auto work = [&](int t) {
    std::vector<float> all(total);
    for (size_t i = t; i < n; i += threads) {
      // Every block first (examples[i] may point at the row being extended), then append.
      size_t at = 0;
      for (const auto& r : set) {
        std::span<float> block(all.data() + at, static_cast<size_t>(r->dims()));
        Status st = r->Transform(examples[i], block);
        if (!st.ok()) {
          errors[t] = st;
          return;
        }
        double ss = 0;
        for (float v : block) ss += double(v) * v;
        const float scale =
            ss > 0 ? weight * r->InputNorm(examples[i]) / static_cast<float>(std::sqrt(ss)) : 0.0f;
        for (float& v : block) v *= scale;
        at += block.size();
      }
      text::SparseRow& row = (*rows)[i];
      row.reserve(row.size() + total);
      for (size_t j = 0; j < total; ++j) {
        if (all[j] != 0.0f) row.push_back({offset + static_cast<uint32_t>(j), all[j]});
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (const auto& st : errors) RETURN_IF_ERROR(st);
  return Status::Ok();
}

std::vector<RepresentationBlock> BlockLayout(const RepresentationSet& set, uint32_t offset) {
  std::vector<RepresentationBlock> out;
  uint32_t at = offset;
  for (const auto& r : set) {
    out.push_back({r->name(), at, at + static_cast<uint32_t>(r->dims())});
    at += static_cast<uint32_t>(r->dims());
  }
  return out;
}

Status FilterRow(const text::SparseRow& row, std::span<const RepresentationBlock> blocks,
                 std::span<const std::string> keep, text::SparseRow* out) {
  out->clear();
  std::vector<const RepresentationBlock*> kept;
  for (const auto& name : keep) {
    auto it = std::find_if(blocks.begin(), blocks.end(),
                           [&](const RepresentationBlock& b) { return b.name == name; });
    if (it == blocks.end()) {
      return InvalidArgument("representation '" + name + "' was not built for these rows");
    }
    kept.push_back(&*it);
  }
  const uint32_t first = blocks.empty() ? UINT32_MAX : blocks.front().begin;
  for (const auto& f : row) {
    bool take = f.index < first;
    for (const auto* b : kept) take |= f.index >= b->begin && f.index < b->end;
    if (take) out->push_back(f);
  }
  return Status::Ok();
}

bool UsesAllBlocks(std::span<const RepresentationBlock> blocks, std::span<const std::string> keep) {
  if (blocks.size() != keep.size()) return false;
  for (const auto& b : blocks) {
    if (std::find(keep.begin(), keep.end(), b.name) == keep.end()) return false;
  }
  return true;
}

Result<std::string> EncodeRepresentation(const Representation& r) {
  ASSIGN_OR_RETURN(std::string payload, r.Serialize());
  return EncodeFrame(std::string(kFramePrefix) + r.name(), payload);
}

Result<std::unique_ptr<Representation>> DecodeRepresentation(std::string_view bytes,
                                                             const RepresentationOptions& options) {
  std::string_view name, payload;
  RETURN_IF_ERROR(DecodeFrame(bytes, &name, &payload));
  if (!name.starts_with(kFramePrefix)) {
    return Corruption("representation file: holds '" + std::string(name) +
                      "', not a representation");
  }
  auto r = CreateRepresentation(name.substr(kFramePrefix.size()), options);
  if (!r.ok()) return Corruption("representation file: " + r.status().message());
  RETURN_IF_ERROR((*r)->Deserialize(payload));
  return std::move(r).value();
}

Status SaveRepresentation(const Representation& r, const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, EncodeRepresentation(r));
  return AtomicWriteFile(path, bytes);
}

Result<std::unique_ptr<Representation>> LoadRepresentation(const std::string& path,
                                                           const RepresentationOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  auto r = DecodeRepresentation(bytes, options);
  if (!r.ok()) return Status(r.status().code(), path + ": " + r.status().message());
  return r;
}

}  // namespace hitloop::model
