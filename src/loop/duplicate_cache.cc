#include "loop/duplicate_cache.h"

#include <cstring>
#include <filesystem>

#include "core/file.h"
#include "core/ids.h"
#include "core/serial.h"

namespace hitloop::loop {
namespace {

constexpr uint32_t kMagic = 0x4455484C;  // "HLUD"
constexpr uint32_t kVersion = 1;
constexpr const char* kFileName = "/duplicate-groups.bin";

uint64_t PoolKey(std::span<const std::string_view> texts, const autolabel::DuplicateOptions& o) {
  Writer w;
  w.Put(kVersion);
  w.Put(o.threshold);
  w.Put<int32_t>(o.num_perm);
  w.Put<int32_t>(o.shingle_words);
  w.Put<uint8_t>(o.near ? 1 : 0);
  w.Put(o.seed);
  w.Put<uint64_t>(o.max_bucket_pairs);
  w.Put<int32_t>(o.edit_min_words);
  w.Put<int32_t>(o.edit_max_words);
  w.Put<uint64_t>(texts.size());
  for (const std::string_view t : texts) {
    w.Put<uint64_t>(t.size());
    w.Put<uint64_t>(Hash64(t));
  }
  return Hash64(w.Take());
}

std::string Encode(uint64_t key, size_t n, const std::vector<autolabel::DuplicateGroup>& groups) {
  Writer w;
  w.Put(kMagic);
  w.Put(kVersion);
  w.Put(key);
  w.Put<uint64_t>(n);
  w.Put<uint64_t>(groups.size());
  for (const auto& g : groups) {
    w.Put<uint64_t>(g.representative);
    w.Put<uint64_t>(g.members.size());
    for (const auto& m : g.members) {
      w.Put<uint64_t>(m.index);
      w.Put<uint8_t>(m.kind == autolabel::DuplicateKind::kExact ? 0 : 1);
      w.Put<double>(m.similarity);
      w.Put<uint64_t>(m.exact_of);
    }
  }
  std::string bytes = w.Take();
  const uint64_t sum = Hash64(bytes);
  bytes.append(reinterpret_cast<const char*>(&sum), sizeof(sum));
  return bytes;
}

// The groups in `bytes` when they were written for `key` over a pool of `n` texts.
bool Decode(std::string_view bytes, uint64_t key, size_t n,
            std::vector<autolabel::DuplicateGroup>* out) {
  if (bytes.size() < 8) return false;
  const std::string_view payload = bytes.substr(0, bytes.size() - 8);
  uint64_t sum = 0;
  std::memcpy(&sum, bytes.data() + payload.size(), 8);
  if (sum != Hash64(payload)) return false;
  Reader r(payload);
  uint32_t magic = 0, version = 0;
  uint64_t file_key = 0, file_n = 0, count = 0;
  if (!r.Get(&magic) || magic != kMagic || !r.Get(&version) || version != kVersion ||
      !r.Get(&file_key) || file_key != key || !r.Get(&file_n) || file_n != n || !r.Get(&count) ||
      count > n) {
    return false;
  }
  std::vector<autolabel::DuplicateGroup> groups(count);
  for (auto& g : groups) {
    uint64_t rep = 0, members = 0;
    if (!r.Get(&rep) || rep >= n || !r.Get(&members) || members < 2 || members > n) return false;
    g.representative = rep;
    g.members.resize(members);
    for (auto& m : g.members) {
      uint64_t index = 0, exact_of = 0;
      uint8_t kind = 0;
      if (!r.Get(&index) || index >= n || !r.Get(&kind) || kind > 1 || !r.Get(&m.similarity) ||
          !r.Get(&exact_of) || exact_of >= n) {
        return false;
      }
      m.index = index;
      m.kind = kind == 0 ? autolabel::DuplicateKind::kExact : autolabel::DuplicateKind::kNear;
      m.exact_of = exact_of;
    }
  }
  if (!r.done()) return false;
  *out = std::move(groups);
  return true;
}

}  // namespace

Result<std::vector<autolabel::DuplicateGroup>> FindPoolDuplicates(
    std::span<const std::string_view> texts, const autolabel::DuplicateOptions& options) {
  ASSIGN_OR_RETURN(auto finder, autolabel::DuplicateFinder::Create(options));
  // Only texts are added; `at` maps the finder's indices back to pool positions.
  std::vector<size_t> at;
  at.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].empty()) continue;
    finder->Add(texts[i]);
    at.push_back(i);
  }
  std::vector<autolabel::DuplicateGroup> groups = finder->Groups();
  for (auto& g : groups) {
    g.representative = at[g.representative];
    for (auto& m : g.members) {
      m.index = at[m.index];
      m.exact_of = at[m.exact_of];
    }
  }
  return groups;
}

Result<CachedDuplicates> PoolDuplicatesCached(std::span<const std::string_view> texts,
                                              const autolabel::DuplicateOptions& options,
                                              const std::string& models_dir) {
  CachedDuplicates out;
  if (models_dir.empty()) {
    ASSIGN_OR_RETURN(out.groups, FindPoolDuplicates(texts, options));
    return out;
  }
  const std::string path = models_dir + kFileName;
  const uint64_t key = PoolKey(texts, options);
  if (auto bytes = ReadFile(path); bytes.ok() && Decode(*bytes, key, texts.size(), &out.groups)) {
    out.reused = true;
    return out;
  }
  ASSIGN_OR_RETURN(out.groups, FindPoolDuplicates(texts, options));
  std::error_code ec;
  std::filesystem::create_directories(models_dir, ec);
  // Best effort: without the file the next cycle searches again.
  if (!ec) (void)AtomicWriteFile(path, Encode(key, texts.size(), out.groups));
  return out;
}

}  // namespace hitloop::loop
