// parse_command_line(): flags → overrides for load(); --help and --version.
// CLI11 stays inside this file.
#include <CLI/CLI.hpp>
#include <map>
#include <ostream>
#include <sstream>

#include "config/key_table.hpp"
#include "config/load.hpp"

namespace herald::config {
namespace {

std::string keys_help() {
  std::ostringstream out;
  out << "Settings are applied in layers, each overriding the one before: defaults,\n"
         "--config FILE, HERALD_* environment variables, then --listen/--threads/\n"
         "--log-level/--set in command-line order. Lists are comma-separated outside YAML.\n"
         "\nConfiguration keys (key=default  type  environment variable):\n";
  for (const auto& key : key_table()) {
    out << "  " << key.path << '=' << key.default_text << "  " << key.type << "  " << key.env
        << "\n"
        << "      " << key.doc << "\n";
  }
  return out.str();
}

CLI::Option* value_flag(CLI::App& app, const std::string& name, std::vector<std::string>& into,
                        const std::string& type, const std::string& help) {
  // One value per occurrence, repeatable; parse_order() then lists one entry
  // per value so flags can be applied in the order they were written.
  return app.add_option(name, into, help)
      ->type_name(type)
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
}

}  // namespace

std::optional<config> parse_command_line(int argc, char** argv, char** envp, std::ostream& out,
                                         std::ostream& err, int& exit_code) {
  CLI::App app{"STOMP-over-WebSocket push server", "herald"};
  std::string config_path;
  bool version = false;
  std::vector<std::string> listen, threads, log_level, sets;
  app.add_option("--config", config_path, "YAML config file")->type_name("FILE");
  // Dedicated flags are shorthands for --set of the key named here.
  std::map<const CLI::Option*, std::string> shorthand{
      {value_flag(app, "--listen", listen, "HOST:PORT", "Same as --set listen=HOST:PORT"),
       "listen"},
      {value_flag(app, "--threads", threads, "N", "Same as --set threads=N"), "threads"},
      {value_flag(app, "--log-level", log_level, "LEVEL", "Same as --set log.level=LEVEL"),
       "log.level"},
  };
  const CLI::Option* set =
      value_flag(app, "--set", sets, "KEY=VALUE", "Set any key below (repeatable)");
  app.add_flag("--version", version, "Print the version and exit");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help() << keys_help();
    exit_code = 0;
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    err << "herald: " << e.what() << "\nRun with --help for more information.\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (version) {
    out << "herald " HERALD_VERSION "\n";
    exit_code = 0;
    return std::nullopt;
  }

  std::vector<std::pair<std::string, std::string>> overrides;
  std::map<const CLI::Option*, std::size_t> used;  // values consumed per option
  for (const CLI::Option* opt : app.parse_order()) {
    std::size_t index = used[opt]++;
    if (index >= opt->results().size()) continue;
    const std::string& value = opt->results()[index];
    if (auto it = shorthand.find(opt); it != shorthand.end()) {
      overrides.emplace_back(it->second, value);
    } else if (opt == set) {
      auto eq = value.find('=');
      if (eq == std::string::npos || eq == 0) {
        err << "herald: --set expects KEY=VALUE, got \"" << value
            << "\"\nRun with --help for more information.\n";
        exit_code = 2;
        return std::nullopt;
      }
      overrides.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    }
  }

  try {
    config cfg = load(config_path, envp, overrides);
    exit_code = 0;
    return cfg;
  } catch (const config_error& e) {
    err << "herald: " << e.what() << "\n";
    exit_code = 2;
    return std::nullopt;
  }
}

}  // namespace herald::config
