// strata: the governed AI gateway. Subcommands live in one file each.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Strata: a governed AI gateway in one binary"};
  app.require_subcommand(1);
  strata::cli::AddServeCommand(app);
  strata::cli::AddConfigCommand(app);
  strata::cli::AddMockLlmCommand(app);
  strata::cli::AddGovernanceCommands(app);
  strata::cli::AddAuditCommands(app);
  strata::cli::AddDsrCommands(app);
  strata::cli::AddVersionCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
