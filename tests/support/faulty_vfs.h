#pragma once
// Fault injection for tests: a SQLite VFS over the platform's default one whose writes can be
// made to fail, for every connection of the process. InstallFaultyVfs() registers it as the
// default VFS (call it before opening the databases under test).
//
// Two ways to fail:
//   - SetDiskFull(true): every write fails as on a full disk (SQLITE_FULL) until SetDiskFull(false).
//   - ArmFault(fault, k): exactly the k-th write (xWrite; for Fault::kFsync the k-th xSync) from
//     now on fails, once, as the fault says: kEio (SQLITE_IOERR_WRITE, nothing written), kFull
//     (SQLITE_FULL, nothing written), kShortWrite (the first half of the bytes reach the file,
//     then SQLITE_FULL, as a write interrupted by a full disk) or kFsync (SQLITE_IOERR_FSYNC,
//     nothing synced). Disarm() ends it; FaultFired() says whether it happened.
// SkipRealSyncs(true) keeps syncs counted (and failable) but does not pass them to the disk.
// Writes() and Syncs() count every write and sync through the VFS since the process started,
// so a clean run of an operation between two readings gives the number of injection points.
// Every counter is process-wide and atomic; tests that count must not write from other threads
// meanwhile.
#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace hitloop::testing {

namespace faulty_vfs_detail {

inline std::atomic<bool> g_full{false};
inline std::atomic<int64_t> g_writes{0};
inline std::atomic<int64_t> g_syncs{0};
inline std::atomic<int> g_fault{0};          // a Fault; 0 = none armed
inline std::atomic<int64_t> g_fault_at{0};   // the g_writes (or g_syncs) value that fails
inline std::atomic<bool> g_fired{false};
inline std::atomic<bool> g_skip_syncs{false};
inline sqlite3_vfs* g_real = nullptr;
inline sqlite3_vfs g_vfs;
inline sqlite3_io_methods g_methods;
inline const sqlite3_io_methods* g_real_methods = nullptr;

struct File {
  sqlite3_file base;
  sqlite3_file* real;  // points just past this struct
};
inline sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

inline int Close(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}
inline int Read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) { return Real(f)->pMethods->xRead(Real(f), p, n, off); }
inline int Write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  if (g_full.load()) return SQLITE_FULL;
  const int64_t count = ++g_writes;
  const int fault = g_fault.load();
  if (fault != 0 && fault != 4 && count == g_fault_at.load()) {
    g_fired = true;
    if (fault == 1) return SQLITE_IOERR_WRITE;
    if (fault == 2) return SQLITE_FULL;
    (void)Real(f)->pMethods->xWrite(Real(f), p, n / 2, off);  // 3: short write
    return SQLITE_FULL;
  }
  return Real(f)->pMethods->xWrite(Real(f), p, n, off);
}
inline int Truncate(sqlite3_file* f, sqlite3_int64 size) { return Real(f)->pMethods->xTruncate(Real(f), size); }
inline int Sync(sqlite3_file* f, int flags) {
  const int64_t count = ++g_syncs;
  if (g_fault.load() == 4 && count == g_fault_at.load()) {
    g_fired = true;
    return SQLITE_IOERR_FSYNC;
  }
  if (g_skip_syncs.load()) return SQLITE_OK;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
inline int FileSize(sqlite3_file* f, sqlite3_int64* size) { return Real(f)->pMethods->xFileSize(Real(f), size); }
inline int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
inline int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
inline int CheckReserved(sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); }
inline int FileControl(sqlite3_file* f, int op, void* arg) { return Real(f)->pMethods->xFileControl(Real(f), op, arg); }
inline int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
inline int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
inline int ShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, p);
}
inline int ShmLock(sqlite3_file* f, int off, int n, int flags) { return Real(f)->pMethods->xShmLock(Real(f), off, n, flags); }
inline void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
inline int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
inline int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) { return Real(f)->pMethods->xFetch(Real(f), off, n, p); }
inline int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return Real(f)->pMethods->xUnfetch(Real(f), off, p); }

inline int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = reinterpret_cast<File*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  std::memset(file->real, 0, static_cast<size_t>(g_real->szOsFile));
  int rc = g_real->xOpen(g_real, name, file->real, flags, out_flags);
  if (file->real->pMethods == nullptr) {
    f->pMethods = nullptr;
    return rc;
  }
  if (g_real_methods == nullptr) {
    g_real_methods = file->real->pMethods;
    g_methods = sqlite3_io_methods{g_real_methods->iVersion, Close, Read, Write, Truncate, Sync, FileSize,
                                   Lock, Unlock, CheckReserved, FileControl, SectorSize,
                                   DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, Fetch,
                                   Unfetch};
  }
  f->pMethods = &g_methods;
  return rc;
}

}  // namespace faulty_vfs_detail

inline void InstallFaultyVfs() {
  namespace d = faulty_vfs_detail;
  if (d::g_real != nullptr) return;
  d::g_real = sqlite3_vfs_find(nullptr);
  d::g_vfs = *d::g_real;
  d::g_vfs.zName = "hitloop-faulty";
  d::g_vfs.szOsFile = static_cast<int>(sizeof(d::File)) + d::g_real->szOsFile;
  d::g_vfs.xOpen = d::Open;
  d::g_vfs.pAppData = nullptr;
  sqlite3_vfs_register(&d::g_vfs, /*makeDflt=*/1);
}

inline void SetDiskFull(bool full) { faulty_vfs_detail::g_full.store(full); }

enum class Fault { kNone = 0, kEio = 1, kFull = 2, kShortWrite = 3, kFsync = 4 };
inline const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kEio: return "EIO";
    case Fault::kFull: return "ENOSPC";
    case Fault::kShortWrite: return "short write";
    case Fault::kFsync: return "failing fsync";
    default: return "none";
  }
}
inline constexpr Fault kEveryFault[] = {Fault::kEio, Fault::kFull, Fault::kShortWrite, Fault::kFsync};

inline int64_t Writes() { return faulty_vfs_detail::g_writes.load(); }
inline int64_t Syncs() { return faulty_vfs_detail::g_syncs.load(); }
// The injection points a fault of kind `f` counts: writes, or syncs for kFsync.
inline int64_t FaultPoints(Fault f) { return f == Fault::kFsync ? Syncs() : Writes(); }

// Fails the k-th write (k >= 1; the k-th sync for kFsync) from now on, once.
inline void ArmFault(Fault f, int64_t k) {
  namespace d = faulty_vfs_detail;
  d::g_fault = 0;
  d::g_fired = false;
  d::g_fault_at = FaultPoints(f) + k;
  d::g_fault = static_cast<int>(f);
}
inline void Disarm() { faulty_vfs_detail::g_fault = 0; }
// With `skip` true every sync succeeds without reaching the disk (still counted): the sweeps
// reopen databases in the same process, where written pages are visible synced or not, so only
// the time of the real fsync is saved (tens of ms each on a busy disk).
inline void SkipRealSyncs(bool skip) { faulty_vfs_detail::g_skip_syncs = skip; }
inline bool FaultFired() { return faulty_vfs_detail::g_fired.load(); }

}  // namespace hitloop::testing
