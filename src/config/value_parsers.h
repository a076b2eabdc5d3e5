#pragma once

// Pure text-to-value parsers for config scalars. They know nothing about YAML,
// key paths or line numbers: the Section walker (yaml_reader.h) adds those.
// Each returns std::nullopt when the text does not fit; none of them trims
// whitespace or accepts a sign.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::config {

// A base-10 integer: optional '-' then digits ("8080", "-1"). No '+', no
// separators, no hex.
std::optional<long long> ParseInteger(std::string_view text);

// "true" or "false", in any letter case. YAML 1.1's yes/no/on/off are refused:
// they surprise people ("country: no").
std::optional<bool> ParseBool(std::string_view text);

// A duration: one or more <number><unit> parts, units ms, s, m, h, the number
// whole or decimal: "250ms", "10s", "1.5s", "2m", "1h30m". The result must be
// a whole number of milliseconds ("0.5ms" is refused). A bare number has no
// unit and is refused.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// A size in bytes: a bare integer ("65536"), or a number and a unit, binary
// (KiB, MiB, GiB, TiB: powers of 1024) or decimal (B, kB/KB, MB, GB, TB: powers
// of 1000), with optional spaces between: "64KiB", "1.5 GiB". The result must
// be a whole number of bytes.
std::optional<std::uint64_t> ParseByteSize(std::string_view text);

}  // namespace strata::config
