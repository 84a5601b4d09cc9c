// herald-bench: load generator for herald and its peers (RabbitMQ
// Web-STOMP, nginx+nchan). See docs/benchmarks.md.
#include "options.hpp"
#include "proc_stats.hpp"
#include "scenarios.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <sstream>

using namespace herald::bench;

int main(int argc, char** argv) {
  options opts;
  CLI::App app{"herald-bench: idle, broadcast and user-targeted load against a STOMP/WebSocket push server"};
  app.set_help_flag("-h,--help", "Print this help and exit");

  const std::map<std::string, scenario> scenarios{
      {"idle", scenario::idle}, {"broadcast", scenario::broadcast}, {"users", scenario::users}};
  const std::map<std::string, server_kind> servers{
      {"herald", server_kind::herald}, {"rabbitmq", server_kind::rabbitmq}, {"nchan", server_kind::nchan}};
  const std::map<std::string, publish_via> vias{{"http", publish_via::http}, {"stomp", publish_via::stomp}};
  std::string pids;
  std::string via;

  app.add_option("scenario", opts.scenario, "idle | broadcast | users")
      ->required()
      ->transform(CLI::CheckedTransformer(scenarios));
  app.add_option("--server", opts.server, "herald | rabbitmq | nchan: destinations and publish path")
      ->transform(CLI::CheckedTransformer(servers));
  app.add_option("--label", opts.label, "Name in the report (default: the server kind)");
  app.add_option("--host", opts.host, "Server address (IPv4)");
  app.add_option("--port", opts.port, "Server port");
  app.add_option("--ports", opts.ports, "Subscribers spread round-robin over these ports (the nodes of a cluster)")
      ->delimiter(',');
  app.add_option("--publish-port", opts.publish_port,
                 "Port the publisher uses (default: --port); another herald node, to measure a cluster");
  app.add_option("--ws-path", opts.ws_path, "WebSocket path (herald, RabbitMQ: /ws; nchan: channel prefix /sub/)");
  app.add_option("--publish-path", opts.publish_path, "nchan publisher location prefix")->default_str("/pub/");
  app.add_option("--login", opts.login, "STOMP login (RabbitMQ default: guest)");
  app.add_option("--passcode", opts.passcode, "STOMP passcode (RabbitMQ default: guest)");
  app.add_option("--vhost", opts.vhost, "STOMP host header (RabbitMQ virtual host)")->default_str("/");
  app.add_option("--api-key", opts.api_key, "herald api.key, sent as a bearer token");
  app.add_option("--publish-via", via, "http | stomp (default: http for herald and nchan, stomp for RabbitMQ)");

  app.add_option("-n,--connections", opts.connections, "Sessions (idle), subscribers (broadcast) or users (users)")
      ->default_val(opts.connections);
  app.add_option("-t,--threads", opts.threads, "Subscriber threads (a publisher thread comes on top)")
      ->default_val(opts.threads);
  app.add_option("--source-ips", opts.source_ips, "Spread connections over 127.0.0.1..127.0.0.N")
      ->default_val(opts.source_ips);
  app.add_option("--ramp-window", opts.ramp_window, "Handshakes in flight per thread")->default_val(opts.ramp_window);
  app.add_option("-m,--messages", opts.messages, "Messages published per round")->default_val(opts.messages);
  app.add_option("-b,--body-bytes", opts.body_bytes, "Message body size")->default_val(opts.body_bytes);
  app.add_option("-r,--rate", opts.rate, "Messages per second; 0 = flat out")->default_val(opts.rate);
  app.add_option("--pipeline", opts.pipeline, "HTTP publishes in flight, or STOMP SENDs per write")
      ->default_val(opts.pipeline);
  app.add_option("--warmup", opts.warmup, "Warm-up rounds, reported but not summarised")->default_val(opts.warmup);
  app.add_option("-R,--repeat", opts.repeat, "Measured rounds")->default_val(opts.repeat);
  app.add_option("--drain-timeout", opts.drain_timeout_s, "Seconds without a delivery that end a round")
      ->default_val(opts.drain_timeout_s);
  app.add_option("--settle", opts.settle_s, "idle: seconds to wait before reading the server's RSS")
      ->default_val(opts.settle_s);
  app.add_option("--steps", opts.steps, "idle: connect in this many steps, reading the RSS after each")
      ->default_val(opts.steps);
  app.add_option("--connect-timeout", opts.connect_timeout_s, "Seconds allowed to open all connections")
      ->default_val(opts.connect_timeout_s);
  app.add_option("--server-pid", pids, "Comma-separated pids whose RSS and CPU time are reported (all nginx processes)");

  CLI11_PARSE(app, argc, argv);

  std::stringstream list(pids);
  for (std::string pid; std::getline(list, pid, ',');)
    if (!pid.empty()) opts.server_pids.push_back(static_cast<pid_t>(std::stol(pid)));
  const bool rabbit = opts.server == server_kind::rabbitmq;
  if (opts.ws_path.empty()) opts.ws_path = opts.server == server_kind::nchan ? "/sub/" : "/ws";
  if (opts.publish_path.empty()) opts.publish_path = "/pub/";
  if (rabbit && opts.login.empty()) opts.login = "guest";
  if (rabbit && opts.passcode.empty()) opts.passcode = "guest";
  opts.via = via.empty() ? (rabbit ? publish_via::stomp : publish_via::http) : vias.at(via);
  if (opts.server == server_kind::nchan) opts.via = publish_via::http;
  if (opts.threads == 0) opts.threads = 1;
  if (opts.steps == 0) opts.steps = 1;

  const std::uint64_t files = raise_open_files_limit();
  if (opts.connections + 64 > files) {
    std::cerr << "herald-bench: " << opts.connections << " connections do not fit RLIMIT_NOFILE " << files
              << "; run several generators\n";
    return 2;
  }
  try {
    return opts.scenario == scenario::idle ? run_idle(opts) : run_deliveries(opts);
  } catch (const std::exception& e) {
    std::cerr << "herald-bench: " << e.what() << "\n";
    return 2;
  }
}
