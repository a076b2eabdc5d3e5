#include <iostream>

#include "cli/commands.h"
#include "config/config.h"

namespace strata::cli {

void AddConfigCommand(CLI::App& app) {
  CLI::App* config = app.add_subcommand("config", "Work with configuration files");
  config->require_subcommand(1);
  CLI::App* check = config->add_subcommand("check", "Validate a config file without starting anything");
  auto file = std::make_shared<std::string>();
  check->add_option("file", *file, "YAML config file")->required();
  check->callback([file] {
    core::Result<config::Config> loaded = config::LoadConfigFile(*file);
    if (!loaded) {
      std::cerr << loaded.error().message() << '\n';
      throw CLI::RuntimeError(2);
    }
    std::cout << *file << ": ok\n";
  });
}

}  // namespace strata::cli
