#include "gateway/defaults.h"

#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "http/client.h"
#include "providers/openai/openai_compatible.h"

namespace strata::gateway {
namespace {

struct EnvVendor {
  std::string_view provider;
  std::string_view key_variable;
};

constexpr std::array<EnvVendor, 9> kEnvVendors = {{
    {"openai", "OPENAI_API_KEY"},
    {"anthropic", "ANTHROPIC_API_KEY"},
    {"gemini", "GEMINI_API_KEY"},
    {"groq", "GROQ_API_KEY"},
    {"mistral", "MISTRAL_API_KEY"},
    {"deepseek", "DEEPSEEK_API_KEY"},
    {"together", "TOGETHER_API_KEY"},
    {"fireworks", "FIREWORKS_API_KEY"},
    {"openrouter", "OPENROUTER_API_KEY"},
}};

// Model families served without the "<vendor>/" prefix.
constexpr std::array<std::string_view, 6> kOpenAiBarePrefixes = {"gpt-", "o1", "o3", "o4", "chatgpt-",
                                                                 "text-embedding-"};
constexpr std::array<std::string_view, 1> kAnthropicBarePrefixes = {"claude-"};
constexpr std::array<std::string_view, 1> kGeminiBarePrefixes = {"gemini-"};

ModelAlias PatternAlias(std::string_view pattern, std::string_view provider, std::string upstream_model,
                        std::string key) {
  providers::Deployment deployment;
  // "openai/*" names itself; a bare pattern gets its vendor: "openai/gpt-*".
  const std::string vendor_prefix = std::string(provider) + "/";
  deployment.name = pattern.starts_with(vendor_prefix) ? std::string(pattern) : vendor_prefix + std::string(pattern);
  deployment.provider = provider;
  deployment.model = std::move(upstream_model);
  if (!key.empty()) deployment.api_keys.push_back(std::move(key));
  ModelAlias alias;
  alias.name = std::string(pattern);
  alias.deployments.push_back(std::move(deployment));
  return alias;
}

constexpr std::array<std::string_view, 4> kLocalServers = {"ollama", "llamacpp", "vllm", "lmstudio"};

boost::asio::awaitable<void> Probe(http::Client& client, std::string url, bool& answered) {
  http::ClientRequest request;
  request.method = boost::beast::http::verb::get;
  request.url = std::move(url);
  core::Result<http::ClientResponse> response = co_await client.Send(std::move(request));
  answered = response && response->status == 200;
}

}  // namespace

std::vector<std::string> AddLocalServers(GatewayOptions& options, std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  http::ClientOptions client_options;
  client_options.connect_timeout = timeout;
  client_options.first_byte_timeout = timeout;
  client_options.idle_timeout = timeout;
  http::Client client(io.get_executor(), client_options);
  std::array<bool, kLocalServers.size()> answered{};
  for (std::size_t i = 0; i < kLocalServers.size(); ++i) {
    const std::string base(providers::FindOpenAiPreset(kLocalServers[i])->base_url);
    boost::asio::co_spawn(io, Probe(client, base + "/models", answered[i]), boost::asio::detached);
  }
  io.run();
  std::vector<std::string> found;
  for (std::size_t i = 0; i < kLocalServers.size(); ++i) {
    if (!answered[i]) continue;
    found.emplace_back(kLocalServers[i]);
    options.models.push_back(PatternAlias(std::string(kLocalServers[i]) + "/*", kLocalServers[i], "{model}", ""));
  }
  return found;
}

void AddDemoModel(GatewayOptions& options) {
  for (const ModelAlias& alias : options.models) {
    if (alias.name == "strata-demo") return;
  }
  providers::Deployment deployment;
  deployment.name = "demo/strata-demo";
  deployment.provider = "demo";
  deployment.model = "strata-demo";
  ModelAlias alias;
  alias.name = "strata-demo";
  alias.deployments.push_back(std::move(deployment));
  options.models.push_back(std::move(alias));
}

std::vector<std::string> AddEnvironmentVendors(GatewayOptions& options, const EnvironmentLookup& env) {
  std::vector<std::string> enabled;
  for (const EnvVendor& vendor : kEnvVendors) {
    const std::optional<std::string> key = env(vendor.key_variable);
    if (!key || key->empty()) continue;
    enabled.emplace_back(vendor.provider);
    options.models.push_back(PatternAlias(std::string(vendor.provider) + "/*", vendor.provider, "{model}", *key));
    const auto add_bare = [&](const auto& prefixes) {
      for (std::string_view prefix : prefixes) {
        options.models.push_back(
            PatternAlias(std::string(prefix) + "*", vendor.provider, std::string(prefix) + "{model}", *key));
      }
    };
    if (vendor.provider == "openai") add_bare(kOpenAiBarePrefixes);
    if (vendor.provider == "anthropic") add_bare(kAnthropicBarePrefixes);
    if (vendor.provider == "gemini") add_bare(kGeminiBarePrefixes);
  }
  return enabled;
}

}  // namespace strata::gateway
