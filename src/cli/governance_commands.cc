// `strata tenants ...` and `strata keys ...`: the governance store from the
// command line, for bootstrapping (the first platform admin key) and scripts.
// They open the same database the server uses (SQLite allows both at once);
// a running server sees the change at its next snapshot refresh.
#include <iostream>

#include "cli/commands.h"
#include "cli/store_access.h"
#include "governance/roles.h"
#include "governance/secrets.h"
#include "store/store.h"

namespace strata::cli {
namespace {

// A tenant by id or by name.
store::TenantRow FindTenant(store::GovernanceStore& db, const std::string& id_or_name) {
  if (std::optional<store::TenantRow> tenant = LookupTenant(db, id_or_name)) return *tenant;
  Fail(core::Error::NotFound("no tenant '" + id_or_name + "'"));
}

std::string Seconds(std::int64_t ms) { return ms == 0 ? "-" : std::to_string(ms / 1000); }

void AddTenants(CLI::App& app) {
  CLI::App* tenants = app.add_subcommand("tenants", "Create, list and delete tenants");
  tenants->require_subcommand(1);
  auto flags = std::make_shared<StoreFlags>();

  CLI::App* create = tenants->add_subcommand("create", "Create a tenant");
  auto name = std::make_shared<std::string>();
  auto display_name = std::make_shared<std::string>();
  create->add_option("name", *name, "lowercase letters, digits and '-'")->required();
  create->add_option("--display-name", *display_name, "a human name");
  AddStoreFlags(create, *flags);
  create->callback([flags, name, display_name] {
    auto store = OpenStore(*flags);
    store::TenantRow row;
    row.name = *name;
    row.display_name = display_name->empty() ? *name : *display_name;
    const store::TenantRow created = Must(store->governance().CreateTenant(row));
    std::cout << created.id << '\t' << created.name << '\n';
  });

  CLI::App* list = tenants->add_subcommand("list", "List tenants");
  AddStoreFlags(list, *flags);
  list->callback([flags] {
    auto store = OpenStore(*flags);
    store::ListQuery query;
    query.limit = 500;
    while (true) {
      store::Page<store::TenantRow> page = Must(store->governance().ListTenants(query));
      for (const store::TenantRow& row : page.rows) {
        std::cout << row.id << '\t' << row.name << '\t' << (row.disabled ? "disabled" : "enabled") << '\n';
      }
      if (page.next_after_id.empty()) break;
      query.after_id = page.next_after_id;
    }
  });

  CLI::App* remove = tenants->add_subcommand("delete", "Delete a tenant and everything in it");
  auto target = std::make_shared<std::string>();
  remove->add_option("tenant", *target, "id or name")->required();
  AddStoreFlags(remove, *flags);
  remove->callback([flags, target] {
    auto store = OpenStore(*flags);
    const store::TenantRow tenant = FindTenant(store->governance(), *target);
    if (core::Status done = store->governance().DeleteTenant(tenant.id); !done) Fail(done.error());
    std::cout << "deleted " << tenant.id << '\n';
  });
}

void AddKeys(CLI::App& app) {
  CLI::App* keys = app.add_subcommand("keys", "Create, list and revoke API keys");
  keys->require_subcommand(1);
  auto flags = std::make_shared<StoreFlags>();

  struct CreateFlags {
    std::string tenant, name = "cli", role = "developer", team;
    std::vector<std::string> models;
    int expires_in_days = 0;
    bool platform = false;
  };
  auto create_flags = std::make_shared<CreateFlags>();
  CLI::App* create = keys->add_subcommand("create", "Create a key and print its secret (shown this once)");
  create->add_option("--tenant", create_flags->tenant, "tenant id or name");
  create->add_flag("--platform", create_flags->platform, "a platform key (no tenant): manages every tenant");
  create->add_option("--name", create_flags->name, "what the key is for");
  create->add_option("--role", create_flags->role, "admin (platform keys), tenant-admin, developer, reviewer, auditor, viewer");
  create->add_option("--team", create_flags->team, "team id");
  create->add_option("--models", create_flags->models, "allowed models (aliases or prefix*); default: all")->delimiter(',');
  create->add_option("--expires-in-days", create_flags->expires_in_days, "expiry; default: never")->check(CLI::Range(1, 3650));
  AddStoreFlags(create, *flags);
  create->callback([flags, create_flags] {
    const CreateFlags& options = *create_flags;
    if (options.platform == !options.tenant.empty()) Fail(core::Error::InvalidRequest("give --tenant or --platform"));
    const std::optional<governance::Role> role = governance::ParseRole(options.role);
    if (!role) Fail(core::Error::InvalidRequest("unknown role '" + options.role + "'"));
    if ((*role == governance::Role::kAdmin) != options.platform) {
      Fail(core::Error::InvalidRequest("platform keys have the role admin, and only they do"));
    }
    auto store = OpenStore(*flags);
    store::ApiKeyRow row;
    if (!options.platform) row.tenant_id = FindTenant(store->governance(), options.tenant).id;
    row.team_id = options.team;
    row.name = options.name;
    row.role = options.role;
    row.allowed_models = options.models;
    if (options.expires_in_days > 0) {
      row.expires_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch() + std::chrono::days(options.expires_in_days))
                              .count();
    }
    const governance::MintedKey minted = governance::MintKey();
    row.prefix = minted.prefix;
    row.digest_hex = minted.digest_hex;
    const store::ApiKeyRow created = Must(store->governance().CreateKey(row));
    std::cerr << "created " << created.id << " (" << created.role << "); the secret below is not shown again\n";
    std::cout << minted.secret << '\n';
  });

