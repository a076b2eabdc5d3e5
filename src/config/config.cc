#include "config/config.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

#include "config/yaml_reader.h"
#include "policy/policy.h"
#include "providers/openai/openai_compatible.h"
#include "providers/registry.h"
#include "routing/strategies.h"
#include "tracing/exporter.h"

namespace strata::config {
namespace {

// One function per section: the keys it knows, their types and ranges. Adding
// a section is a function like these plus one ReadSection line in Load().

void ReadTls(Section& tls, http::ServerTlsOptions& options) {
  tls.ReadReadableFile("cert_file", options.cert_file);
  tls.ReadReadableFile("key_file", options.key_file);
  // A certificate without its key (or the reverse) would fail at the first
  // handshake; say so now, at the line that is wrong.
  if (options.cert_file.empty() != options.key_file.empty() && !tls.Failed("cert_file") &&
      !tls.Failed("key_file")) {
    const bool has_cert = !options.cert_file.empty();
    tls.Fail(has_cert ? "cert_file" : "key_file",
             std::string("is set but ") + tls.PathOf(has_cert ? "key_file" : "cert_file") +
                 " is not: give both files for TLS, or neither");
  }
}

void ReadServer(Section& server, http::ServerOptions& options) {
  server.ReadNonEmptyString("host", options.host);
  server.ReadInteger("port", options.port, 0, 65535);
  server.ReadInteger("workers", options.workers, 0, 256);
  server.ReadByteSize("max_body_bytes", options.max_body_bytes, 1);
  server.ReadByteSize("max_header_bytes", options.max_header_bytes, 1);
  server.ReadDuration("header_timeout", options.header_timeout);
  server.ReadDuration("body_timeout", options.body_timeout);
  server.ReadDuration("idle_timeout", options.idle_timeout);
  server.ReadInteger("max_connections", options.max_connections, 1);
  // Zero is meaningful here: stop at once, without waiting for streams.
  server.ReadDuration("shutdown_grace", options.shutdown_grace, DurationFloor::kZeroAllowed);
  server.ReadSection("tls", [&](Section& tls) { ReadTls(tls, options.tls); });
}

void ReadUpstream(Section& upstream, http::ClientOptions& options) {
  upstream.ReadDuration("connect_timeout", options.connect_timeout);
  upstream.ReadDuration("first_byte_timeout", options.first_byte_timeout);
  upstream.ReadDuration("idle_timeout", options.idle_timeout);
  upstream.ReadInteger("max_idle_per_host", options.max_idle_per_host, 0);
  upstream.ReadDuration("pool_idle_ttl", options.pool_idle_ttl);
  upstream.ReadReadableFile("ca_file", options.ca_file);
  upstream.ReadBool("verify_tls", options.verify_tls);
}

ParseOutcome<std::string> ParseBackend(std::string_view text) {
  if (text == "sqlite") {
    return std::string(text);
  }
  if (text == "postgres") {
    return MustBe{"'sqlite' (the postgres backend is not available in this build yet)"};
  }
  return MustBe{"'sqlite'"};
}

void ReadWriteBehind(Section& write_behind, store::WriteBehindOptions& options) {
  write_behind.ReadInteger("capacity", options.capacity, 1);
  write_behind.ReadInteger("batch_size", options.batch_size, 1);
  write_behind.ReadDuration("flush_interval", options.flush_interval);
  // A batch larger than the queue could never fill, so a partial batch would
  // always wait for flush_interval.
  if (options.capacity < options.batch_size && !write_behind.Failed("capacity") &&
      !write_behind.Failed("batch_size")) {
    if (write_behind.Has("capacity")) {
      write_behind.Fail("capacity", "must be at least " + write_behind.PathOf("batch_size"));
    } else {
      write_behind.Fail("batch_size", "must be at most " + write_behind.PathOf("capacity"));
    }
  }
}

// `retention:` (docs/PRIVACY.md): the job's schedule and the days kept per
// kind when no rule in the store says (absent: kept forever).
void ReadRetention(Section& retention, privacy::RetentionOptions& options) {
  retention.ReadBool("enabled", options.enabled);
  retention.ReadDuration("interval", options.interval);
  retention.ReadSection("defaults", [&](Section& defaults) {
    constexpr long long kMaxDays = 36'500;
    defaults.ReadInteger("content", options.defaults.content, 1, kMaxDays);
    defaults.ReadInteger("metadata", options.defaults.metadata, 1, kMaxDays);
    defaults.ReadInteger("audit", options.defaults.audit, 1, kMaxDays);
    defaults.ReadInteger("reviews", options.defaults.reviews, 1, kMaxDays);
    defaults.ReadInteger("feedback", options.defaults.feedback, 1, kMaxDays);
  });
}

void ReadStore(Section& store, store::StoreOptions& options) {
  store.Read("backend", options.backend, ParseBackend);
  store.ReadNonEmptyString("data_dir", options.data_dir);
  store.ReadDuration("busy_timeout", options.busy_timeout);
  store.ReadInteger("threads", options.threads, 1, 64);
  store.ReadString("content_key_file", options.content_key_file);
  store.ReadString("audit_signing_key_file", options.audit_signing_key_file);
  store.ReadSection("write_behind", [&](Section& write_behind) { ReadWriteBehind(write_behind, options.write_behind); });
}

void ReadLog(Section& log, observability::LogOptions& options) {
  log.ReadChoice("level", options.level, {"trace", "debug", "info", "warn", "error", "off"});
  log.ReadChoice("format", options.format, {"json", "text"});
  log.ReadBool("access_log", options.access_log);
  log.ReadString("file", options.file);
}

// `position` is the deployment's index in its alias: the default priority,
// so that deployments are tried in the order they are listed.
void ReadDeployment(Section& item, providers::Deployment& deployment, int position, std::set<std::string>& names) {
  deployment.priority = position;
  item.ReadNonEmptyString("provider", deployment.provider);
  item.ReadNonEmptyString("model", deployment.model);
  item.ReadNonEmptyString("name", deployment.name);
  item.ReadString("base_url", deployment.base_url);
  std::string api_key;
  item.ReadString("api_key", api_key);
  item.ReadStringList("api_keys", deployment.api_keys);
  if (!api_key.empty()) deployment.api_keys.insert(deployment.api_keys.begin(), api_key);
  item.ReadString("api_version", deployment.api_version);
  item.ReadStringList("tags", deployment.tags);
  item.ReadInteger("priority", deployment.priority, -1000, 1000);
  item.ReadInteger("max_concurrency", deployment.max_concurrency, 0);
  std::int64_t weight = 1;
  item.ReadInteger("weight", weight, 0, 1'000'000);
  deployment.weight = static_cast<double>(weight);
  item.ReadDuration("timeout", deployment.timeout);
  if (deployment.name.empty()) deployment.name = deployment.provider + "/" + deployment.model;
  // Within an alias, names tell attempts apart (x-strata-deployment, logs); the
  // same name in two aliases means the same upstream, and is allowed.
  if (!deployment.provider.empty() && !deployment.model.empty() && !names.insert(deployment.name).second) {
    item.Fail(item.Has("name") ? "name" : "model",
              "gives the deployment name '" + deployment.name + "', already used in this alias: give each a unique name");
  }

  if (item.Failed("provider") || deployment.provider.empty()) {
    if (!item.Has("provider")) item.Fail("provider", "is required");
    return;
  }
  if (!providers::IsKnownProvider(deployment.provider)) {
    item.Fail("provider", "names no known provider (openai, azure, groq, together, mistral, deepseek, fireworks, "
                          "openrouter, vllm, ollama, llamacpp, lmstudio, openai-compatible, anthropic, gemini, demo)");
    return;
  }
  if (!item.Has("model")) item.Fail("model", "is required");
  const std::optional<providers::OpenAiPreset> preset = providers::FindOpenAiPreset(deployment.provider);
  if (preset && preset->base_url.empty() && deployment.base_url.empty()) {
    item.Fail("base_url", "is required for provider '" + deployment.provider + "'");
  }
  const bool needs_key =
      deployment.provider == "anthropic" || deployment.provider == "gemini" || (preset && preset->needs_key);
  if (needs_key && deployment.api_keys.empty() && !item.Failed("api_key") &&
      !item.Failed("api_keys")) {
    item.Fail("api_key", "is required for provider '" + deployment.provider + "' (or api_keys)");
  }
}

void ReadModel(Section& item, gateway::ModelAlias& alias) {
  std::set<std::string> deployment_names;
  item.ReadNonEmptyString("name", alias.name);
  if (!item.Has("name")) item.Fail("name", "is required");
  item.ReadStringList("fallbacks", alias.fallbacks);
  item.Read("strategy", alias.strategy, [](std::string_view text) -> ParseOutcome<routing::Strategy> {
    if (std::optional<routing::Strategy> strategy = routing::ParseStrategy(text)) return *strategy;
    return MustBe{"one of priority, weighted_random, least_outstanding, lowest_latency"};
  });
  item.ReadList("deployments", [&](Section& deployment_item) {
    const int position = static_cast<int>(alias.deployments.size());
    ReadDeployment(deployment_item, alias.deployments.emplace_back(), position, deployment_names);
  });
  if (alias.deployments.empty() && !item.Failed("deployments")) {
    item.Fail("deployments", "must list at least one deployment");
  }
}

void ReadBreaker(Section& breaker, routing::BreakerOptions& options) {
  breaker.ReadInteger("failure_threshold", options.failure_threshold, 0, 1000);  // 0: only the ratio trigger
  breaker.Read("failure_ratio", options.failure_ratio, [](std::string_view text) -> ParseOutcome<double> {
    char* end = nullptr;
    const std::string copy(text);
    const double ratio = std::strtod(copy.c_str(), &end);
    if (copy.empty() || *end != '\0' || !(ratio > 0 && ratio <= 1)) return MustBe{"a number in (0, 1]"};
    return ratio;
  });
  breaker.ReadInteger("window_size", options.window_size, 1, 10'000);
  breaker.ReadDuration("window", options.window);
  breaker.ReadInteger("min_requests", options.min_requests, 1, 10'000);
  breaker.ReadDuration("cool_down", options.cool_down);
  breaker.ReadDuration("max_cool_down", options.max_cool_down);
}

void ReadRetries(Section& retries, routing::RetryOptions& options) {
  retries.ReadInteger("max_attempts", options.max_attempts, 1, 20);
  retries.ReadInteger("max_attempts_per_deployment", options.max_attempts_per_deployment, 1, 20);
  retries.ReadDuration("base_delay", options.base_delay, DurationFloor::kZeroAllowed);
  retries.ReadDuration("max_delay", options.max_delay, DurationFloor::kZeroAllowed);
  retries.ReadDuration("max_retry_after", options.max_retry_after, DurationFloor::kZeroAllowed);
}

void ReadRouting(Section& routing, gateway::GatewayOptions& options) {
  routing.ReadDuration("timeout", options.timeout);
  routing.ReadSection("retries", [&](Section& retries) { ReadRetries(retries, options.retry); });
  routing.ReadSection("breaker", [&](Section& breaker) { ReadBreaker(breaker, options.breaker); });
}

void ReadScopeLimits(Section& section, gateway::ScopeLimits& limits) {
  constexpr long long kMax = 1'000'000'000;
  section.ReadInteger("requests_per_minute", limits.requests_per_minute, 0, kMax);
  section.ReadInteger("tokens_per_minute", limits.tokens_per_minute, 0, kMax);
  section.ReadInteger("max_concurrent", limits.max_concurrent, 0, kMax);
}

void ReadLimits(Section& section, gateway::AdmitOptions& options) {
  section.ReadChoice("backend", options.backend, {"memory", "redis"});
  section.ReadNonEmptyString("redis_url", options.redis_url);
  std::string on_error = options.fail_open ? "allow" : "deny";
  section.ReadChoice("on_backend_error", on_error, {"allow", "deny"});
  options.fail_open = on_error == "allow";
  section.ReadInteger("default_max_output_tokens", options.default_max_output_tokens, 1, 10'000'000);
  section.ReadSection("per_ip", [&](Section& per_ip) { ReadScopeLimits(per_ip, options.per_ip); });
  section.ReadList("per_model", [&](Section& item) {
    std::string model;
    item.ReadNonEmptyString("model", model);
    if (!item.Has("model")) item.Fail("model", "is required");
    gateway::ScopeLimits limits;
    ReadScopeLimits(item, limits);
    if (!model.empty() && !options.per_model.emplace(model, limits).second) item.Fail("model", "is listed twice");
  });
}

// A duration key whose option is in whole seconds (rounded up).
void ReadSeconds(Section& section, std::string_view key, std::chrono::seconds& out,
                 DurationFloor floor = DurationFloor::kAboveZero) {
  std::chrono::milliseconds value = out;
  section.ReadDuration(key, value, floor);
  out = std::chrono::ceil<std::chrono::seconds>(value);
}

// Console sessions, under `auth:` next to the gateway's keys.
void ReadConsoleAuth(Section& auth, admin::ConsoleOptions& options) {
  ReadSeconds(auth, "session_ttl", options.session_ttl);
  ReadSeconds(auth, "session_idle_timeout", options.idle_timeout, DurationFloor::kZeroAllowed);
  auth.ReadBool("secure_cookies", options.secure_cookies);
  auth.ReadBool("local_login", options.local_login);
}

void ReadRoleMapping(Section& roles, oidc::RoleMappingOptions& options) {
  roles.ReadNonEmptyString("groups_claim", options.groups_claim);
  roles.ReadList("mappings", [&](Section& item) {
    oidc::RoleMapping mapping;
    item.ReadNonEmptyString("group", mapping.group);
    item.ReadChoice("role", mapping.role, {"admin", "tenant-admin", "developer", "reviewer", "auditor", "viewer"});
    item.ReadString("tenant", mapping.tenant);
    if (!item.Has("group")) item.Fail("group", "is required");
    if (!item.Has("role")) {
      item.Fail("role", "is required");
    } else if (!item.Failed("role") && mapping.role != "admin" && mapping.tenant.empty()) {
      item.Fail("tenant", "is required for a role other than admin (only an admin may be a platform user)");
    }
    options.mappings.push_back(std::move(mapping));
  });
  std::string default_role;
  roles.ReadChoice("default_role", default_role,
                   {"admin", "tenant-admin", "developer", "reviewer", "auditor", "viewer"});
  roles.ReadString("default_tenant", options.default_tenant);
  if (!default_role.empty()) {
    options.default_role = default_role;
    if (default_role != "admin" && options.default_tenant.empty()) {
      roles.Fail("default_tenant", "is required with a default_role other than admin");
    }
  }
}

void ReadJwks(Section& jwks, oidc::JwksOptions& options) {
  ReadSeconds(jwks, "max_ttl", options.max_ttl);
  ReadSeconds(jwks, "min_ttl", options.min_ttl, DurationFloor::kZeroAllowed);
  ReadSeconds(jwks, "refetch_interval", options.refetch_interval, DurationFloor::kZeroAllowed);
  jwks.ReadDuration("fetch_timeout", options.fetch_timeout);
  jwks.ReadByteSize("max_document_bytes", options.max_document_bytes, 1);
  jwks.ReadInteger("max_keys", options.max_keys, 1, 10'000);
}

// `oidc:` (docs/OIDC.md): one issuer for console sign-in.
void ReadOidc(Section& section, std::optional<oidc::OidcOptions>& out, admin::ConsoleOptions& console) {
  oidc::OidcOptions options;
  section.ReadNonEmptyString("issuer", options.issuer);
  section.ReadNonEmptyString("client_id", options.client_id);
  section.ReadString("client_secret", options.client_secret);
  std::string client_auth = "client_secret_basic";
  section.ReadChoice("client_auth", client_auth, {"client_secret_basic", "client_secret_post"});
  options.client_auth =
      client_auth == "client_secret_post" ? oidc::ClientAuth::kClientSecretPost : oidc::ClientAuth::kClientSecretBasic;
  section.ReadNonEmptyString("redirect_uri", options.redirect_uri);
  section.ReadNonEmptyString("scopes", options.scopes);
  ReadSeconds(section, "leeway", options.leeway, DurationFloor::kZeroAllowed);
  ReadSeconds(section, "login_timeout", options.login_timeout);
  section.ReadNonEmptyString("post_login_url", console.post_login_url);
  const std::string& landing = console.post_login_url;
  if (!section.Failed("post_login_url") &&
      (landing.front() != '/' || (landing.size() > 1 && (landing[1] == '/' || landing[1] == '\\')))) {
    section.Fail("post_login_url", "must be a path on this server, such as / or /console");
  }
  section.ReadSection("roles", [&](Section& roles) { ReadRoleMapping(roles, options.roles); });
  section.ReadSection("jwks", [&](Section& jwks) { ReadJwks(jwks, options.jwks); });
  bool complete = true;
  for (const std::string_view key : {"issuer", "client_id", "redirect_uri"}) {
    if (!section.Has(key)) {
      section.Fail(key, "is required");
      complete = false;
    }
    complete = complete && !section.Failed(key);
  }
  if (!complete) return;
  // What the reads above do not cover (URL shapes, scopes, bounds across keys):
  // Validate's messages start with the field's path, "oidc.<key>...".
  if (core::Status valid = oidc::Validate(options); !valid) {
    const std::string full = valid.error().message();  // error() returns a copy: keep it alive
    std::string_view message = full;
    if (message.starts_with("oidc.")) message.remove_prefix(5);
    const std::string key(message.substr(0, message.find_first_of(" .:[")));
    message.remove_prefix(key.size());
    while (!message.empty() && (message.front() == ':' || message.front() == ' ' || message.front() == '.')) {
      message.remove_prefix(1);
    }
    if (key == "issuer" || key == "redirect_uri") {
      // The parser's message quotes the URL, which may come from the environment.
      section.Fail(key, "must be an absolute URL, https unless the host is loopback" +
                            std::string(key == "issuer" ? ", without a query or fragment" : ""));
    } else {
      section.Fail(section.Has(key) ? std::string_view(key) : std::string_view("issuer"), message);
    }
    return;
  }
  out = std::move(options);
}

ParseOutcome<double> ParseRatio(std::string_view text) {
  char* end = nullptr;
  const std::string copy(text);
  const double ratio = std::strtod(copy.c_str(), &end);
  if (copy.empty() || *end != '\0' || !(ratio >= 0 && ratio <= 1)) return MustBe{"a number between 0 and 1"};
  return ratio;
}

// `tracing:` (docs/TRACING.md). Nested keys group what belongs together; each
// maps onto one TracingOptions field.
void ReadTracing(Section& section, tracing::TracingOptions& options) {
  section.ReadBool("enabled", options.enabled);
  section.ReadNonEmptyString("endpoint", options.endpoint);
  section.ReadStringMap("headers", options.headers);
  section.ReadReadableFile("ca_file", options.ca_file);
  section.ReadBool("verify_tls", options.verify_tls);
  section.Read("sample_ratio", options.sample_ratio, ParseRatio);
  section.ReadBool("parent_based", options.parent_based);
  section.ReadBool("capture_content", options.capture_content);
  section.ReadByteSize("max_content_length", options.max_content_length, 1);
  section.ReadSection("batch", [&](Section& batch) {
    batch.ReadInteger("max_size", options.max_batch_size, 1, 1'000'000);
    batch.ReadDuration("max_delay", options.max_batch_delay);
    batch.ReadInteger("queue_size", options.max_queue_size, 1, 1'000'000);
    if (options.max_batch_size > options.max_queue_size && !batch.Failed("max_size") && !batch.Failed("queue_size")) {
      if (batch.Has("max_size")) {
        batch.Fail("max_size", "must be at most " + batch.PathOf("queue_size"));
      } else {
        batch.Fail("queue_size", "must be at least " + batch.PathOf("max_size"));
      }
    }
  });
  section.ReadDuration("export_timeout", options.export_timeout);
  section.ReadInteger("max_export_attempts", options.max_export_attempts, 1, 100);
  section.ReadDuration("retry_initial_backoff", options.retry_initial_backoff);
  section.ReadDuration("retry_max_backoff", options.retry_max_backoff);
  section.ReadDuration("max_retry_after", options.max_retry_after, DurationFloor::kZeroAllowed);
  section.ReadDuration("shutdown_timeout", options.shutdown_timeout, DurationFloor::kZeroAllowed);
  section.ReadSection("limits", [&](Section& limits) {
    limits.ReadInteger("max_attributes", options.max_attributes, 1, 1024);
    limits.ReadInteger("max_events", options.max_events, 0, 1024);
    limits.ReadByteSize("max_attribute_length", options.max_attribute_length, 1);
  });
  section.ReadSection("resource", [&](Section& resource) {
    resource.ReadNonEmptyString("service_name", options.service_name);
    resource.ReadString("service_version", options.service_version);
    resource.ReadString("host_name", options.host_name);
    resource.ReadStringMap("attributes", options.resource_attributes);
  });
  if (options.retry_max_backoff < options.retry_initial_backoff && !section.Failed("retry_initial_backoff") &&
      !section.Failed("retry_max_backoff")) {
    section.Fail(section.Has("retry_max_backoff") ? "retry_max_backoff" : "retry_initial_backoff",
                 section.Has("retry_max_backoff") ? "must be at least " + section.PathOf("retry_initial_backoff")
                                                  : "must be at most " + section.PathOf("retry_max_backoff"));
  }
  // The endpoint matters only when spans are sent, but a wrong one is wrong
  // either way. The parser's message may quote the URL (from the environment,
  // perhaps): say what is expected instead.
  if ((options.enabled || section.Has("endpoint")) && !section.Failed("endpoint") &&
      !tracing::TracesUrl(options.endpoint)) {
    section.Fail("endpoint", "must be an http or https URL, such as http://127.0.0.1:4318");
  }
}

// `policy:` (docs/POLICY.md) is a language of its own, parsed by the policy
// module from the raw node; its problems join the config's own, by line.
void ReadPolicy(const YAML::Node& node, std::string_view file_name, Diagnostics& diagnostics,
                std::shared_ptr<const policy::Document>& out) {
  std::vector<policy::ParseProblem> problems;
  core::Result<std::shared_ptr<const policy::Document>> document =
      policy::ParseDocument(node, file_name, "", "config", "policy", &problems);
  if (document) {
    out = *document;
    return;
  }
  for (policy::ParseProblem& problem : problems) diagnostics.Add(problem.line, std::move(problem.message));
}

}  // namespace

Config DefaultConfig() { return Config{}; }

core::Result<Config> LoadConfigString(std::string_view yaml, std::string_view file_name) {
  return LoadConfigString(yaml, file_name, ProcessEnvironment());
}

core::Result<Config> LoadConfigString(std::string_view yaml, std::string_view file_name,
                                      const Environment& environment) {
  Config config = DefaultConfig();
  config.source = std::string(file_name);
  Diagnostics diagnostics{std::string(file_name)};
  Section::ReadDocument(yaml, diagnostics, environment, [&](Section& root) {
    root.ReadSection("server", [&](Section& section) { ReadServer(section, config.server); });
    root.ReadSection("upstream", [&](Section& section) { ReadUpstream(section, config.upstream); });
    root.ReadSection("store", [&](Section& section) { ReadStore(section, config.store); });
    root.ReadSection("log", [&](Section& section) { ReadLog(section, config.log); });
    root.ReadSection("auth", [&](Section& section) {
      section.ReadStringList("api_keys", config.gateway.api_keys);
      section.ReadDuration("refresh_interval", config.gateway.snapshot_refresh);
      ReadConsoleAuth(section, config.console);
    });
    root.ReadSection("oidc", [&](Section& section) { ReadOidc(section, config.oidc, config.console); });
    root.ReadSection("limits", [&](Section& section) { ReadLimits(section, config.gateway.limits); });
    root.ReadList("models", [&](Section& item) { ReadModel(item, config.gateway.models.emplace_back()); });
    root.ReadSection("routing", [&](Section& section) { ReadRouting(section, config.gateway); });
    root.ReadSection("pricing", [&](Section& section) { section.ReadReadableFile("file", config.gateway.pricing_file); });
    root.ReadSection("tracing", [&](Section& section) { ReadTracing(section, config.tracing); });
    root.ReadSection("retention", [&](Section& section) { ReadRetention(section, config.retention); });
    root.ReadSection("guardrails", [&](Section& section) {
      section.ReadBool("enabled", config.gateway.guard.enabled);
      section.ReadString("subject_header", config.gateway.guard.subject_header);
    });
    if (const YAML::Node* node = root.ReadRaw("policy")) ReadPolicy(*node, file_name, diagnostics, config.policy);
  });
  // The library's own checks, as a backstop: the reads above cover each of
  // them today, with lines, so this speaks only for a check added later.
  if (diagnostics.empty()) {
    if (core::Status valid = tracing::ValidateOptions(config.tracing); !valid) {
      diagnostics.Add(0, valid.error().message());
    }
  }
  if (!diagnostics.empty()) {
    return diagnostics.ToError();
  }
  return config;
}

core::Result<Config> LoadConfigFile(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return core::Error::NotFound(path + ": config file not found");
  }
  if (ec) {
    return core::Error::InvalidRequest(path + ": cannot read config file: " + ec.message());
  }
  if (!std::filesystem::is_regular_file(status)) {
    return core::Error::InvalidRequest(path + ": cannot read config file: not a regular file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file.is_open()) {
    return core::Error::InvalidRequest(path + ": cannot read config file: " +
                                       std::generic_category().message(errno));
  }
  const std::string contents{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (file.bad()) {
    return core::Error::InvalidRequest(path + ": cannot read config file: read failed");
  }
  return LoadConfigString(contents, path);
}

}  // namespace strata::config
