#include "loop/audit_region_file.h"

#include <cstring>
#include <filesystem>

#include "core/file.h"
#include "core/ids.h"
#include "core/serial.h"
#include "loop/audit_region.h"

namespace hitloop::loop {
namespace {

constexpr uint32_t kMagic = 0x52414C48;  // "HLAR"
constexpr uint32_t kVersion = 1;

std::string PathFor(const std::string& dir, int64_t cycle) {
  return dir + "/audit-regions-c" + std::to_string(cycle) + ".bin";
}

bool AnyStateFile(const std::string& dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind("audit-regions-c", 0) == 0) return true;
  }
  return false;
}

}  // namespace

AuditRegionState LoadAuditRegions(const std::string& models_dir, int64_t cycle) {
  AuditRegionState st;
  auto bytes = ReadFile(PathFor(models_dir, cycle));
  bool ok = bytes.ok() && bytes->size() > 16;
  if (ok) {
    const std::string_view all(*bytes);
    const std::string_view payload = all.substr(0, all.size() - 8);
    uint64_t sum = 0;
    std::memcpy(&sum, all.data() + all.size() - 8, 8);
    Reader r(payload);
    uint32_t magic = 0, version = 0;
    std::vector<int64_t> ids, drawn_ids;
    std::vector<int32_t> since, drawn_at;
    std::vector<uint8_t> whole;
    ok = sum == Hash64(payload) && r.Get(&magic) && magic == kMagic && r.Get(&version) &&
         version == kVersion && r.GetVector(&ids) && r.GetVector(&since) && ids.size() == since.size() &&
         r.GetVector(&drawn_ids) && r.GetVector(&drawn_at) && r.GetVector(&whole) &&
         drawn_ids.size() == drawn_at.size() && drawn_ids.size() == whole.size();
    if (ok) {
      st.origin = AuditRegionState::Origin::kLoaded;
      for (size_t i = 0; i < ids.size(); ++i) st.since[ids[i]] = since[i];
      for (size_t i = 0; i < drawn_ids.size(); ++i) st.draws[drawn_ids[i]] = {drawn_at[i], whole[i]};
    }
  }
  if (!ok && AnyStateFile(models_dir)) st.origin = AuditRegionState::Origin::kLost;
  return st;
}

Status SaveAuditRegions(const std::string& models_dir, int64_t cycle, std::span<const int64_t> item_ids,
                        std::span<const int32_t> since,
                        const std::unordered_map<int64_t, std::pair<int32_t, uint8_t>>& draws) {
  if (item_ids.size() != since.size()) return InvalidArgument("audit regions: sizes disagree");
  std::error_code ec;
  std::filesystem::create_directories(models_dir, ec);
  if (ec) return IoError(models_dir + ": " + ec.message());
  Writer w;
  w.Put(kMagic);
  w.Put(kVersion);
  w.PutVector(std::vector<int64_t>(item_ids.begin(), item_ids.end()));
  w.PutVector(std::vector<int32_t>(since.begin(), since.end()));
  std::vector<int64_t> ids;
  std::vector<int32_t> at;
  std::vector<uint8_t> whole;
  for (const auto& [id, d] : draws) {
    ids.push_back(id);
    at.push_back(d.first);
    whole.push_back(d.second);
  }
  w.PutVector(ids);
  w.PutVector(at);
  w.PutVector(whole);
  std::string payload = w.Take();
  const uint64_t sum = Hash64(payload);
  payload.append(reinterpret_cast<const char*>(&sum), 8);
  RETURN_IF_ERROR(AtomicWriteFile(PathFor(models_dir, cycle), payload));
  // Keep the newest two: the previous one is what a failed retry of this cycle would read.
  std::filesystem::remove(PathFor(models_dir, cycle - 2), ec);
  return Status::Ok();
}

}  // namespace hitloop::loop
