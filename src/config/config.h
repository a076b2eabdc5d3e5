#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "admin/options.h"

#include "config/environment.h"
#include "core/result.h"
#include "gateway/options.h"
#include "http/options.h"
#include "observability/options.h"
#include "oidc/options.h"
#include "policy/policy.h"
#include "privacy/options.h"
#include "store/options.h"
#include "tracing/options.h"

namespace strata::config {

// The whole typed configuration. Each module owns its part's struct; this
// module only parses YAML into them. Immutable once loaded.
struct Config {
  http::ServerOptions server;
  http::ClientOptions upstream;
  store::StoreOptions store;
  observability::LogOptions log;
  gateway::GatewayOptions gateway;  // `auth:`, `models:`, `routing:`
  admin::ConsoleOptions console;    // console sessions: `auth.session_*`, `oidc.post_login_url`
  std::optional<oidc::OidcOptions> oidc;  // `oidc:`; unset: no OIDC sign-in
  tracing::TracingOptions tracing;  // `tracing:` (docs/TRACING.md); off by default
  privacy::RetentionOptions retention;  // `retention:` (docs/PRIVACY.md); nothing purged by default
  std::shared_ptr<const policy::Document> policy;  // `policy:`; null: none (docs/POLICY.md)
  std::string source = "<embedded default>";  // file the config came from
};

// The embedded default: loopback, port 4100, ./strata-data, SQLite.
Config DefaultConfig();

// Parses a YAML document. `${ENV_VAR}` (and `${ENV_VAR:-fallback}`) in scalar
// values are replaced from the environment; an unset variable without a
// fallback is an error. Errors read "file:line: message"; unknown keys are
// refused with a "did you mean" suggestion. Keys left out keep their defaults.
//
// Every problem in the document is reported, not just the first: the error
// (ErrorCode::kInvalidRequest) holds one "file:line: message" per line, in line
// order. Messages never contain a value taken from the environment. On
// success, `source` is `file_name`. The full reference of keys is docs/CONFIG.md.
core::Result<Config> LoadConfigString(std::string_view yaml, std::string_view file_name);
// As above, with `${...}` looked up in `environment` instead of the process's.
core::Result<Config> LoadConfigString(std::string_view yaml, std::string_view file_name,
                                      const Environment& environment);

// Reads `path` and parses it as above, with `path` as the file name in errors
// and in `source`. A missing file is ErrorCode::kNotFound; one that cannot be
// read is kInvalidRequest.
core::Result<Config> LoadConfigFile(const std::string& path);

}  // namespace strata::config
