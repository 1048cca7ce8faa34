#pragma once
// Identifiers and secrets. Random ids come from libsodium's CSPRNG (unguessable: lease ids and
// tokens must not be enumerable). Thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

namespace hitloop {

// 128 random bits as 32 lowercase hex characters.
std::string RandomId();
// `bytes` random bytes, URL-safe base64 without padding (used for API tokens).
std::string RandomToken(size_t bytes = 32);
// 64-bit content hash (XXH3) of already-normalised bytes, as 16 hex characters.
std::string ContentHash(std::string_view bytes);
uint64_t Hash64(std::string_view bytes, uint64_t seed = 0);

}  // namespace hitloop
