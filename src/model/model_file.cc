#include "model/model_file.h"

#include <cstring>

#include "core/file.h"
#include "core/ids.h"
#include "model/registry.h"
#include "core/serial.h"

namespace hitloop::model {
namespace {
constexpr char kMagic[8] = {'H', 'L', 'M', 'O', 'D', 'E', 'L', '\0'};
constexpr uint32_t kMaxNameBytes = 256;

uint64_t Checksum(std::string_view name, std::string_view payload) {
  std::string buf;
  buf.reserve(name.size() + payload.size());
  buf.append(name);
  buf.append(payload);
  return Hash64(buf);
}
}  // namespace

std::string EncodeFrame(std::string_view name, std::string_view payload) {
  Writer w;
  std::string out(kMagic, sizeof(kMagic));
  w.Put<uint32_t>(kModelFileVersion);
  w.Put<uint32_t>(static_cast<uint32_t>(name.size()));
  out += w.Take();
  out += name;
  Writer w2;
  w2.Put<uint64_t>(payload.size());
  w2.Put<uint64_t>(Checksum(name, payload));
  out += w2.Take();
  out += payload;
  return out;
}

Status DecodeFrame(std::string_view bytes, std::string_view* name_out,
                   std::string_view* payload_out) {
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Corruption("model file: bad magic (not a hitloop model)");
  }
  Reader r(bytes.substr(sizeof(kMagic)));
  uint32_t version = 0, name_len = 0;
  if (!r.Get(&version)) return Corruption("model file: truncated header");
  if (version != kModelFileVersion) {
    return Corruption("model file: unsupported format version " + std::to_string(version));
  }
  if (!r.Get(&name_len) || name_len == 0 || name_len > kMaxNameBytes) {
    return Corruption("model file: bad name length");
  }
  const size_t header = sizeof(kMagic) + 8;
  if (bytes.size() < header + name_len + 16) return Corruption("model file: truncated header");
  std::string_view name = bytes.substr(header, name_len);
  Reader r2(bytes.substr(header + name_len));
  uint64_t payload_len = 0, checksum = 0;
  if (!r2.Get(&payload_len) || !r2.Get(&checksum)) return Corruption("model file: truncated");
  const size_t payload_at = header + name_len + 16;
  if (bytes.size() - payload_at != payload_len) {
    return Corruption("model file: payload length mismatch (truncated or extended file)");
  }
  std::string_view payload = bytes.substr(payload_at);
  if (Checksum(name, payload) != checksum) return Corruption("model file: checksum mismatch");
  *name_out = name;
  *payload_out = payload;
  return Status::Ok();
}

Result<std::string> EncodeModel(const Classifier& model) {
  ASSIGN_OR_RETURN(std::string payload, model.Serialize());
  return EncodeFrame(model.name(), payload);
}

Result<std::unique_ptr<Classifier>> DecodeModel(std::string_view bytes,
                                                const ClassifierOptions& options) {
  std::string_view name, payload;
  RETURN_IF_ERROR(DecodeFrame(bytes, &name, &payload));
  ASSIGN_OR_RETURN(auto model, CreateClassifier(name, options));
  RETURN_IF_ERROR(model->Deserialize(payload));
  return model;
}

Status SaveModel(const Classifier& model, const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, EncodeModel(model));
  return AtomicWriteFile(path, bytes);
}

Result<std::unique_ptr<Classifier>> LoadModel(const std::string& path,
                                              const ClassifierOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  auto m = DecodeModel(bytes, options);
  if (!m.ok()) return Status(m.status().code(), path + ": " + m.status().message());
  return m;
}

}  // namespace hitloop::model
