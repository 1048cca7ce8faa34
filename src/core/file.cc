#include "core/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hitloop {
namespace {
Status Errno(const std::string& what, const std::string& path) {
  return IoError(path + ": " + what + ": " + std::strerror(errno));
}

std::atomic<FileFaultHook> fault_hook{nullptr};

// True (errno set) when the test hook fails this step.
bool Faulted(FileStep step, const std::string& path) {
  const FileFaultHook hook = fault_hook.load(std::memory_order_relaxed);
  if (hook == nullptr) return false;
  const int e = hook(step, path);
  if (e == 0) return false;
  errno = e;
  return true;
}
}  // namespace

void SetFileFaultHookForTesting(FileFaultHook hook) { fault_hook.store(hook); }

Status AtomicWriteFile(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  if (Faulted(FileStep::kOpen, path)) return Errno("open", tmp);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", tmp);
  size_t off = 0;
  while (off < bytes.size()) {
    const bool fault = Faulted(FileStep::kWrite, path);
    // A fault writes half of what is left first (a short write), then fails.
    ssize_t n = fault ? ::write(fd, bytes.data() + off, (bytes.size() - off) / 2) : ::write(fd, bytes.data() + off, bytes.size() - off);
    if (fault && n >= 0) n = -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = Errno("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return st;
    }
    off += static_cast<size_t>(n);
  }
  if (Faulted(FileStep::kFsync, path) || ::fsync(fd) != 0) {
    Status st = Errno("fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  }
  ::close(fd);
  if (Faulted(FileStep::kRename, path) || ::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = Errno("rename", tmp);
    ::unlink(tmp.c_str());
    return st;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return ss.str();
}

}  // namespace hitloop
