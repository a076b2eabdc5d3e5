#include "governance/snapshot.h"

#include <cstring>

#include "observability/log.h"
#include "observability/metrics.h"

namespace strata::governance {

using observability::Level;
using observability::Log;

namespace {

// Process-wide: one snapshot source per server.
struct SnapshotMetrics {
  observability::Gauge& healthy;
  observability::Gauge& version;
  observability::Counter& refresh_failures;

  static SnapshotMetrics& Get() {
    static SnapshotMetrics* metrics = [] {
      auto& registry = observability::DefaultRegistry();
      return new SnapshotMetrics{
          registry.AddGauge("strata_governance_snapshot_healthy",
                            "1 while the keys, tenants and limits snapshot refreshes from the store; 0 while the "
                            "store cannot be read and the last snapshot serves.").WithCached({}),
          registry.AddGauge("strata_governance_snapshot_version",
                            "The governance store version the served snapshot was loaded at.").WithCached({}),
          registry.AddCounter("strata_governance_snapshot_refresh_failures_total",
                              "Polls or loads of the governance snapshot that failed.").WithCached({}),
      };
    }();
    return *metrics;
  }
};

std::string ScopeKey(std::string_view scope_type, std::string_view scope_id) {
  std::string key;
  key.reserve(scope_type.size() + 1 + scope_id.size());
  key.append(scope_type).append(":").append(scope_id);
  return key;
}

// Finds "scope_type:scope_id" in `map` without allocating for ids of usual length.
template <class Map>
auto FindScope(const Map& map, std::string_view scope_type, std::string_view scope_id) {
  char buffer[128];
  if (scope_type.size() + 1 + scope_id.size() <= sizeof buffer) {
    std::memcpy(buffer, scope_type.data(), scope_type.size());
    buffer[scope_type.size()] = ':';
    std::memcpy(buffer + scope_type.size() + 1, scope_id.data(), scope_id.size());
    return map.find(std::string_view(buffer, scope_type.size() + 1 + scope_id.size()));
  }
  return map.find(ScopeKey(scope_type, scope_id));
}

std::uint64_t NextSourceId() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

bool ModelAllowed(const std::vector<std::string>& allowed_models, std::string_view model) {
  if (allowed_models.empty()) return true;
  for (const std::string& allowed : allowed_models) {
    if (!allowed.empty() && allowed.back() == '*') {
      if (model.starts_with(std::string_view(allowed).substr(0, allowed.size() - 1))) return true;
    } else if (allowed == model) {
      return true;
    }
  }
  return false;
}

bool KeyGrant::AllowsModel(std::string_view model) const { return ModelAllowed(allowed_models, model); }

Snapshot::Snapshot(store::GovernanceStore::Everything everything) : version_(everything.version) {
  for (store::TenantRow& tenant : everything.tenants) {
    std::string id = tenant.id;
    tenants_.emplace(std::move(id), std::move(tenant));
  }
  for (store::TeamRow& team : everything.teams) {
    std::string id = team.id;
    teams_.emplace(std::move(id), std::move(team));
  }
  for (store::ApiKeyRow& key : everything.keys) {
    const std::optional<Role> role = ParseRole(key.role);
    if (!role) {
      // Refused as unknown rather than guessed: a role this binary does not
      // know could be wider or narrower than any it does.
      Log(Level::kWarn, "governance: a key has an unknown role and is refused",
          {{"key_id", std::string_view(key.id)}, {"role", std::string_view(key.role)}});
      continue;
    }
    keys_by_digest_.emplace(std::move(key.digest_hex), KeyGrant{
                                                           .key_id = std::move(key.id),
                                                           .tenant_id = std::move(key.tenant_id),
                                                           .team_id = std::move(key.team_id),
                                                           .owner_id = std::move(key.owner_id),
                                                           .name = std::move(key.name),
                                                           .role = *role,
                                                           .allowed_models = std::move(key.allowed_models),
                                                           .expires_at_ms = key.expires_at_ms,
                                                           .revoked_at_ms = key.revoked_at_ms,
                                                       });
  }
  for (store::RateLimitRow& limit : everything.rate_limits) {
    std::string scope = ScopeKey(limit.scope_type, limit.scope_id);
    rate_limits_.emplace(std::move(scope), std::move(limit));
  }
  for (store::BudgetRow& budget : everything.budgets) {
    budgets_[ScopeKey(budget.scope_type, budget.scope_id)].push_back(std::move(budget));
  }
  for (auto& [budget_id, spent] : everything.budget_spent_nano_usd) {
    budget_spent_.emplace(budget_id, spent);
  }
}

const KeyGrant* Snapshot::FindKey(std::string_view digest_hex) const {
  auto it = keys_by_digest_.find(digest_hex);
  return it == keys_by_digest_.end() ? nullptr : &it->second;
}

const store::TenantRow* Snapshot::FindTenant(std::string_view id) const {
  auto it = tenants_.find(id);
  return it == tenants_.end() ? nullptr : &it->second;
}

const store::TeamRow* Snapshot::FindTeam(std::string_view id) const {
  auto it = teams_.find(id);
  return it == teams_.end() ? nullptr : &it->second;
}

const store::RateLimitRow* Snapshot::FindRateLimit(std::string_view scope_type, std::string_view scope_id) const {
  auto it = FindScope(rate_limits_, scope_type, scope_id);
  return it == rate_limits_.end() ? nullptr : &it->second;
}

std::vector<const store::BudgetRow*> Snapshot::FindBudgets(std::string_view scope_type,
                                                           std::string_view scope_id) const {
  std::vector<const store::BudgetRow*> found;
  auto it = FindScope(budgets_, scope_type, scope_id);
  if (it != budgets_.end()) {
    for (const store::BudgetRow& budget : it->second) found.push_back(&budget);
  }
  return found;
}

std::int64_t Snapshot::SpentAtLoad(std::string_view budget_id) const {
  auto it = budget_spent_.find(budget_id);
  return it == budget_spent_.end() ? 0 : it->second;
}

// --- SnapshotSource ---

SnapshotSource::SnapshotSource(store::GovernanceStore& store, SnapshotOptions options)
    : store_(store), options_(options), current_(std::make_shared<const Snapshot>()), id_(NextSourceId()) {}

SnapshotSource::~SnapshotSource() { Stop(); }

core::Status SnapshotSource::Start() {
  if (poller_.joinable()) {
    return {};
  }
  if (core::Status loaded = Load(); !loaded) {
    return loaded;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  poller_ = std::thread([this] { Run(); });
  return {};
}

void SnapshotSource::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (poller_.joinable()) {
    poller_.join();
  }
}

std::shared_ptr<const Snapshot> SnapshotSource::Current() const {
  // One cache per thread, for the source it last served: a thread that reads
  // two sources in turn just takes the slow path more often.
  struct Cached {
    std::uint64_t source = 0;
    std::uint64_t generation = 0;
    std::shared_ptr<const Snapshot> snapshot;
  };
  thread_local Cached cached;
  const std::uint64_t generation = generation_.load(std::memory_order_acquire);
  if (cached.source == id_ && cached.generation == generation && cached.snapshot) {
    return cached.snapshot;
  }
  std::lock_guard lock(mutex_);
  cached.source = id_;
  cached.generation = generation_.load(std::memory_order_relaxed);  // matches current_ under the lock
  cached.snapshot = current_;
  return cached.snapshot;
}

core::Status SnapshotSource::Refresh() { return Load(); }

std::int64_t SnapshotSource::version() const { return Current()->version(); }

void SnapshotSource::Run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.refresh_interval, [this] { return stopping_; })) {
    lock.unlock();
    Poll();
    lock.lock();
  }
}

