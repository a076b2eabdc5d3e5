#pragma once

#include <CLI/App.hpp>

namespace strata::cli {

// Each subcommand registers its options and callback on the root app.
void AddServeCommand(CLI::App& app);
void AddConfigCommand(CLI::App& app);
void AddMockLlmCommand(CLI::App& app);
void AddVersionCommand(CLI::App& app);
// `strata tenants ...`, `strata keys ...` and `strata users ...`.
void AddGovernanceCommands(CLI::App& app);
// `strata audit keygen` and `strata audit verify`.
void AddAuditCommands(CLI::App& app);
// `strata dsr export|erase` and `strata retention run` (docs/PRIVACY.md).
void AddDsrCommands(CLI::App& app);

}  // namespace strata::cli
