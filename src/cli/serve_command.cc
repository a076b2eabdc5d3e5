#include <iostream>

#include "cli/commands.h"
#include "cli/run_server.h"
#include "config/config.h"
#include "gateway/defaults.h"
#include "gateway/gateway.h"
#include "gateway/ops_endpoints.h"
#include "observability/log.h"
#include "pricing/price_table.h"
#include "store/store.h"
#include "store/write_behind.h"

namespace strata::cli {
namespace {

using observability::Level;
using observability::Log;

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
  auto records = std::make_unique<store::WriteBehindQueue>(store->records(), config.store.write_behind);
  gateway::Gateway gateway(config.gateway, std::move(prices), records.get());

  http::Router router;
  gateway.AddRoutes(router);
  std::vector<gateway::ReadinessCheck> checks;
  checks.push_back({"config", []() -> boost::asio::awaitable<core::Status> { co_return core::Status(); }});
  checks.push_back({"store", [&store] { return store->Ping(); }});
  gateway::AddOpsRoutes(router, std::move(checks));

  int exit_code;
  {
    http::Server server(config.server, std::move(router), config.upstream);
    exit_code = RunUntilSignalled(server, "strata", config.server);
  }
  records->Close();  // every queued inference record reaches the database
  records.reset();
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
