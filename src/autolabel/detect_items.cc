#include "autolabel/detect_items.h"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "autolabel/detector_registry.h"

namespace hitloop::autolabel {

namespace {

void DetectOne(const ItemText& it, const DetectItemsOptions& o, std::vector<Detection>* out) {
  const auto detectors = Detectors();
  const DetectorContext context{o.language};
  for (size_t i = 0; i < detectors.size(); ++i) {
    const DetectorEntry& e = detectors[i];
    if (!o.detectors.Has(i) || (e.needs_language && o.language == nullptr)) continue;
    Detection d = e.detect(it.text, context);
    d.item_id = it.item_id;
    d.detector = e.name;
    out->push_back(std::move(d));
  }
}

}  // namespace

std::vector<Detection> DetectItems(std::span<const ItemText> items, const DetectItemsOptions& o) {
  const size_t n = items.size();
  const size_t threads = std::max<size_t>(1, std::min<size_t>(o.threads, n / 64 + 1));
  std::vector<std::vector<Detection>> parts(threads);
  auto work = [&](size_t t) {
    const size_t lo = n * t / threads, hi = n * (t + 1) / threads;
    for (size_t i = lo; i < hi; ++i) DetectOne(items[i], o, &parts[t]);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  std::vector<Detection> out;
  for (auto& p : parts) {
    out.insert(out.end(), std::make_move_iterator(p.begin()), std::make_move_iterator(p.end()));
  }
  return out;
}

std::string FindLid176Model(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv("HITLOOP_LID_MODEL"); env && *env) return env;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file("models/lid.176.ftz", ec)) return "models/lid.176.ftz";
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      const fs::path candidate = dir / "models" / "lid.176.ftz";
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
    }
  }
  return "";
}

Result<std::unique_ptr<LanguageIdentifier>> OpenDefaultLanguageIdentifier(std::string* note) {
  const std::string path = FindLid176Model();
  if (path.empty()) {
    if (note) *note = "lid.176.ftz not found (scripts/fetch-models.sh); language by CLD2 only";
    return LanguageIdentifier::Cld2Only();
  }
  LanguageOptions opt;
  opt.model_path = path;
  if (path.ends_with("lid.176.ftz")) opt.expected_sha256 = kLid176FtzSha256;
  ASSIGN_OR_RETURN(auto lid, LanguageIdentifier::Open(opt));
  if (note) *note = "language by fastText lid.176 (" + path + ") with CLD2 fallback";
  return lid;
}

}  // namespace hitloop::autolabel
