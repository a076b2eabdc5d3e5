#include <iostream>

#include "cli/commands.h"

namespace strata::cli {

void AddVersionCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("version", "Print the version");
  command->callback([] { std::cout << "strata " << STRATA_VERSION << '\n'; });
}

}  // namespace strata::cli
