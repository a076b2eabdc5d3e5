#include "privacy/retention_job.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/clock.h"
#include "core/ids.h"
#include "observability/log.h"

namespace strata::privacy {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

// kind -> days of one scope's rules.
std::map<std::string, int, std::less<>> ByKind(const std::vector<store::RetentionRule>& rules) {
  std::map<std::string, int, std::less<>> by_kind;
  for (const store::RetentionRule& rule : rules) by_kind[rule.kind] = rule.days;
  return by_kind;
}

}  // namespace

RetentionJob::RetentionJob(store::RecordStore& records, store::RetentionStore& rules, RetentionOptions options,
                           RetentionHooks hooks)
    : records_(records), rules_(rules), options_(std::move(options)), hooks_(std::move(hooks)) {}

RetentionJob::~RetentionJob() { Close(); }

core::Result<std::vector<EffectiveRetention>> RetentionJob::Effective(std::string_view tenant) {
  core::Result<std::vector<store::RetentionRule>> defaults = rules_.List("");
  if (!defaults) return defaults.error();
  std::vector<store::RetentionRule> own;
  if (!tenant.empty()) {
    core::Result<std::vector<store::RetentionRule>> listed = rules_.List(tenant);
    if (!listed) return listed.error();
    own = std::move(*listed);
  }
  return Resolve(own, *defaults);
}

std::vector<EffectiveRetention> RetentionJob::Resolve(const std::vector<store::RetentionRule>& own,
                                                      const std::vector<store::RetentionRule>& defaults) const {
  const auto own_by_kind = ByKind(own);
  const auto default_by_kind = ByKind(defaults);
  std::vector<EffectiveRetention> effective;
  for (std::string_view kind : store::kRetentionKinds) {
    EffectiveRetention entry{.kind = std::string(kind), .days = std::nullopt, .source = "none"};
    if (auto found = own_by_kind.find(kind); found != own_by_kind.end()) {
      entry.days = found->second;
      entry.source = "tenant";
    } else if (auto fallback = default_by_kind.find(kind); fallback != default_by_kind.end()) {
      entry.days = fallback->second;
      entry.source = "default";
    } else if (const int days = options_.defaults.For(kind); days > 0) {
      entry.days = days;
      entry.source = "config";
    }
    effective.push_back(std::move(entry));
  }
  return effective;
}

core::Result<store::RetentionRun> RetentionJob::RunOnce(std::int64_t now_ms) {
  std::lock_guard run_lock(run_mutex_);
  store::RetentionRun run;
  run.id = "rr_" + core::NewTimeOrderedId();
  run.started_at_ms = core::NowMs();
  json::object purged;
  std::vector<std::string> errors;

  // Every tenant with a chain, and every tenant with a rule of its own.
  std::set<std::string> tenants;
  if (core::Result<std::vector<store::ChainSummary>> chains = records_.Chains()) {
    for (const store::ChainSummary& chain : *chains) tenants.insert(chain.tenant);
  } else {
    errors.push_back("listing tenants: " + chains.error().message());
  }
  // Every rule at once, by tenant ("" the defaults): one read for the run.
  std::map<std::string, std::vector<store::RetentionRule>> rules_by_tenant;
  core::Result<std::vector<store::RetentionRule>> all = rules_.ListAll();
  if (all) {
    for (store::RetentionRule& rule : *all) {
      if (!rule.tenant_id.empty()) tenants.insert(rule.tenant_id);
      rules_by_tenant[rule.tenant_id].push_back(std::move(rule));
    }
  } else {
    errors.push_back("listing rules: " + all.error().message());
  }

  tenants.erase("");  // never: "" means every tenant to the record store's purges
  for (const std::string& tenant : tenants) {
    // Without the list, each tenant's rules are read on their own.
    core::Result<std::vector<EffectiveRetention>> effective =
        all ? core::Result<std::vector<EffectiveRetention>>(Resolve(rules_by_tenant[tenant], rules_by_tenant[""]))
            : Effective(tenant);
    if (!effective) {
      errors.push_back(tenant + ": " + effective.error().message());
      continue;
    }
    json::object counts;
    for (const EffectiveRetention& rule : *effective) {
      if (!rule.days) continue;
      const std::int64_t cutoff_ms = now_ms - static_cast<std::int64_t>(*rule.days) * kDayMs;
      core::Result<std::int64_t> count = std::int64_t{0};
      if (rule.kind == "content") {
        count = records_.PurgeContentBefore(tenant, cutoff_ms);
      } else if (rule.kind == "metadata") {
        count = records_.PurgeRecordsBefore(tenant, "inference", cutoff_ms);
      } else if (rule.kind == "audit") {
        count = records_.PurgeRecordsBefore(tenant, "audit", cutoff_ms);
      } else if (rule.kind == "reviews" && hooks_.purge_reviews) {
        count = hooks_.purge_reviews(tenant, cutoff_ms);
      } else if (rule.kind == "feedback" && hooks_.purge_feedback) {
        count = hooks_.purge_feedback(tenant, cutoff_ms);
      } else {
        continue;  // no hook for this kind here
      }
      if (!count) {
        errors.push_back(tenant + ": " + rule.kind + ": " + count.error().message());
        continue;
      }
      counts[rule.kind] = *count;
    }
    if (!counts.empty()) purged[tenant] = std::move(counts);
  }

  run.finished_at_ms = core::NowMs();
  run.purged_json = json::serialize(purged);
  run.status = errors.empty() ? "ok" : "failed";
  for (const std::string& error : errors) {
    if (!run.error.empty()) run.error += "; ";
    run.error += error;
  }
  if (core::Status logged = rules_.AddRun(run); !logged) return logged.error();
  return run;
}

void RetentionJob::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || closing_) return;
  thread_ = std::thread([this] { Loop(); });
}

void RetentionJob::Close() {
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    thread = std::move(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
}

void RetentionJob::Loop() {
  const std::chrono::milliseconds interval = std::max(options_.interval, std::chrono::milliseconds(1000));
  std::chrono::milliseconds wait = std::min(interval, std::chrono::milliseconds(60'000));
  std::unique_lock lock(mutex_);
  for (;;) {
    if (wake_.wait_for(lock, wait, [this] { return closing_; })) return;
    lock.unlock();
    core::Result<store::RetentionRun> run = RunOnce(core::NowMs());
    if (!run) {
      observability::Log(observability::Level::kError, "retention run not logged", {{"error", run.error().message()}});
    } else if (run->status != "ok") {
      observability::Log(observability::Level::kWarn, "retention run failed",
                         {{"run_id", run->id}, {"error", run->error}});
    } else {
      observability::Log(observability::Level::kInfo, "retention run",
                         {{"run_id", run->id}, {"purged", run->purged_json}});
    }
    lock.lock();
    wait = interval;
  }
}

}  // namespace strata::privacy
