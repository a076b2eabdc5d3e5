// libFuzzer target for the audit export reader (src/audit/export.cc): whatever
// an export file holds, reading it must never crash, and any line that parses
// must be written back canonically. The first input byte picks a line-length
// limit; the rest is the export. Checked properties:
//   - each line either parses or is refused with an error, never a crash;
//   - a parsed line, formatted and parsed again, gives the same value, and
//     formatting that gives the same bytes (one spelling per line);
//   - VerifyExport over the whole input (lines, limits, checkpoints against
//     an untrusted key set) always returns a report.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include "audit/export.h"

namespace {

using strata::audit::ExportLine;

std::string Format(const ExportLine& line) {
  return std::visit([](const auto& value) { return strata::audit::FormatExportLine(value); }, line);
}

void CheckLine(std::string_view text) {
  auto parsed = strata::audit::ParseExportLine(text);
  if (!parsed) {
    if (parsed.error().message().empty()) __builtin_trap();
    return;
  }
  const std::string formatted = Format(*parsed);
  auto again = strata::audit::ParseExportLine(formatted);
  if (!again || *again != *parsed || Format(*again) != formatted) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    CheckLine(input.substr(start, end - start));
    start = end + 1;
  }

  strata::audit::ExportReaderOptions options;
  options.max_line_bytes = 16 + data[0] * 16;
  std::istringstream stream{std::string(input)};
  const strata::audit::PublicKey untrusted{};
  const auto result = strata::audit::VerifyExport(stream, {&untrusted, 1}, options);
  if (result.malformed && result.malformed->line == 0) __builtin_trap();
  return 0;
}
