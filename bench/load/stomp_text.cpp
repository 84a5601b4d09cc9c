#include "stomp_text.hpp"

namespace herald::bench::stomp {

std::string connect_frame(std::string_view host, std::string_view login, std::string_view passcode) {
  std::string f = "CONNECT\naccept-version:1.2\nheart-beat:0,0\nhost:";
  f.append(host);
  if (!login.empty()) f.append("\nlogin:").append(login);
  if (!passcode.empty()) f.append("\npasscode:").append(passcode);
  f.append("\n\n");
  f.push_back('\0');
  return f;
}

std::string subscribe_frame(std::string_view destination, std::string_view receipt) {
  std::string f = "SUBSCRIBE\nid:0\nack:auto\ndestination:";
  f.append(destination).append("\nreceipt:").append(receipt).append("\n\n");
  f.push_back('\0');
  return f;
}

void append_send_frame(std::string& out, std::string_view destination, std::string_view body) {
  out.append("SEND\ndestination:").append(destination);
  out.append("\ncontent-type:text/plain\ncontent-length:").append(std::to_string(body.size()));
  out.append("\n\n").append(body);
  out.push_back('\0');
}

frame_view split_frame(std::string_view frame) {
  frame_view view;
  auto eol = frame.find('\n');
  if (eol == std::string_view::npos) {
    view.command = frame;
    return view;
  }
  view.command = frame.substr(0, eol);
  if (!view.command.empty() && view.command.back() == '\r') view.command.remove_suffix(1);
  const std::size_t headers_start = eol + 1;
  // The blank line closes the headers; it may be CRLF in 1.2.
  std::size_t blank = frame.find("\n\n", eol);
  std::size_t body_start = blank == std::string_view::npos ? frame.size() : blank + 2;
  if (const auto crlf = frame.find("\n\r\n", eol); crlf != std::string_view::npos && crlf < blank) {
    blank = crlf;
    body_start = crlf + 3;
  }
  if (blank == std::string_view::npos) {
    view.headers = frame.substr(headers_start);
    return view;
  }
  if (blank >= headers_start) view.headers = frame.substr(headers_start, blank - headers_start);
  view.body = frame.substr(std::min(body_start, frame.size()));
  return view;
}

std::string_view header(const frame_view& frame, std::string_view name) {
  std::string_view rest = frame.headers;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':')
      return line.substr(name.size() + 1);
    if (eol == std::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
  return {};
}

}  // namespace herald::bench::stomp
