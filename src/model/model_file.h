#pragma once
// Model files: every saved classifier is framed as
//   magic "HLMODEL\0" (8 bytes) | format version u32 | name length u32 | name |
//   payload length u64 | XXH3-64 of (name | payload) u64 | payload
// and written with AtomicWriteFile (tmp + fsync + rename + directory fsync), so a crash leaves
// the old file or the new one. LoadModel checks magic, version, lengths and checksum before it
// hands the payload to the classifier, so a flipped byte is a Corruption error, never a crash at
// predict time (fastText's own loader does not check its input).
// Thread-safe (no shared state).
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "model/classifier.h"

namespace hitloop::model {

inline constexpr uint32_t kModelFileVersion = 1;

// Frames the classifier's payload; Io on write failure (the previous file is left in place).
Status SaveModel(const Classifier& model, const std::string& path);
// Corruption on bad magic/version/checksum/payload; Io when unreadable; NotFound when the
// named classifier is unknown. `options` configures the recreated classifier (threads etc.).
Result<std::unique_ptr<Classifier>> LoadModel(const std::string& path,
                                              const ClassifierOptions& options = {});

// The framing around any named payload (classifiers; representations, model/representation.h).
std::string EncodeFrame(std::string_view name, std::string_view payload);
// Checks magic, version, lengths and checksum; on success name and payload view into `bytes`.
Status DecodeFrame(std::string_view bytes, std::string_view* name, std::string_view* payload);

// The framing alone (for tests and for storing models elsewhere than in files).
Result<std::string> EncodeModel(const Classifier& model);
Result<std::unique_ptr<Classifier>> DecodeModel(std::string_view bytes,
                                                const ClassifierOptions& options = {});

}  // namespace hitloop::model
