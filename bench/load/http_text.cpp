#include "http_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace herald::bench::http {

void append_post(std::string& out, std::string_view host, std::string_view target, std::string_view content_type,
                 std::string_view body, std::string_view bearer) {
  out.append("POST ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
  out.append("\r\nContent-Type: ").append(content_type);
  if (!bearer.empty()) out.append("\r\nAuthorization: Bearer ").append(bearer);
  out.append("\r\nContent-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
}

namespace {

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

// Chunked body (RFC 9112 §7.1); trailers are not expected from these servers.
scan_status scan_chunked(std::string_view data, std::size_t& consumed) {
  std::size_t pos = 0;
  for (;;) {
    const auto eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return scan_status::need_more;
    std::size_t size = 0;
    auto [p, ec] = std::from_chars(data.data() + pos, data.data() + eol, size, 16);
    if (ec != std::errc{}) return scan_status::bad_response;
    pos = eol + 2;
    if (size == 0) {
      if (data.size() < pos + 2) return scan_status::need_more;
      consumed = pos + 2;
      return scan_status::complete;
    }
    if (data.size() < pos + size + 2) return scan_status::need_more;
    pos += size + 2;
  }
}

}  // namespace

scan_status scan_response(std::string_view data, response_head& head, std::size_t& consumed) {
  const auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return scan_status::need_more;
  const std::string_view head_text = data.substr(0, end);
  if (head_text.size() < 12 || head_text.substr(0, 5) != "HTTP/") return scan_status::bad_response;
  std::from_chars(head_text.data() + 9, head_text.data() + 12, head.status);
  std::size_t length = 0;
  bool chunked = false;
  std::size_t pos = head_text.find("\r\n");
  while (pos != std::string_view::npos && pos < head_text.size()) {
    const auto next = head_text.find("\r\n", pos + 2);
    const std::string_view line = head_text.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    if (iequals_prefix(line, "content-length:")) {
      const auto value = trim(line.substr(15));
      std::from_chars(value.data(), value.data() + value.size(), length);
    } else if (iequals_prefix(line, "transfer-encoding:")) {
      chunked = trim(line.substr(18)).find("chunked") != std::string_view::npos;
    }
    pos = next;
  }
  const std::size_t body_start = end + 4;
  if (chunked) {
    std::size_t body_len = 0;
    const auto status = scan_chunked(data.substr(body_start), body_len);
    if (status == scan_status::complete) consumed = body_start + body_len;
    return status;
  }
  if (data.size() < body_start + length) return scan_status::need_more;
  consumed = body_start + length;
  return scan_status::complete;
}

}  // namespace herald::bench::http
