#pragma once

// Loading a config from YAML text in a test, with a fake environment.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace strata::config::test {

inline core::Result<Config> Load(std::string_view yaml, std::map<std::string, std::string, std::less<>> env = {}) {
  return LoadConfigString(yaml, "strata.yaml", [env](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
}

// The error message of a config that must not load; empty if it loaded.
inline std::string ErrorOf(std::string_view yaml) {
  core::Result<Config> config = Load(yaml);
  return config ? "" : config.error().message();
}

}  // namespace strata::config::test
