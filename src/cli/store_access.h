#pragma once

// What the offline subcommands (tenants, keys, users, dsr, retention) share:
// opening the server's store from --config/--data-dir, failing with a message,
// and finding a tenant by id or name.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "core/result.h"
#include "store/store.h"

namespace strata::cli {

struct StoreFlags {
  std::string config_file;
  std::string data_dir;
};

// -c/--config and --data-dir on `command`.
void AddStoreFlags(CLI::App* command, StoreFlags& flags);

// Prints "error: <message>" and exits the command with status 1.
[[noreturn]] void Fail(const core::Error& error);

template <class T>
T Must(core::Result<T> result) {
  if (!result) Fail(result.error());
  return std::move(*result);
}

// The config the flags name (the embedded default without --config), with
// --data-dir applied and one store thread: a command makes few calls.
config::Config LoadConfigFor(const StoreFlags& flags);
std::unique_ptr<store::Store> OpenStore(const StoreFlags& flags);

// A governed tenant, by id or by name; nullopt when there is none.
std::optional<store::TenantRow> LookupTenant(store::GovernanceStore& db, const std::string& id_or_name);

}  // namespace strata::cli
