#include <iostream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "admin/admin_api.h"
#include "cli/commands.h"
#include "cli/review_desk.h"
#include "cli/run_server.h"
#include "config/config.h"
#include "gateway/defaults.h"
#include "gateway/gateway.h"
#include "gateway/ops_endpoints.h"
#include "governance/snapshot.h"
#include "http/openapi.h"
#include "limits/limits.h"
#include "limits/redis/redis_backend.h"
#include "observability/log.h"
#include "pricing/price_table.h"
#include "privacy/retention_job.h"
#include "privacy/review_hooks.h"
#include "privacy/subject_requests.h"
#include "policy/source.h"
#include "store/audit_checkpointer.h"
#include "store/store.h"
#include "store/write_behind.h"
#include "tracing/exporter.h"
#include "tracing/tracer.h"

namespace strata::cli {
namespace {

using observability::Level;
using observability::Log;

core::Result<std::unique_ptr<limits::Backend>> MakeLimitsBackend(const gateway::AdmitOptions& options) {
  if (options.backend == "redis") {
    limits::RedisBackendOptions redis;
    redis.url = options.redis_url;
    return limits::MakeRedisBackend(std::move(redis));
  }
  return limits::MakeInProcessBackend();
}

// GET /openapi.json: the document of every route, the OpenAPI route included,
// built once from the router the server will dispatch with.
core::Status AddOpenApiRoute(http::Router& router) {
  auto document = std::make_shared<std::string>();
  http::RouteDoc doc;
  doc.operation_id = "getOpenApi";
  doc.summary = "This document";
  doc.tag = "meta";
  doc.public_route = true;
  doc.response_schema = R"({"type":"object","required":["openapi","paths"]})";
  router.Add(
      boost::beast::http::verb::get, "/openapi.json",
      [document](const http::Request& request, http::Responder& responder) -> boost::asio::awaitable<void> {
        http::Response response(boost::beast::http::status::ok, request.version());
        response.set(boost::beast::http::field::content_type, "application/json");
        response.body() = *document;
        co_await responder.Send(std::move(response));
      },
      std::move(doc));
  http::OpenApiInfo info;
  info.version = STRATA_VERSION;
  info.description = "Strata: an OpenAI- and Anthropic-compatible gateway with tenants, keys, limits and budgets.";
  info.schemas = admin::AdminApi::Schemas();
  for (auto& [name, schema] : gateway::Gateway::Schemas()) info.schemas[name] = std::move(schema);
  core::Result<std::string> built = http::BuildOpenApi(router, info);
  if (!built) return built.error();
  *document = std::move(*built);
  return core::Status();
}

// The review queue's expiry, every minute, on a thread of its own; stopped
// and joined when this goes, on every way out of Serve.
class ReviewExpiry {
 public:
  explicit ReviewExpiry(review::ReviewQueue& queue) {
    boost::asio::co_spawn(context_, queue.RunExpiry(std::chrono::minutes(1)), boost::asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  ~ReviewExpiry() {
    context_.stop();
    thread_.join();
  }

 private:
  boost::asio::io_context context_;
  std::thread thread_;
};

struct ServeFlags {
  std::string config_file;
  std::string host;
  int port = -1;
  std::string data_dir;
};

int Serve(const ServeFlags& flags) {
  core::Result<config::Config> loaded =
      flags.config_file.empty() ? config::DefaultConfig() : config::LoadConfigFile(flags.config_file);
  if (!loaded) {
    std::cerr << loaded.error().message() << '\n';
    return 2;
  }
  config::Config config = std::move(*loaded);
  if (!flags.host.empty()) config.server.host = flags.host;
  if (flags.port >= 0) config.server.port = static_cast<std::uint16_t>(flags.port);
  if (!flags.data_dir.empty()) config.store.data_dir = flags.data_dir;

  observability::InitLogging(config.log);
  Log(Level::kInfo, "starting", {{"version", STRATA_VERSION}, {"config", config.source}});

  core::Result<std::unique_ptr<store::Store>> opened = store::Store::Open(config.store);
  if (!opened) {
    Log(Level::kError, "cannot open the store", {{"error", opened.error().message()}});
    observability::ShutdownLogging();
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);

  // With no config file: every vendor whose key is in the environment. Always: strata-demo.
  if (flags.config_file.empty()) {
    const std::vector<std::string> vendors = gateway::AddEnvironmentVendors(
        config.gateway, [](std::string_view name) -> std::optional<std::string> {
          const char* value = std::getenv(std::string(name).c_str());
          return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
        });
    for (const std::string& vendor : vendors) Log(Level::kInfo, "vendor enabled from the environment", {{"vendor", vendor}});
    for (const std::string& local : gateway::AddLocalServers(config.gateway, std::chrono::milliseconds(300))) {
      Log(Level::kInfo, "local model server found", {{"vendor", local}});
    }
  }
  gateway::AddDemoModel(config.gateway);
  if (config.gateway.api_keys.empty() && config.server.host != "127.0.0.1" && config.server.host != "localhost" &&
      config.server.host != "::1") {
    Log(Level::kWarn, "no auth.api_keys configured: anyone who can reach this address can use the gateway",
        {{"host", config.server.host}});
  }
  pricing::PriceTable prices = pricing::PriceTable::Default();
  if (!config.gateway.pricing_file.empty()) {
    core::Result<pricing::PriceTable> overrides = pricing::PriceTable::LoadFile(config.gateway.pricing_file);
    if (!overrides) {
      Log(Level::kError, "cannot load prices", {{"error", overrides.error().message()}});
      observability::ShutdownLogging();
      return 2;
    }
    prices.Merge(*overrides);
  }
  // Keys, tenants, limits and budgets are served from memory; the poller keeps them current.
  governance::SnapshotSource snapshots(store->governance(), {config.gateway.snapshot_refresh});
  if (core::Status started = snapshots.Start(); !started) {
    Log(Level::kError, "cannot load keys and tenants", {{"error", started.error().message()}});
    observability::ShutdownLogging();
    return 1;
  }
  core::Result<std::unique_ptr<limits::Backend>> limits_backend = MakeLimitsBackend(config.gateway.limits);
  if (!limits_backend) {
    Log(Level::kError, "cannot start the limits backend", {{"error", limits_backend.error().message()}});
    observability::ShutdownLogging();
    return 2;
  }
  auto records = std::make_unique<store::WriteBehindQueue>(store->records(), config.store.write_behind);
  // Signs each tenant's audit chain head every minute and at shutdown (docs/AUDIT.md).
  core::Result<audit::SigningKey> signing_key = store::LoadOrCreateSigningKey(
      config.store.audit_signing_key_file.empty() ? store::DefaultSigningKeyPath(config.store.data_dir)
                                                  : config.store.audit_signing_key_file);
  if (!signing_key) {
    Log(Level::kError, "cannot load the audit signing key", {{"error", signing_key.error().message()}});
    observability::ShutdownLogging();
    return 2;
  }
  auto checkpoints = std::make_unique<store::CheckpointThread>(store->records(), std::move(*signing_key));
  // Retention and data-subject requests (docs/PRIVACY.md): the job purges in
  // the background; an erasure's audit entry goes through the record queue.
  auto retention = std::make_unique<privacy::RetentionJob>(store->records(), store->retention(), config.retention,
                                                           privacy::ReviewRetentionHooks(store->reviews()));
  if (config.retention.enabled) retention->Start();
  privacy::SubjectRequests subjects(store->records(), records.get(), privacy::ReviewSubjectHooks(store->reviews()));
  // One exporter (one background thread) and one tracer for the process; the
  // tracer is inert when tracing is off. Both outlive the server below.
  std::unique_ptr<tracing::OtlpHttpExporter> exporter;
  if (config.tracing.enabled) {
    exporter = std::make_unique<tracing::OtlpHttpExporter>(config.tracing);
    Log(Level::kInfo, "tracing enabled",
        {{"sample_ratio", config.tracing.sample_ratio}, {"capture_content", config.tracing.capture_content}});
  }
  const tracing::Tracer tracer(config.tracing, exporter.get());
  // The policy in force (docs/POLICY.md): the config's document, then the
  // platform's and each tenant's latest stored versions; polled like the snapshot.
  policy::PolicySource policy_source(store->policies(), config.policy, {config.gateway.snapshot_refresh});
  if (core::Status started = policy_source.Start(); !started) {
    Log(Level::kError, "cannot load the policy", {{"error", started.error().message()}});
    observability::ShutdownLogging();
    return 1;
  }
  // Human review (docs/REVIEW.md): answers held for a reviewer, and their
  // expiry on a thread of its own.
  review::ReviewQueue review_queue(store->reviews(), store->pool(), store->vault());
  QueueReviewDesk review_desk(review_queue, store->reviews(), store->pool());
  auto review_expiry = std::make_unique<ReviewExpiry>(review_queue);
  gateway::GatewayDeps gateway_deps{.records = records.get(),
                                    .snapshots = &snapshots,
                                    .limits = limits_backend->get(),
                                    .tracer = &tracer,
                                    .policy = [&policy_source] { return policy_source.Current(); },
                                    .reviews = &review_desk};
  gateway::Gateway gateway(config.gateway, std::move(prices), std::move(gateway_deps));
  admin::ConsoleOptions console = config.console;
  console.secure_cookies = console.secure_cookies || config.server.tls.enabled();
  admin::AdminApi admin_api({.store = store->governance(),
                             .pool = store->pool(),
                             .snapshots = snapshots,
                             .limits = limits_backend->get(),
                             .sessions = &store->sessions(),
                             .console = std::move(console),
                             .oidc = config.oidc ? &*config.oidc : nullptr,
                             .audit = records.get(),
                             .records = &store->records(),
                             .reviews = &store->reviews(),
                             .review_queue = &review_queue,
                             .policies = &store->policies(),
                             .policy_source = &policy_source,
                             .retention_rules = &store->retention(),
                             .retention = retention.get(),
                             .subjects = &subjects});

  http::Router router;
  gateway.AddRoutes(router);
  admin_api.AddRoutes(router);
  std::vector<gateway::ReadinessCheck> checks;
  checks.push_back({"config", []() -> boost::asio::awaitable<core::Status> { co_return core::Status(); }});
  checks.push_back({"store", [&store] { return store->Ping(); }});
  checks.push_back({"governance", [&snapshots]() -> boost::asio::awaitable<core::Status> {
                      if (snapshots.healthy()) co_return core::Status();
                      co_return core::Error::Unavailable("serving keys and limits from the last snapshot: the store "
                                                         "cannot be read");
                    }});
  gateway::AddOpsRoutes(router, std::move(checks));
  if (core::Status documented = AddOpenApiRoute(router); !documented) {
    Log(Level::kError, "cannot build the OpenAPI document", {{"error", documented.error().message()}});
    observability::ShutdownLogging();
    return 1;
  }

  int exit_code;
  {
    http::Server server(config.server, std::move(router), config.upstream);
    exit_code = RunUntilSignalled(server, "strata", config.server);
  }
  // The io threads are joined: no span can end any more. Send what is queued.
  if (exporter) exporter->Shutdown(config.tracing.shutdown_timeout);
  retention->Close();  // waits for a run in progress
  retention.reset();
  records->Close();  // every queued inference record reaches the database
  records.reset();
  checkpoints->Close();  // after the last record: the final heads are signed
  checkpoints.reset();
  review_expiry.reset();
  snapshots.Stop();
  policy_source.Stop();  // its poller reads the store
  store.reset();
  observability::ShutdownLogging();
  return exit_code;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("serve", "Run the gateway (embedded defaults without --config)");
  auto flags = std::make_shared<ServeFlags>();
  command->add_option("-c,--config", flags->config_file, "YAML config file");
  command->add_option("--host", flags->host, "Listen address (overrides server.host)");
  command->add_option("-p,--port", flags->port, "Listen port, 0 for any free port (overrides server.port)")
      ->check(CLI::Range(0, 65535));
  command->add_option("--data-dir", flags->data_dir, "Data directory (overrides store.data_dir)");
  command->callback([flags] {
    const int code = Serve(*flags);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace strata::cli
