#include "stomp/frame.hpp"

#include <array>
#include <utility>

namespace herald::stomp {

namespace {

struct command_name {
  command cmd;
  std::string_view text;
};

constexpr std::array<command_name, 15> command_names{{
    {command::connect, "CONNECT"},
    {command::stomp, "STOMP"},
    {command::send, "SEND"},
    {command::subscribe, "SUBSCRIBE"},
    {command::unsubscribe, "UNSUBSCRIBE"},
    {command::ack, "ACK"},
    {command::nack, "NACK"},
    {command::begin, "BEGIN"},
    {command::commit, "COMMIT"},
    {command::abort, "ABORT"},
    {command::disconnect, "DISCONNECT"},
    {command::connected, "CONNECTED"},
    {command::message, "MESSAGE"},
    {command::receipt, "RECEIPT"},
    {command::error, "ERROR"},
}};

}  // namespace

std::string_view to_string(version v) {
  switch (v) {
    case version::v1_0: return "1.0";
    case version::v1_1: return "1.1";
    case version::v1_2: return "1.2";
  }
  return "1.2";
}

std::string_view to_string(command c) {
  for (const auto& entry : command_names) {
    if (entry.cmd == c) return entry.text;
  }
  return "SEND";
}

std::optional<command> parse_command(std::string_view text) {
  for (const auto& entry : command_names) {
    if (entry.text == text) return entry.cmd;
  }
  return std::nullopt;
}

bool uses_escaping(version v, command c) {
  if (v == version::v1_0) return false;
  return c != command::connect && c != command::stomp && c != command::connected;
}

const std::string* frame::find(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

void frame::add(std::string name, std::string value) {
  headers.push_back(header{std::move(name), std::move(value)});
}

}  // namespace herald::stomp
