#include "policy/source.h"

#include <string>
#include <utility>
#include <vector>

#include "observability/log.h"
#include "store/policy_store.h"

namespace strata::policy {
namespace {

std::string LabelOf(const store::PolicyVersion& row) {
  const std::string version = "@v" + std::to_string(row.version);
  return row.scope.empty() ? "platform" + version : "tenant:" + row.scope + version;
}

// The policy of `config` and the stored rows (platform first, as
// LatestOfEveryScope orders them).
std::shared_ptr<const Policy> Build(const std::shared_ptr<const Document>& config,
                                    const std::vector<store::PolicyVersion>& rows) {
  std::vector<std::shared_ptr<const Document>> stored;
  bool platform_wide = config != nullptr;
  for (const store::PolicyVersion& row : rows) {
    std::string label = LabelOf(row);
    core::Result<std::shared_ptr<const Document>> document =
        ParseDocument(row.source, "store:" + label, row.scope, label);
    if (!document) {
      observability::Log(observability::Level::kError, "a stored policy version does not parse; skipped",
                         {{"policy", label}, {"error", document.error().message()}});
      continue;
    }
    platform_wide = platform_wide || row.scope.empty();
    stored.push_back(std::move(*document));
  }
  if (!platform_wide && stored.empty()) return Policy::Default();
  std::vector<std::shared_ptr<const Document>> documents;
  documents.reserve(stored.size() + 2);
  documents.push_back(config);
  if (!platform_wide) documents.push_back(DefaultDocument());  // tenants' documents add to it
  for (std::shared_ptr<const Document>& document : stored) documents.push_back(std::move(document));
  return std::make_shared<const Policy>(std::move(documents));
}

}  // namespace

PolicySource::PolicySource(store::PolicyStore& store, std::shared_ptr<const Document> config,
                           PolicySourceOptions options)
    : store_(store),
      config_(std::move(config)),
      options_(options),
      current_(Build(config_, {})) {}

PolicySource::~PolicySource() { Stop(); }

core::Status PolicySource::Start() {
  if (core::Status loaded = Load(); !loaded) return loaded;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  poller_ = std::thread([this] { Run(); });
  return {};
}

void PolicySource::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (poller_.joinable()) poller_.join();
}

std::shared_ptr<const Policy> PolicySource::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

core::Status PolicySource::Reload() { return Load(); }

void PolicySource::Run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.refresh, [this] { return stopping_; })) {
    const std::int64_t known = fingerprint_;
    lock.unlock();
    core::Result<std::int64_t> fingerprint = store_.Fingerprint();
    if (!fingerprint) {
      healthy_.store(false, std::memory_order_relaxed);
      observability::Log(observability::Level::kWarn, "policy poll failed; the last policy stays in force",
                         {{"error", fingerprint.error().message()}});
    } else if (*fingerprint != known) {
      (void)Load();  // logs its own failure
    } else {
      healthy_.store(true, std::memory_order_relaxed);
    }
    lock.lock();
  }
}

core::Status PolicySource::Load() {
  const std::uint64_t load = loads_started_.fetch_add(1) + 1;
  // The fingerprint is read before the rows: a version stored in between
  // makes the next poll see a change and load again, never miss one.
  core::Result<std::int64_t> fingerprint = store_.Fingerprint();
  core::Result<std::vector<store::PolicyVersion>> rows =
      fingerprint ? store_.LatestOfEveryScope() : core::Result<std::vector<store::PolicyVersion>>(fingerprint.error());
  if (!rows) {
    healthy_.store(false, std::memory_order_relaxed);
    observability::Log(observability::Level::kWarn, "loading the stored policies failed; the last policy stays",
                       {{"error", rows.error().message()}});
    return rows.error();
  }
  std::shared_ptr<const Policy> policy = Build(config_, *rows);
  {
    std::lock_guard lock(mutex_);
    // Two loads racing (the poller and a Reload): the one that started later wins.
    if (load > published_load_) {
      published_load_ = load;
      current_ = std::move(policy);
      fingerprint_ = *fingerprint;
    }
  }
  healthy_.store(true, std::memory_order_relaxed);
  return {};
}

}  // namespace strata::policy
