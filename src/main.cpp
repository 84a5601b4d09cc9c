// herald: parse the command line, load the config, run the node.
#include <iostream>

#include "app/node.hpp"
#include "config/load.hpp"
#include "util/log.hpp"

extern char** environ;

int main(int argc, char** argv) {
  int code = 0;
  auto cfg = herald::config::parse_command_line(argc, argv, environ, std::cout, std::cerr, code);
  if (!cfg) return code;
  try {
    herald::util::setup_logging(cfg->log_level, cfg->log_format == herald::config::log_format::json
                                                    ? herald::util::log_style::json
                                                    : herald::util::log_style::text,
                                 cfg->log_file);
    herald::app::node node(std::move(*cfg));
    return node.run();
  } catch (const std::exception& e) {
    std::cerr << "herald: " << e.what() << "\n";
    return 1;
  }
}
