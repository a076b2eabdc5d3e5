#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "audit/signing_key.h"
#include "core/result.h"
#include "store/record_store.h"

namespace strata::store {

// Signs audit chain heads (docs/AUDIT.md, "In the store"): a checkpoint pins
// every entry up to its seq, so a later rewrite or cut of the database shows.
// Thread-safe as far as `records` is; blocking.
class AuditCheckpointer {
 public:
  // `records` must outlive this object.
  explicit AuditCheckpointer(RecordStore& records) : records_(records) {}

  // Signs, with `key` at `now_ms`, the head of every tenant's chain that has
  // moved past its last checkpoint, and stores the checkpoints. Returns how
  // many it signed (0 when nothing moved). Stops at the first store error.
  core::Result<int> CheckpointAll(const audit::SigningKey& key, std::int64_t now_ms);

 private:
  RecordStore& records_;
};

// Runs AuditCheckpointer::CheckpointAll on its own thread every `interval`,
// and once more at Close(), so the final head of a clean shutdown is signed.
// A failed round is logged and retried at the next tick.
//
// Lifetime: start it after the records can be written; Close() it after the
// WriteBehindQueue over the same store is closed (every record is then
// committed) and before the store goes.
class CheckpointThread {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{60'000};

  CheckpointThread(RecordStore& records, audit::SigningKey key, std::chrono::milliseconds interval = kDefaultInterval);
  ~CheckpointThread();  // Close()

  CheckpointThread(const CheckpointThread&) = delete;
  CheckpointThread& operator=(const CheckpointThread&) = delete;

  // Stops the thread after one last round. Idempotent.
  void Close();

 private:
  void Run();
  void Round();

  AuditCheckpointer checkpointer_;
  audit::SigningKey key_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool closing_ = false;  // guarded by mutex_
  std::thread thread_;
};

// The node's checkpoint signing key at `path`, created (mode 0600, see
// audit::SaveNewKeyFile) with a fresh key when the file does not exist.
// The default path is DefaultSigningKeyPath(data_dir).
core::Result<audit::SigningKey> LoadOrCreateSigningKey(const std::string& path);

// `<data_dir>/audit-signing.key`.
std::string DefaultSigningKeyPath(const std::string& data_dir);

}  // namespace strata::store