  CLI::App* list = keys->add_subcommand("list", "List a tenant's keys (never their secrets)");
  auto tenant = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  list->add_option("--tenant", *tenant, "tenant id or name; default: every tenant");
  list->add_flag("--include-revoked", *all, "also revoked keys");
  AddStoreFlags(list, *flags);
  list->callback([flags, tenant, all] {
    auto store = OpenStore(*flags);
    store::ListQuery query;
    query.limit = 500;
    query.include_revoked = *all;
    if (!tenant->empty()) query.tenant_id = FindTenant(store->governance(), *tenant).id;
    while (true) {
      store::Page<store::ApiKeyRow> page = Must(store->governance().ListKeys(query));
      for (const store::ApiKeyRow& row : page.rows) {
        std::cout << row.id << '\t' << row.prefix << "…\t" << (row.tenant_id.empty() ? "platform" : row.tenant_id)
                  << '\t' << row.role << '\t' << row.name << "\texpires " << Seconds(row.expires_at_ms)
                  << (row.revoked_at_ms != 0 ? "\trevoked" : "") << '\n';
      }
      if (page.next_after_id.empty()) break;
      query.after_id = page.next_after_id;
    }
  });

  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key: refused everywhere within the refresh interval");
  auto key_id = std::make_shared<std::string>();
  auto key_tenant = std::make_shared<std::string>();
  revoke->add_option("key", *key_id, "key id")->required();
  revoke->add_option("--tenant", *key_tenant, "the key's tenant id or name (omit for platform keys)");
  AddStoreFlags(revoke, *flags);
  revoke->callback([flags, key_id, key_tenant] {
    auto store = OpenStore(*flags);
    const std::string tenant_id = key_tenant->empty() ? std::string() : FindTenant(store->governance(), *key_tenant).id;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    if (core::Status done = store->governance().RevokeKey(tenant_id, *key_id, now); !done) Fail(done.error());
    std::cout << "revoked " << *key_id << '\n';
  });
}

void AddUsers(CLI::App& app) {
  CLI::App* users = app.add_subcommand("users", "Create console users (the first platform admin, scripts)");
  users->require_subcommand(1);
  auto flags = std::make_shared<StoreFlags>();
  struct CreateFlags {
    std::string tenant, email, name, role = "developer";
    bool platform = false;
  };
  auto create_flags = std::make_shared<CreateFlags>();
  CLI::App* create = users->add_subcommand(
      "create", "Create a user who signs in to the console with a password read from standard input");
  create->add_option("--email", create_flags->email, "what the user signs in with")->required();
  create->add_option("--name", create_flags->name, "display name (default: the email)");
  create->add_option("--tenant", create_flags->tenant, "tenant id or name");
  create->add_flag("--platform", create_flags->platform, "a platform admin (no tenant)");
  create->add_option("--role", create_flags->role, "admin (platform users), tenant-admin, developer, reviewer, auditor, viewer");
  AddStoreFlags(create, *flags);
  create->callback([flags, create_flags] {
    CreateFlags options = *create_flags;
    if (options.platform == !options.tenant.empty()) Fail(core::Error::InvalidRequest("give --tenant or --platform"));
    if (options.platform) options.role = "admin";
    const std::optional<governance::Role> role = governance::ParseRole(options.role);
    if (!role) Fail(core::Error::InvalidRequest("unknown role '" + options.role + "'"));
    if ((*role == governance::Role::kAdmin) != options.platform) {
      Fail(core::Error::InvalidRequest("platform users have the role admin, and only they do"));
    }
    // From standard input, so the password is in neither the shell history nor the process list.
    std::string password;
    std::getline(std::cin, password);
    if (password.size() < 12) Fail(core::Error::InvalidRequest("the password (standard input) must have at least 12 characters"));
    auto store = OpenStore(*flags);
    store::UserRow row;
    if (!options.platform) row.tenant_id = FindTenant(store->governance(), options.tenant).id;
    row.email = options.email;
    row.display_name = options.name.empty() ? options.email : options.name;
    row.role = options.role;
    row.password_hash = Must(governance::HashPassword(password));
    const store::UserRow created = Must(store->governance().CreateUser(row));
    std::cout << created.id << '\t' << created.email << '\t' << created.role << '\n';
  });
}

}  // namespace

void AddGovernanceCommands(CLI::App& app) {
  AddTenants(app);
  AddKeys(app);
  AddUsers(app);
}

}  // namespace strata::cli
