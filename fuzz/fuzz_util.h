#pragma once
// Shared by the fuzz targets (fuzz/CMakeLists.txt): a per-process temporary folder, removed at
// exit, and writing the fuzzer's bytes to a file in it. Nothing is written outside that folder.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace hitloop::fuzz {

// The process's temporary folder ($TMPDIR or /tmp, hitloop-fuzz.XXXXXX), created on first use.
inline const std::string& TempDir() {
  // Never destroyed: the exit handler below runs after static destructors would have.
  static const std::string* const dir = new std::string([] {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/hitloop-fuzz.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(TempDir(), ec);
    });
    return tmpl;
  }());
  return *dir;
}

// Writes `size` bytes to TempDir()/name (replacing it) and returns the path.
inline std::string WriteTemp(const std::string& name, const uint8_t* data, size_t size) {
  std::string path = TempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace hitloop::fuzz
