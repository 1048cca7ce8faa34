#pragma once
// Identifiers and secrets. Random ids come from libsodium's CSPRNG (unguessable: lease ids and
// tokens must not be enumerable). Thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

namespace hitloop {

// 128 random bits as 32 lowercase hex characters.
std::string RandomId();
// 32 lowercase hex characters too, but time-ordered: 48 bits of `now_ms` then 80 random bits.
// Still unguessable; ids made later sort later, so a B-tree keyed by them grows at its right
// edge instead of dirtying a random page per insert (lease ids: one insert per claim).
std::string TimeOrderedId(int64_t now_ms);
// `bytes` random bytes, URL-safe base64 without padding (used for API tokens).
std::string RandomToken(size_t bytes = 32);
// 64-bit content hash (XXH3) of already-normalised bytes, as 16 hex characters.
std::string ContentHash(std::string_view bytes);
uint64_t Hash64(std::string_view bytes, uint64_t seed = 0);

}  // namespace hitloop
