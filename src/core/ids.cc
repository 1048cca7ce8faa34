#include "core/ids.h"

#include <sodium.h>
#include <xxhash.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace hitloop {
namespace {
void EnsureSodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) throw std::runtime_error("libsodium failed to initialise");  // programmer/env error
}
}  // namespace

std::string RandomId() {
  EnsureSodium();
  unsigned char buf[16];
  randombytes_buf(buf, sizeof(buf));
  char hex[33];
  sodium_bin2hex(hex, sizeof(hex), buf, sizeof(buf));
  return std::string(hex, 32);
}

std::string TimeOrderedId(int64_t now_ms) {
  EnsureSodium();
  unsigned char buf[16];
  const uint64_t t = static_cast<uint64_t>(now_ms < 0 ? 0 : now_ms) & ((uint64_t{1} << 48) - 1);
  for (int i = 0; i < 6; ++i) buf[i] = static_cast<unsigned char>(t >> (8 * (5 - i)));
  randombytes_buf(buf + 6, sizeof(buf) - 6);
  char hex[33];
  sodium_bin2hex(hex, sizeof(hex), buf, sizeof(buf));
  return std::string(hex, 32);
}

std::string RandomToken(size_t bytes) {
  EnsureSodium();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), buf.data(), buf.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

std::string ContentHash(std::string_view bytes) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(Hash64(bytes)));
  return std::string(buf, 16);
}

}  // namespace hitloop