void SnapshotSource::Poll() {
  core::Result<std::int64_t> version = store_.Version();
  if (!version) {
    SetHealthy(false, version.error().message());
    return;
  }
  std::int64_t current_version;
  {
    std::lock_guard lock(mutex_);
    current_version = current_->version();
  }
  if (*version == current_version) {
    SetHealthy(true, {});
    return;
  }
  (void)Load();  // logs and marks unhealthy on failure
}

core::Status SnapshotSource::Load() {
  const std::uint64_t load = loads_started_.fetch_add(1, std::memory_order_relaxed) + 1;
  core::Result<store::GovernanceStore::Everything> everything = store_.LoadEverything();
  if (!everything) {
    const core::Error error = everything.error();
    SetHealthy(false, error.message());
    return error;
  }
  Publish(std::make_shared<const Snapshot>(std::move(*everything)), load);
  SetHealthy(true, {});
  return {};
}

void SnapshotSource::Publish(std::shared_ptr<const Snapshot> snapshot, std::uint64_t load) {
  std::shared_ptr<const Snapshot> previous;  // released outside the lock
  {
    std::lock_guard lock(mutex_);
    if (load < published_load_) {
      return;  // a Refresh() that started later already published a newer state
    }
    published_load_ = load;
    SnapshotMetrics::Get().version.Set(static_cast<double>(snapshot->version()));
    previous = std::exchange(current_, std::move(snapshot));
    generation_.fetch_add(1, std::memory_order_release);
  }
}

void SnapshotSource::SetHealthy(bool healthy, std::string_view error) {
  const bool was = healthy_.exchange(healthy, std::memory_order_relaxed);
  SnapshotMetrics::Get().healthy.Set(healthy ? 1 : 0);
  if (!healthy) SnapshotMetrics::Get().refresh_failures.Increment();
  if (was == healthy) {
    return;  // log transitions only, not every failed poll
  }
  if (!healthy) {
    Log(Level::kWarn, "governance: cannot refresh from the store; serving the last snapshot",
        {{"error", error},
         {"version", version()}});
  } else {
    Log(Level::kInfo, "governance: the store answers again; snapshot refreshing", {{"version", version()}});
  }
}

}  // namespace strata::governance
