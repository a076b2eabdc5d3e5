#include "cli/store_access.h"

#include <iostream>

namespace strata::cli {

void AddStoreFlags(CLI::App* command, StoreFlags& flags) {
  command->add_option("-c,--config", flags.config_file, "YAML config file (for its store section)");
  command->add_option("--data-dir", flags.data_dir, "Data directory (overrides store.data_dir)");
}

void Fail(const core::Error& error) {
  std::cerr << "error: " << error.message() << '\n';
  throw CLI::RuntimeError(1);
}

config::Config LoadConfigFor(const StoreFlags& flags) {
  config::Config config =
      Must(flags.config_file.empty() ? config::DefaultConfig() : config::LoadConfigFile(flags.config_file));
  if (!flags.data_dir.empty()) config.store.data_dir = flags.data_dir;
  config.store.threads = 1;
  return config;
}

std::unique_ptr<store::Store> OpenStore(const StoreFlags& flags) {
  return Must(store::Store::Open(LoadConfigFor(flags).store));
}

std::optional<store::TenantRow> LookupTenant(store::GovernanceStore& db, const std::string& id_or_name) {
  if (core::Result<store::TenantRow> by_id = db.GetTenant(id_or_name)) return *by_id;
  store::ListQuery query;
  query.limit = 500;
  while (true) {
    store::Page<store::TenantRow> page = Must(db.ListTenants(query));
    for (store::TenantRow& row : page.rows) {
      if (row.name == id_or_name) return row;
    }
    if (page.next_after_id.empty()) return std::nullopt;
    query.after_id = page.next_after_id;
  }
}

}  // namespace strata::cli
