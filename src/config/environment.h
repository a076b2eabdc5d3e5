#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace strata::config {

// Where `${NAME}` references in a config file are looked up. Returns the
// variable's value, or std::nullopt when it is not set. Tests pass a fake (a
// lambda over a map) instead of touching the process environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv). Not safe to call while another thread
// calls setenv; config is loaded at startup, before such threads exist.
Environment ProcessEnvironment();

}  // namespace strata::config
