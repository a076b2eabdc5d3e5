#include "store/audit_checkpointer.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "core/clock.h"
#include "observability/log.h"

namespace strata::store {
namespace {

using observability::Level;
using observability::Log;

}  // namespace

core::Result<int> AuditCheckpointer::CheckpointAll(const audit::SigningKey& key, std::int64_t now_ms) {
  core::Result<std::vector<ChainSummary>> chains = records_.Chains();
  if (!chains) return chains.error();
  int signed_count = 0;
  for (const ChainSummary& chain : *chains) {
    if (chain.head.seq <= chain.checkpointed_seq) continue;
    const audit::Checkpoint checkpoint = audit::MakeCheckpoint(key, chain.tenant, chain.head, now_ms);
    if (core::Status added = records_.AddCheckpoint(checkpoint); !added) return added.error();
    ++signed_count;
  }
  return signed_count;
}

CheckpointThread::CheckpointThread(RecordStore& records, audit::SigningKey key, std::chrono::milliseconds interval)
    : checkpointer_(records),
      key_(std::move(key)),
      interval_(interval.count() > 0 ? interval : kDefaultInterval),
      thread_([this] { Run(); }) {}

CheckpointThread::~CheckpointThread() { Close(); }

void CheckpointThread::Close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CheckpointThread::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, interval_, [this] { return closing_; });
    const bool last = closing_;
    lock.unlock();
    Round();  // on the tick, and once more when closing
    if (last) return;
    lock.lock();
  }
}

void CheckpointThread::Round() {
  core::Result<int> signed_count = checkpointer_.CheckpointAll(key_, core::NowMs());
  if (!signed_count) {
    Log(Level::kWarn, "audit: signing chain checkpoints failed; retrying at the next tick",
        {{"error", signed_count.error().message()}});
  }
}

core::Result<audit::SigningKey> LoadOrCreateSigningKey(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    audit::SigningKey key = audit::SigningKey::Generate();
    if (core::Status saved = audit::SaveNewKeyFile(key, path); saved) return key;
    if (!std::filesystem::exists(path, ec)) {
      return core::Error::Unavailable("audit: cannot create the signing key file " + path);
    }
    // Another process created it meanwhile: use theirs.
  }
  return audit::LoadKeyFile(path);
}

std::string DefaultSigningKeyPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "audit-signing.key").string();
}

}  // namespace strata::store
